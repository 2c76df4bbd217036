package org.dmaemu.node.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.dmaemu.node.check.RequestLedger;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.trace.TraceSink;

/**
 * What a contention researcher measures in a scenario run, per device group, per device and per
 * arbiter: who waited, for what, how long, and how fair it was (issue: "Metrics"). Written by many
 * actors at once without locks (adders, HdrHistogram recorders) except the occupancy integrals,
 * which lock one arbiter's tracker. Read by one sampler, once per interval ({@link #sample}), and
 * once at the end ({@link #totals}).
 *
 * <p>Warm-up: requests that arrived within it, and waits that ended within it, are run but not
 * measured. Outcome accounting counts every request, warm-up or not.
 */
public final class ScenarioMetrics implements RunObserver {

  /** The distributions every group keeps. */
  public enum Metric {
    LATENCY("latency"),
    ADAPTER_LOCK_WAIT("adapter-lock-wait"),
    MAP_REGISTER_WAIT("map-register-wait"),
    BUS_WAIT("bus-wait"),
    PROGRAM_TO_INTERRUPT("program-to-interrupt");

    public final String fileName;

    Metric(String fileName) {
      this.fileName = fileName;
    }
  }

  private static final int DIGITS = 3;

  private final Function<String, String> groupOfDevice;
  private final LongSupplier nowMicros;
  private final long warmUpMicros;
  private final Map<String, GroupStats> groups = new LinkedHashMap<>();
  private final ConcurrentHashMap<String, DeviceStats> devices = new ConcurrentHashMap<>();
  /** Arbiters: a shared domain or bus by its id; a group's per-enabler adapters as one. */
  private final ConcurrentHashMap<String, ArbiterStats> arbiters = new ConcurrentHashMap<>();
  private final LongestWait longest = new LongestWait();
  private final LongAdder leakReports = new LongAdder();
  private final LongAdder registersLeaked = new LongAdder();
  private final LongAdder ended = new LongAdder();
  private long lastSampleMicros;
  private volatile TraceSink trace = TraceSink.NONE;
  private final ConcurrentHashMap<String, FaultStats> faults = new ConcurrentHashMap<>();

  private static final class FaultStats {
    final LongAdder injected = new LongAdder();
    final Set<String> devices = ConcurrentHashMap.newKeySet();
  }

  /**
   * @param groups the group names, in report order
   * @param groupOfDevice the group of a device id
   * @param nowMicros the node clock's modeled time
   * @param warmUpMicros modeled time, from the start, that is not measured
   */
  public ScenarioMetrics(List<String> groups, Function<String, String> groupOfDevice, LongSupplier nowMicros, long warmUpMicros) {
    for (String g : groups) {
      this.groups.put(g, new GroupStats(g));
    }
    this.groupOfDevice = groupOfDevice;
    this.nowMicros = nowMicros;
    this.warmUpMicros = warmUpMicros;
    this.lastSampleMicros = nowMicros.getAsLong();
  }

  /**
   * Where the arbiters' occupancy goes as Chrome Trace counters ("C"): free map registers and
   * waiting requests per adapter, lock and bus queue depth — Perfetto draws them as counter tracks.
   * Every request's end goes there too, as a {@code Request} span on its device's track, and the
   * requests a device was given up with as a {@code RequestsAborted} instant ({@link RequestLedger}):
   * the offline check recounts the run's accounting from them.
   */
  public void traceTo(TraceSink sink) {
    this.trace = sink;
  }

  // ---- Reports from the drivers --------------------------------------------------------------

  @Override
  public void requestSubmitted(String deviceId, long sequence, DmaDirection direction, long bytes) {
    GroupStats g = group(deviceId);
    g.submitted.increment();
    device(deviceId).digest(sequence, direction, bytes);
  }

  @Override
  public void requestsAborted(String deviceId, String faultId, long count) {
    group(deviceId).aborted.computeIfAbsent(faultId, f -> new LongAdder()).add(count);
    device(deviceId).ended.addAndGet(count);
    ended.add(count);
    trace.instant(RequestLedger.REQUESTS_ABORTED, deviceId, nowMicros.getAsLong(),
        Map.of("device", deviceId, "fault", faultId, "count", Long.toString(count)));
  }

  @Override
  public void faultInjected(String faultId, String deviceId, String what, long atMicros) {
    FaultStats f = faults.computeIfAbsent(faultId, id -> new FaultStats());
    f.injected.increment();
    f.devices.add(deviceId);
    trace.instant("FaultInjected", deviceId, atMicros, Map.of("fault", faultId, "device", deviceId, "what", what));
  }

