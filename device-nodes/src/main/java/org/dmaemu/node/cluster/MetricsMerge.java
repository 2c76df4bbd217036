package org.dmaemu.node.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.dmaemu.node.metrics.Occupancy;
import org.dmaemu.node.metrics.FaultTally;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics.ArbiterWindow;
import org.dmaemu.node.metrics.ScenarioMetrics.DeviceTotals;
import org.dmaemu.node.metrics.ScenarioMetrics.GroupWindow;
import org.dmaemu.node.metrics.ScenarioMetrics.Metric;

/**
 * Adds the metrics of a cluster run's nodes up into what one node would have measured: counters
 * add, histograms add (HdrHistogram {@code add}), occupancy integrals add. Every node measures the
 * devices and arbiters that live on it, so a device's totals come from one node; a shared adapter
 * domain's or bus's occupancy likewise. A group's per-enabler adapters are spread over the nodes of
 * its devices: their integrals add exactly, but the greatest queue depth is the sum of each node's
 * greatest — an upper bound, as the nodes' peaks need not coincide.
 */
public final class MetricsMerge {
  private MetricsMerge() {}

  /** The run's totals from every node's. */
  public static ScenarioMetrics.Totals totals(List<ScenarioMetrics.Totals> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no node's metrics to merge");
    }
    Map<String, DeviceTotals> devices = new TreeMap<>();
    Map<String, Map<String, Long>> failures = new LinkedHashMap<>();
    ScenarioMetrics.Wait longest = null;
    long leakReports = 0;
    long registersLeaked = 0;
    FaultTally faults = FaultTally.NONE;
    List<List<GroupWindow>> groups = new ArrayList<>();
    List<List<ArbiterWindow>> arbiters = new ArrayList<>();
    for (ScenarioMetrics.Totals t : nodes) {
      groups.add(t.groups());
      arbiters.add(t.arbiters());
      t.devices().forEach((id, d) -> {
        if (devices.putIfAbsent(id, d) != null) {
          throw new IllegalArgumentException("device " + id + " was measured on two nodes");
        }
      });
      t.failuresByGroup().forEach((group, byStatus) -> {
        Map<String, Long> into = failures.computeIfAbsent(group, g -> new HashMap<>());
        byStatus.forEach((status, n) -> into.merge(status, n, Long::sum));
      });
      if (t.longestWait() != null && (longest == null || t.longestWait().micros() > longest.micros())) {
        longest = t.longestWait();
      }
      leakReports += t.leakReports();
      registersLeaked += t.registersLeaked();
      faults = faults.plus(t.faults());
    }
    Map<String, Map<String, Long>> sortedFailures = new LinkedHashMap<>();
    failures.forEach((group, byStatus) -> {
      Map<String, Long> sorted = new LinkedHashMap<>();
      byStatus.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(e -> sorted.put(e.getKey(), e.getValue()));
      sortedFailures.put(group, sorted);
    });
    return new ScenarioMetrics.Totals(
        groups(groups), arbiters(arbiters), new LinkedHashMap<>(devices), sortedFailures, longest, leakReports,
        registersLeaked, faults);
  }

  /**
   * The run's intervals from every node's, by index: interval {@code i} of the run adds up interval
   * {@code i} of every node that has one; it spans from the earliest start to the latest end among them.
   * Indexes no node has are left out, and the result is numbered from 0. Each merged interval is
   * encoded again before the next is decoded: a long run of many groups has tens of thousands of
   * interval histograms, too many to hold decoded at once.
   */
  public static List<MetricsData.Interval> intervals(List<List<MetricsData.Interval>> nodes) {
    TreeMap<Integer, List<MetricsData.Interval>> byIndex = new TreeMap<>();
    for (List<MetricsData.Interval> node : nodes) {
      for (MetricsData.Interval i : node) {
        byIndex.computeIfAbsent(i.index(), k -> new ArrayList<>()).add(i);
      }
    }
    List<MetricsData.Interval> out = new ArrayList<>(byIndex.size());
    for (List<MetricsData.Interval> same : byIndex.values()) {
      long start = Long.MAX_VALUE;
      long end = Long.MIN_VALUE;
      List<List<GroupWindow>> groups = new ArrayList<>();
      List<List<ArbiterWindow>> arbiters = new ArrayList<>();
      for (MetricsData.Interval i : same) {
        ScenarioMetrics.Interval d = i.decoded();
        start = Math.min(start, d.startMicros());
        end = Math.max(end, d.endMicros());
        groups.add(d.groups());
        arbiters.add(d.arbiters());
      }
      out.add(MetricsData.Interval.of(out.size(), new ScenarioMetrics.Interval(start, end, groups(groups), arbiters(arbiters))));
    }
    return out;
  }

  /** Groups by name, in the order the first node lists them (every node has every group of the scenario). */
  static List<GroupWindow> groups(List<List<GroupWindow>> nodes) {
    Map<String, List<GroupWindow>> byName = new LinkedHashMap<>();
    for (List<GroupWindow> node : nodes) {
      for (GroupWindow g : node) {
        byName.computeIfAbsent(g.group(), k -> new ArrayList<>()).add(g);
      }
    }
    List<GroupWindow> out = new ArrayList<>(byName.size());
    byName.forEach((name, windows) -> out.add(group(name, windows)));
    return out;
  }

  static GroupWindow group(String name, List<GroupWindow> windows) {
    long submitted = 0;
    long completed = 0;
    long failed = 0;
    long cancelled = 0;
    long measuredCompleted = 0;
    long measuredBytes = 0;
    Map<Metric, Histogram> histograms = new LinkedHashMap<>();
    for (Metric m : Metric.values()) {
      histograms.put(m, new Histogram(3));
    }
    for (GroupWindow g : windows) {
      submitted += g.submitted();
      completed += g.completed();
      failed += g.failed();
      cancelled += g.cancelled();
      measuredCompleted += g.measuredCompleted();
      measuredBytes += g.measuredBytes();
      g.histograms().forEach((m, h) -> histograms.get(m).add(h));
    }
    return new GroupWindow(name, submitted, completed, failed, cancelled, measuredCompleted, measuredBytes, histograms);
  }

  /** Arbiters by id, sorted by id as a node sorts them. */
  static List<ArbiterWindow> arbiters(List<List<ArbiterWindow>> nodes) {
    Map<String, ArbiterWindow> byId = new TreeMap<>();
    for (List<ArbiterWindow> node : nodes) {
      for (ArbiterWindow a : node) {
        byId.merge(a.id(), a, (x, y) ->
            new ArbiterWindow(x.id(), x.kind(), x.name(), add(x.registers(), y.registers()), add(x.lock(), y.lock())));
      }
    }
    return new ArrayList<>(byId.values());
  }

  static Occupancy.Window add(Occupancy.Window a, Occupancy.Window b) {
    return new Occupancy.Window(
        a.inUseIntegral() + b.inUseIntegral(),
        a.capacityIntegral() + b.capacityIntegral(),
        a.waitingIntegral() + b.waitingIntegral(),
        Math.max(a.micros(), b.micros()),
        a.maxWaiting() + b.maxWaiting());
  }
}
