package org.dmaemu.node.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;

/**
 * The DMA measurements of one run: every driver reports its finished I/O requests here and every
 * transaction its arbitration waits and leaks, from many actors at once. Recording takes no lock:
 * counters are {@link LongAdder}s and distributions HdrHistogram {@link Recorder}s (wait-free for
 * writers). {@link #snapshot()} is for one reader at a time — the run's coordinator, when the run
 * ended.
 */
public final class RunMetrics implements IoObserver, DmaObserver {

  /** Three significant digits: a 1,234 µs wait is told apart from a 1,235 µs one. */
  private static final int DIGITS = 3;

  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder leakReports = new LongAdder();
  private final LongAdder registersStillHeld = new LongAdder();
  // Filled for every status up front, so that recording never inserts (and never locks).
  private final Map<NtStatus, LongAdder> failuresByStatus = new EnumMap<>(NtStatus.class);
  private final Recorder latency = new Recorder(DIGITS);
  private final Recorder lockWait = new Recorder(DIGITS);
  private final Recorder registerWait = new Recorder(DIGITS);
  // The reader's totals: every interval histogram taken so far.
  private final Histogram latencyTotal = new Histogram(DIGITS);
  private final Histogram lockWaitTotal = new Histogram(DIGITS);
  private final Histogram registerWaitTotal = new Histogram(DIGITS);

  public RunMetrics() {
    for (NtStatus status : NtStatus.values()) {
      failuresByStatus.put(status, new LongAdder());
    }
  }

  @Override
  public void requestCompleted(IoObserver.RequestEnd end) {
    NtStatus status = end.status();
    if (end.completed()) {
      completed.increment();
    } else {
      failed.increment();
      failuresByStatus.get(status == null ? NtStatus.STATUS_UNSUCCESSFUL : status).increment();
    }
    bytes.add(Math.max(0, end.bytes()));
    latency.recordValue(Math.max(0, end.latencyMicros()));
  }

  @Override
  public void requestsAborted(String deviceId, String faultId, long count) {
    failed.add(count);
  }

  @Override
  public void adapterLockWait(String adapterId, String deviceId, long micros) {
    lockWait.recordValue(Math.max(0, micros));
  }

  @Override
  public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {
    registerWait.recordValue(Math.max(0, micros));
  }

  @Override
  public void mapRegistersLeaked(String adapterId, int registers) {
    leakReports.increment();
    registersStillHeld.add(registers);
  }

  // Not measured yet: bus waits, and the arbiters' occupancy and queue depth over time.

  @Override
  public void busWait(String busId, String deviceId, long micros) {}

  @Override
  public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {}

  @Override
  public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {}

  @Override
  public void busChanged(String busId, boolean busy, int waiting, long atMicros) {}

  /** Everything recorded so far. One reader at a time. */
  public DmaMetrics snapshot() {
    return summarize(totals());
  }

  /**
   * What was recorded so far, as counters and whole histograms: what the nodes of a cluster run
   * hand in, to be {@linkplain Totals#plus added} and {@linkplain #summarize summarized} once. One
   * reader at a time.
   */
  public Totals totals() {
    latencyTotal.add(latency.getIntervalHistogram());
    lockWaitTotal.add(lockWait.getIntervalHistogram());
    registerWaitTotal.add(registerWait.getIntervalHistogram());
    Map<NtStatus, Long> byStatus = new EnumMap<>(NtStatus.class);
    failuresByStatus.forEach(
        (status, n) -> {
          long sum = n.sum();
          if (sum > 0) {
            byStatus.put(status, sum);
          }
        });
    return new Totals(
        completed.sum(), failed.sum(), byStatus, bytes.sum(), leakReports.sum(), registersStillHeld.sum(),
        latencyTotal.copy(), lockWaitTotal.copy(), registerWaitTotal.copy());
  }

  /** The summary's view of {@code t}. */
  public static DmaMetrics summarize(Totals t) {
    List<StatusCount> byStatus = new ArrayList<>();
    t.failuresByStatus().forEach((status, n) -> byStatus.add(new StatusCount(status, n)));
    // Most frequent first; ties in NTSTATUS declaration order, so that equal runs print equally.
    byStatus.sort(Comparator.comparingLong(StatusCount::requests).reversed().thenComparing(StatusCount::status));
    return new DmaMetrics(
        t.completed(),
        t.failed(),
        byStatus,
        t.bytes(),
        Percentiles.of(t.latency()),
        Percentiles.of(t.lockWait()),
        Percentiles.of(t.registerWait()),
        t.leakReports(),
        t.registersStillHeld());
  }

  /** Counters and whole distributions of a {@link RunMetrics}; see {@link DmaMetrics} for their meaning. */
  public record Totals(
      long completed,
      long failed,
      Map<NtStatus, Long> failuresByStatus,
      long bytes,
      long leakReports,
      long registersStillHeld,
      Histogram latency,
      Histogram lockWait,
      Histogram registerWait) {

    public Totals {
      failuresByStatus = Map.copyOf(failuresByStatus);
    }

    /** Nothing recorded. */
    public static Totals none() {
      return new Totals(0, 0, Map.of(), 0, 0, 0, new Histogram(DIGITS), new Histogram(DIGITS), new Histogram(DIGITS));
    }

    /** Both together: counters add, histograms add. */
    public Totals plus(Totals o) {
      Map<NtStatus, Long> byStatus = new EnumMap<>(NtStatus.class);
      byStatus.putAll(failuresByStatus);
      o.failuresByStatus.forEach((status, n) -> byStatus.merge(status, n, Long::sum));
      return new Totals(
          completed + o.completed, failed + o.failed, byStatus, bytes + o.bytes, leakReports + o.leakReports,
          registersStillHeld + o.registersStillHeld, sum(latency, o.latency), sum(lockWait, o.lockWait),
          sum(registerWait, o.registerWait));
    }

    private static Histogram sum(Histogram a, Histogram b) {
      Histogram h = new Histogram(DIGITS);
      h.add(a);
      h.add(b);
      return h;
    }
  }
}