  /** What the faults did so far. */
  public FaultTally faultTally() {
    Map<String, Map<String, Long>> aborted = new LinkedHashMap<>();
    for (GroupStats g : groups.values()) {
      Map<String, Long> byFault = new LinkedHashMap<>();
      g.aborted.forEach((f, n) -> byFault.put(f, n.sum()));
      if (!byFault.isEmpty()) {
        aborted.put(g.name, byFault);
      }
    }
    Map<String, Long> injected = new LinkedHashMap<>();
    Map<String, Long> touched = new LinkedHashMap<>();
    faults.forEach((id, f) -> {
      injected.put(id, f.injected.sum());
      touched.put(id, (long) f.devices.size());
    });
    return new FaultTally(aborted, injected, touched);
  }

  @Override
  public void requestCompleted(RequestEnd end) {
    GroupStats g = group(end.deviceId());
    DeviceStats d = device(end.deviceId());
    if (end.aborted()) {
      g.aborted.computeIfAbsent(end.faultId(), f -> new LongAdder()).increment();
    } else if (end.completed()) {
      g.completed.increment();
    } else if (end.cancelled()) {
      g.cancelled.increment();
    } else {
      g.failed.increment();
      g.failures.computeIfAbsent(String.valueOf(end.status()), s -> new LongAdder()).increment();
    }
    d.ended.incrementAndGet();
    ended.increment();
    traceEnd(end);
    if (end.arrivalMicros() < warmUpMicros) {
      return;
    }
    if (end.completed()) {
      g.measuredCompleted.increment();
      g.measuredBytes.add(Math.max(0, end.bytes()));
      d.measured(end, Math.max(0, end.bytes()), warmUpMicros);
    }
    g.recorders.get(Metric.LATENCY).recordValue(Math.max(0, end.latencyMicros()));
  }

  /** The request's life as a span on its device's track, from its arrival to its end, with its one outcome. */
  private void traceEnd(RequestEnd end) {
    TraceSink sink = trace;
    if (!sink.enabled()) {
      return;
    }
    Map<String, String> args = new LinkedHashMap<>();
    args.put("device", end.deviceId());
    args.put("request", Long.toString(end.sequence()));
    args.put("direction", end.direction() == null ? "" : end.direction().wdfName());
    args.put("bytes", Long.toString(Math.max(0, end.bytes())));
    args.put("status", end.status() == null ? "none" : end.status().hex());
    args.put("outcome", RequestLedger.outcome(end.completed(), end.cancelled(), end.aborted()));
    if (end.aborted()) {
      args.put("fault", end.faultId());
    }
    long now = nowMicros.getAsLong();
    sink.span(RequestLedger.REQUEST, end.deviceId(), now - Math.max(0, end.latencyMicros()), now, args);
  }

  @Override
  public void programToInterrupt(String deviceId, long micros) {
    if (measuring()) {
      group(deviceId).recorders.get(Metric.PROGRAM_TO_INTERRUPT).recordValue(Math.max(0, micros));
    }
  }

  // ---- Reports from the transactions and the arbiters -----------------------------------------

  @Override
  public void adapterLockWait(String adapterId, String deviceId, long micros) {
    recordWait(Metric.ADAPTER_LOCK_WAIT, adapterId, deviceId, micros);
  }

  @Override
  public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {
    recordWait(Metric.MAP_REGISTER_WAIT, adapterId, deviceId, micros);
  }

  @Override
  public void busWait(String busId, String deviceId, long micros) {
    recordWait(Metric.BUS_WAIT, busId, deviceId, micros);
  }

  @Override
  public void mapRegistersLeaked(String adapterId, int registers) {
    leakReports.increment();
    registersLeaked.add(registers);
  }

  @Override
  public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {
    arbiter(adapterId, "lock").set(held ? 1 : 0, 1, waiting, atMicros);
    counter("AdapterLock " + adapterId, adapterId, atMicros, Map.of("held", held ? "1" : "0", "waiting", Integer.toString(waiting)));
  }

  @Override
  public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {
    arbiter(adapterId, "registers").set(inUse, capacity, waiting, atMicros);
    counter("MapRegisters " + adapterId, adapterId, atMicros,
        Map.of("free", Integer.toString(capacity - inUse), "waiting", Integer.toString(waiting),
            "capacity", Integer.toString(capacity)));
  }

