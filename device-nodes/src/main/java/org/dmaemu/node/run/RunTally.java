package org.dmaemu.node.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.node.metrics.DmaMetrics;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * Adds device outcomes up into a {@link RunSummary}. Owned by one actor; not thread-safe. Public for
 * the cluster run's coordinator, which adds up the outcomes of devices on every node.
 */
public final class RunTally {

  private record Key(CallbackKind callback, NtStatus status) {}

  /** A crashed device whose snapshot lists no bug check (it cannot happen with the emulator's devices). */
  static final String UNKNOWN_RULE = "(no bug check recorded)";

  private final int devices;
  private final boolean keepOutcomes;
  private final List<DeviceOutcome> outcomes;
  private final Map<Key, Long> powerUpFailures = new HashMap<>();
  private final Map<Key, Long> powerDownFailures = new HashMap<>();
  private final Map<Key, Long> hangs = new HashMap<>();
  private final Map<String, Long> crashes = new HashMap<>();
  private final Map<String, Long> bugChecks = new HashMap<>();
  private final Map<String, Long> plannedBugChecks = new HashMap<>();
  private final Map<String, Long> dmaKinds = new HashMap<>();
  private int accounted;
  private int reachedD0;
  private int completed;
  private int failed;
  private int hung;
  private int rejected;
  private int crashed;
  private long callbacks;
  private long pnpRequests;
  private int dmaDevices;
  private long requestsSubmitted;
  private long requestsUnfinished;
  private long leakedRegisters;
  private int surpriseRemoved;
  private long cyclesCompleted;
  private long registersHeldByStuck;
  private int lostWithNode;

  public RunTally(int devices, boolean keepOutcomes) {
    this.devices = devices;
    this.keepOutcomes = keepOutcomes;
    this.outcomes = keepOutcomes ? new ArrayList<>(devices) : List.of();
  }

  public int accounted() {
    return accounted;
  }

  public boolean complete() {
    return accounted == devices;
  }

  /**
   * {@code n} devices of a cluster run were on a node that a planned node fault took away: they
   * will not answer, and are not unaccounted.
   */
  public void lostWithNode(int n) {
    lostWithNode += n;
  }

  public void add(DeviceOutcome o) {
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
    cyclesCompleted += o.cyclesCompleted();
    switch (o.outcome()) {
      case SUCCEEDED:
        completed++;
        if (o.lastStep() == ScriptStep.SURPRISE_REMOVE) {
          surpriseRemoved++;
        }
        break;
      case FAILED:
        failed++;
        (o.lastStep().leavesD0() ? powerDownFailures : powerUpFailures).merge(key, 1L, Long::sum);
        break;
      case HUNG:
        hung++;
        hangs.merge(key, 1L, Long::sum);
        break;
      case CRASHED:
        crashed++;
        // The first bug check is the one that stopped the device.
        crashes.merge(o.bugChecks().isEmpty() ? UNKNOWN_RULE : o.bugChecks().get(0), 1L, Long::sum);
        break;
      case REJECTED:
      default:
        rejected++;
        break;
    }
    for (String rule : o.bugChecks()) {
      bugChecks.merge(rule, 1L, Long::sum);
    }
    for (String rule : o.plannedBugChecks()) {
      plannedBugChecks.merge(rule, 1L, Long::sum);
    }
    addDma(o);
  }

  private void addDma(DeviceOutcome o) {
    if (o.doesDma()) {
      dmaDevices++;
      dmaKinds.merge(o.dmaKind(), 1L, Long::sum);
      requestsSubmitted += o.requestsSubmitted();
      requestsUnfinished += Math.max(0, o.requestsSubmitted() - o.requestsEnded());
    }
    if (o.stuck()) {
      registersHeldByStuck += o.registersHeld();
    } else {
      leakedRegisters += o.registersHeld();
    }
  }

  public RunSummary summary(long seed, int cycles, boolean stopAfterStart, Duration wallTime, DmaMetrics metrics) {
    List<DeviceOutcome> sorted = new ArrayList<>(outcomes);
    sorted.sort(Comparator.comparing(DeviceOutcome::deviceId));
    List<KindCount> kinds = new ArrayList<>(dmaKinds.size());
    dmaKinds.forEach((kind, n) -> kinds.add(new KindCount(kind, n)));
    kinds.sort(Comparator.comparingLong(KindCount::devices).reversed().thenComparing(KindCount::kind));
    DmaSummary dma =
        new DmaSummary(
            dmaDevices, kinds, requestsSubmitted, requestsUnfinished, metrics, leakedRegisters, registersHeldByStuck);
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
        crashed,
        surpriseRemoved,
        cyclesCompleted,
        counts(powerUpFailures),
        counts(powerDownFailures),
        counts(hangs),
        rules(crashes),
        rules(bugChecks),
        rules(plannedBugChecks),
        callbacks,
        pnpRequests,
        wallTime,
        dma,
        sorted,
        lostWithNode);
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

  /** Most frequent first, ties by rule name. */
  private static List<RuleCount> rules(Map<String, Long> byRule) {
    List<RuleCount> out = new ArrayList<>(byRule.size());
    byRule.forEach((rule, n) -> out.add(new RuleCount(rule, n)));
    out.sort(Comparator.comparingLong(RuleCount::count).reversed().thenComparing(RuleCount::rule));
    return out;
  }
}
