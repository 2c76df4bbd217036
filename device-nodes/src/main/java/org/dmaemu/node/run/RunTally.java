package org.dmaemu.node.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/** Adds device outcomes up into a {@link RunSummary}. Owned by one actor; not thread-safe. */
final class RunTally {

  private record Key(CallbackKind callback, NtStatus status) {}

  private final int devices;
  private final boolean keepOutcomes;
  private final List<DeviceOutcome> outcomes;
  private final Map<Key, Long> powerUpFailures = new HashMap<>();
  private final Map<Key, Long> powerDownFailures = new HashMap<>();
  private final Map<Key, Long> hangs = new HashMap<>();
  private int accounted;
  private int reachedD0;
  private int completed;
  private int failed;
  private int hung;
  private int rejected;
  private long callbacks;
  private long pnpRequests;

  RunTally(int devices, boolean keepOutcomes) {
    this.devices = devices;
    this.keepOutcomes = keepOutcomes;
    this.outcomes = keepOutcomes ? new ArrayList<>(devices) : List.of();
  }

  int accounted() {
    return accounted;
  }

  boolean complete() {
    return accounted == devices;
  }

  void add(DeviceOutcome o) {
    accounted++;
    callbacks += o.callbacks();
    pnpRequests += o.pnpRequests();
    if (o.reachedD0()) {
      reachedD0++;
    }
    if (keepOutcomes) {
      outcomes.add(o);
    }
    Key key = new Key(o.failedCallback(), o.failureStatus());
    switch (o.outcome()) {
      case SUCCEEDED:
        completed++;
        break;
      case FAILED:
        failed++;
        (o.lastStep().leavesD0() ? powerDownFailures : powerUpFailures).merge(key, 1L, Long::sum);
        break;
      case HUNG:
        hung++;
        hangs.merge(key, 1L, Long::sum);
        break;
      case REJECTED:
      default:
        rejected++;
        break;
    }
  }

  RunSummary summary(long seed, int cycles, boolean stopAfterStart, Duration wallTime) {
    List<DeviceOutcome> sorted = new ArrayList<>(outcomes);
    sorted.sort(Comparator.comparing(DeviceOutcome::deviceId));
    return new RunSummary(
        seed,
        devices,
        cycles,
        stopAfterStart,
        accounted,
        reachedD0,
        completed,
        failed,
        hung,
        rejected,
        counts(powerUpFailures),
        counts(powerDownFailures),
        counts(hangs),
        callbacks,
        pnpRequests,
        wallTime,
        sorted);
  }

  /** Most frequent first; ties in callback order, then status order, so that equal runs print equally. */
  private static List<FailureCount> counts(Map<Key, Long> byKey) {
    List<FailureCount> out = new ArrayList<>(byKey.size());
    byKey.forEach((key, n) -> out.add(new FailureCount(key.callback(), key.status(), n)));
    out.sort(
        Comparator.comparingLong(FailureCount::devices)
            .reversed()
            .thenComparing(FailureCount::callback, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(FailureCount::status, Comparator.nullsLast(Comparator.naturalOrder())));
    return out;
  }
}