  @Override
  public void busChanged(String busId, boolean busy, int waiting, long atMicros) {
    arbiters.computeIfAbsent("bus " + busId, k -> new ArbiterStats(k, "bus", busId)).tracker(busId, "lock").set(busy ? 1 : 0, 1, waiting, atMicros);
    counter("Bus " + busId, busId, atMicros, Map.of("busy", busy ? "1" : "0", "waiting", Integer.toString(waiting)));
  }

  private void counter(String name, String track, long atMicros, Map<String, String> values) {
    TraceSink sink = trace;
    if (sink.enabled()) {
      sink.record(new TraceEvent(name, "C", atMicros, 0, track, values));
    }
  }

  private void recordWait(Metric metric, String arbiterId, String deviceId, long micros) {
    if (!measuring()) {
      return;
    }
    long value = Math.max(0, micros);
    group(deviceId).recorders.get(metric).recordValue(value);
    longest.offer(value, deviceId, metric, arbiterId);
  }

  private boolean measuring() {
    return nowMicros.getAsLong() >= warmUpMicros;
  }

  private GroupStats group(String deviceId) {
    GroupStats g = groups.get(groupOfDevice.apply(deviceId));
    if (g == null) {
      throw new IllegalArgumentException("device " + deviceId + " belongs to no group of this run");
    }
    return g;
  }

  private DeviceStats device(String deviceId) {
    return devices.computeIfAbsent(deviceId, DeviceStats::new);
  }

  /**
   * A per-enabler adapter's id starts with its device's id ({@code nic-0001/enabler-0-read}); it
   * counts toward its group's per-enabler adapters. Any other id is a shared domain of its own.
   */
  private ArbiterStats.Tracker arbiter(String adapterId, String what) {
    int slash = adapterId.indexOf('/');
    String key;
    String kind;
    String name;
    if (slash > 0) {
      name = groupOfDevice.apply(adapterId.substring(0, slash));
      key = "per-enabler " + name;
      kind = "per-enabler";
    } else {
      name = adapterId;
      key = "domain " + adapterId;
      kind = "shared";
    }
    return arbiters.computeIfAbsent(key, k -> new ArbiterStats(k, kind, name)).tracker(what + " " + adapterId, what);
  }

  /**
   * Each group's requests so far, warm-up included, without closing an interval: what a cluster
   * node reports while it runs, so that the run can still account for its requests if the node is
   * lost. The ends are read before the submissions, so no group shows more ended than submitted.
   */
  public List<RequestCounts> requestCounts() {
    List<RequestCounts> out = new ArrayList<>(groups.size());
    for (GroupStats g : groups.values()) {
      long completed = g.completed.sum();
      long failed = g.failed.sum();
      long cancelled = g.cancelled.sum();
      long aborted = 0;
      for (LongAdder n : g.aborted.values()) {
        aborted += n.sum();
      }
      out.add(new RequestCounts(g.name, Math.max(g.submitted.sum(), completed + failed + cancelled + aborted), completed,
          failed, cancelled));
    }
    return out;
  }

  /** One group's requests so far ({@link #requestCounts()}); the aborted ones are in {@link #faultTally()}. */
  public record RequestCounts(String group, long submitted, long completed, long failed, long cancelled) {}

  /** Requests that ended so far, warm-up included: the run's progress. */
  public long ended() {
    return ended.sum();
  }

  // ---- Reading ---------------------------------------------------------------------------------

  /** One group's numbers over one interval (or the whole measured run). */
  public record GroupWindow(
      String group,
      long submitted,
      long completed,
      long failed,
      long cancelled,
      long measuredCompleted,
      long measuredBytes,
      Map<Metric, Histogram> histograms) {

    /**
     * The same window without its histograms, which the interval logs hold: what a run keeps in
     * memory per interval for its report (a few dozen bytes instead of tens of kilobytes), with the
     * p99 latency it plots.
     */
    public GroupWindow compact() {
      Histogram latency = histograms.get(Metric.LATENCY);
      Histogram p99 = new Histogram(1);
      if (latency != null && latency.getTotalCount() > 0) {
        p99.recordValue(latency.getValueAtPercentile(99));
      }
      return new GroupWindow(
          group, submitted, completed, failed, cancelled, measuredCompleted, measuredBytes, Map.of(Metric.LATENCY, p99));
    }
  }

  /** One arbiter's occupancy over one interval (or the whole run). */
  public record ArbiterWindow(String id, String kind, String name, Occupancy.Window registers, Occupancy.Window lock) {}

  /** Everything of one interval. */
  public record Interval(long startMicros, long endMicros, List<GroupWindow> groups, List<ArbiterWindow> arbiters) {

    /** Without the groups' histograms: see {@link GroupWindow#compact()}. */
    public Interval compact() {
      List<GroupWindow> small = new ArrayList<>(groups.size());
      for (GroupWindow g : groups) {
        small.add(g.compact());
      }
      return new Interval(startMicros, endMicros, small, arbiters);
    }
  }

  /** The interval since the previous sample, closed now. One reader at a time. */
  public Interval sample() {
    long now = nowMicros.getAsLong();
    List<GroupWindow> gw = new ArrayList<>();
    for (GroupStats g : groups.values()) {
      gw.add(g.sample());
    }
    List<ArbiterWindow> aw = new ArrayList<>();
    arbiters.values().stream()
        .sorted((a, b) -> a.key.compareTo(b.key))
        .forEach(a -> aw.add(a.sample(now)));
    Interval interval = new Interval(lastSampleMicros, now, gw, aw);
    lastSampleMicros = now;
    return interval;
  }

  /** What the whole run measured: call after the last {@link #sample()}. */
  public Totals totals() {
    List<GroupWindow> gw = new ArrayList<>();
    for (GroupStats g : groups.values()) {
      gw.add(g.total());
    }
    List<ArbiterWindow> aw = new ArrayList<>();
    arbiters.values().stream().sorted((a, b) -> a.key.compareTo(b.key)).forEach(a -> aw.add(a.total()));
    Map<String, DeviceTotals> perDevice = new LinkedHashMap<>();
    devices.values().stream()
        .sorted((a, b) -> a.id.compareTo(b.id))
        .forEach(d -> perDevice.put(d.id, d.totals(groupOfDevice.apply(d.id))));
    Map<String, Map<String, Long>> failures = new LinkedHashMap<>();
    for (GroupStats g : groups.values()) {
      Map<String, Long> byStatus = new LinkedHashMap<>();
      g.failures.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
          .forEach(e -> byStatus.put(e.getKey(), e.getValue().sum()));
      failures.put(g.name, byStatus);
    }
    return new Totals(
        gw, aw, perDevice, failures, longest.snapshot(), leakReports.sum(), registersLeaked.sum(), faultTally());
  }

  /**
   * One device: its measured share and a digest of the requests it was given.
   *
   * @param activeMicros modeled time from its first measured arrival to its last measured
   *     completion: its throughput is measured over the time it had work, so that devices that all
   *     run a fixed request count are told apart by how fast they did it
   */
  public record DeviceTotals(
      String group, long ended, long measuredCompleted, long measuredBytes, long activeMicros, String workloadDigest) {

    /** Completed requests per second of the device's active time. */
    public double transactionsPerSecond() {
      return activeMicros <= 0 ? 0 : measuredCompleted * 1e6 / activeMicros;
    }

    public double bytesPerSecond() {
      return activeMicros <= 0 ? 0 : measuredBytes * 1e6 / activeMicros;
    }
  }

  /** The longest single wait of the run: starvation shows here. */
  public record Wait(long micros, String deviceId, String what, String arbiterId) {}

  public record Totals(
      List<GroupWindow> groups,
      List<ArbiterWindow> arbiters,
      Map<String, DeviceTotals> devices,
      Map<String, Map<String, Long>> failuresByGroup,
      Wait longestWait,
      long leakReports,
      long registersLeaked,
      FaultTally faults) {

    public Totals {
      faults = faults == null ? FaultTally.NONE : faults;
    }

    /** Totals of a run without faults. */
    public Totals(
        List<GroupWindow> groups,
        List<ArbiterWindow> arbiters,
        Map<String, DeviceTotals> devices,
        Map<String, Map<String, Long>> failuresByGroup,
        Wait longestWait,
        long leakReports,
        long registersLeaked) {
      this(groups, arbiters, devices, failuresByGroup, longestWait, leakReports, registersLeaked, FaultTally.NONE);
    }
  }

  // ---- State ------------------------------------------------------------------------------------

  private static final class GroupStats {
    final String name;
    final LongAdder submitted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder measuredCompleted = new LongAdder();
    final LongAdder measuredBytes = new LongAdder();
    final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
    /** Requests aborted, by the fault id that ended them. */
    final ConcurrentHashMap<String, LongAdder> aborted = new ConcurrentHashMap<>();
    final Map<Metric, Recorder> recorders = new LinkedHashMap<>();
    final Map<Metric, Histogram> totals = new LinkedHashMap<>();
    // What the previous sample saw, to report differences.
    long[] seen = new long[6];

    GroupStats(String name) {
      this.name = name;
      for (Metric m : Metric.values()) {
        recorders.put(m, new Recorder(DIGITS));
        totals.put(m, new Histogram(DIGITS));
      }
    }

    GroupWindow sample() {
      long[] now = {
        submitted.sum(), completed.sum(), failed.sum(), cancelled.sum(), measuredCompleted.sum(), measuredBytes.sum()
      };
      Map<Metric, Histogram> interval = new LinkedHashMap<>();
      for (Metric m : Metric.values()) {
        Histogram h = recorders.get(m).getIntervalHistogram();
        totals.get(m).add(h);
        interval.put(m, h);
      }
      GroupWindow w = new GroupWindow(
          name, now[0] - seen[0], now[1] - seen[1], now[2] - seen[2], now[3] - seen[3], now[4] - seen[4], now[5] - seen[5],
          interval);
      seen = now;
      return w;
    }

    GroupWindow total() {
      Map<Metric, Histogram> copies = new LinkedHashMap<>();
      totals.forEach((m, h) -> copies.put(m, h.copy()));
      return new GroupWindow(
          name, submitted.sum(), completed.sum(), failed.sum(), cancelled.sum(), measuredCompleted.sum(),
          measuredBytes.sum(), copies);
    }
  }

  private static final class DeviceStats {
    final String id;
    final AtomicLong ended = new AtomicLong();
    private long measuredCompleted;
    private long measuredBytes;
    /** Device I/O time (µs after its I/O start) of the first measured arrival and the last measured end. */
    private long firstArrival = Long.MAX_VALUE;
    private long lastEnd;
    // Reports of one device come from its one driver actor, in sequence order.
    private long digest = 1125899906842597L;

    DeviceStats(String id) {
      this.id = id;
    }

    synchronized void digest(long sequence, DmaDirection direction, long bytes) {
      digest = 31 * (31 * (31 * digest + sequence) + direction.ordinal()) + bytes;
    }

    synchronized void measured(RequestEnd end, long bytes, long warmUpMicros) {
      measuredCompleted++;
      measuredBytes += bytes;
      firstArrival = Math.min(firstArrival, Math.max(end.arrivalMicros(), warmUpMicros));
      lastEnd = Math.max(lastEnd, end.arrivalMicros() + end.latencyMicros());
    }

    synchronized DeviceTotals totals(String group) {
      long active = measuredCompleted == 0 ? 0 : Math.max(1, lastEnd - firstArrival);
      return new DeviceTotals(group, ended.get(), measuredCompleted, measuredBytes, active, Long.toHexString(digest));
    }
  }

  /**
   * One arbiter entity of the report: registers and lock of a shared domain, or the sum over a
   * group's per-enabler adapters (each reports absolute values; the tracker adds differences).
   */
  private static final class ArbiterStats {
    final String key;
    final String kind;
    final String name;
    final Occupancy registers = new Occupancy();
    final Occupancy lock = new Occupancy();
    final ConcurrentHashMap<String, Tracker> sources = new ConcurrentHashMap<>();

    ArbiterStats(String key, String kind, String name) {
      this.key = key;
      this.kind = kind;
      this.name = name;
    }

    /** {@code what}: "registers", or "lock" for an adapter lock or a bus (one unit, held or not). */
    Tracker tracker(String source, String what) {
      return sources.computeIfAbsent(source, s -> new Tracker(what.equals("registers") ? registers : lock));
    }

    ArbiterWindow sample(long now) {
      return new ArbiterWindow(key, kind, name, registers.sample(now), lock.sample(now));
    }

    ArbiterWindow total() {
      return new ArbiterWindow(key, kind, name, registers.total(), lock.total());
    }

    /** The last absolute values one source reported, turned into differences for the shared tracker. */
    static final class Tracker {
      final Occupancy target;
      long inUse;
      long capacity;
      long waiting;

      Tracker(Occupancy target) {
        this.target = target;
      }

      synchronized void set(long newInUse, long newCapacity, long newWaiting, long atMicros) {
        target.change(newInUse - inUse, newCapacity - capacity, newWaiting - waiting, atMicros);
        inUse = newInUse;
        capacity = newCapacity;
        waiting = newWaiting;
      }
    }
  }

  private static final class LongestWait {
    private Wait longest;

    synchronized void offer(long micros, String deviceId, Metric metric, String arbiterId) {
      if (longest == null || micros > longest.micros()) {
        longest = new Wait(micros, deviceId, metric.fileName, arbiterId);
      }
    }

    synchronized Wait snapshot() {
      return longest;
    }
  }
}
