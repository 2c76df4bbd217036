package org.dmaemu.node.cluster;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.metrics.FaultTally;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics.ArbiterWindow;
import org.dmaemu.node.metrics.ScenarioMetrics.DeviceTotals;
import org.dmaemu.node.metrics.ScenarioMetrics.Metric;
import org.dmaemu.protocol.NtStatus;

/**
 * A node's metrics in the form that crosses the network: the records of {@link ScenarioMetrics}
 * and {@link RunMetrics} with every HdrHistogram as its compressed encoding (what the {@code .hlog}
 * files hold too), so that the receiver adds them up exactly. Serialized as part of a CBOR message.
 */
public final class MetricsData {
  private MetricsData() {}

  /** {@link ScenarioMetrics.GroupWindow} with encoded histograms. */
  public record Group(
      String group,
      long submitted,
      long completed,
      long failed,
      long cancelled,
      long measuredCompleted,
      long measuredBytes,
      Map<Metric, byte[]> histograms) {

    public Group {
      histograms = Map.copyOf(histograms);
    }

    static Group of(ScenarioMetrics.GroupWindow g) {
      Map<Metric, byte[]> h = new EnumMap<>(Metric.class);
      g.histograms().forEach((m, histogram) -> h.put(m, encode(histogram)));
      return new Group(g.group(), g.submitted(), g.completed(), g.failed(), g.cancelled(), g.measuredCompleted(),
          g.measuredBytes(), h);
    }

    ScenarioMetrics.GroupWindow decoded() {
      Map<Metric, Histogram> h = new LinkedHashMap<>();
      for (Metric m : Metric.values()) {
        byte[] bytes = histograms.get(m);
        h.put(m, bytes == null ? new Histogram(3) : decode(bytes));
      }
      return new ScenarioMetrics.GroupWindow(
          group, submitted, completed, failed, cancelled, measuredCompleted, measuredBytes, h);
    }
  }

  /** {@link ScenarioMetrics.Totals} with encoded histograms. */
  public record Totals(
      List<Group> groups,
      List<ArbiterWindow> arbiters,
      Map<String, DeviceTotals> devices,
      Map<String, Map<String, Long>> failuresByGroup,
      ScenarioMetrics.Wait longestWait,
      long leakReports,
      long registersLeaked,
      FaultTally faults) {

    public Totals {
      groups = List.copyOf(groups);
      arbiters = List.copyOf(arbiters);
      // Insertion order is the report's order (devices by id, failures most frequent first): keep it.
      devices = new LinkedHashMap<>(devices);
      failuresByGroup = new LinkedHashMap<>(failuresByGroup);
    }

    public static Totals of(ScenarioMetrics.Totals t) {
      List<Group> groups = new ArrayList<>(t.groups().size());
      t.groups().forEach(g -> groups.add(Group.of(g)));
      return new Totals(groups, t.arbiters(), t.devices(), t.failuresByGroup(), t.longestWait(), t.leakReports(),
          t.registersLeaked(), t.faults());
    }

    public ScenarioMetrics.Totals decoded() {
      List<ScenarioMetrics.GroupWindow> gw = new ArrayList<>(groups.size());
      groups.forEach(g -> gw.add(g.decoded()));
      return new ScenarioMetrics.Totals(
          gw, arbiters, devices, failuresByGroup, longestWait, leakReports, registersLeaked, faults);
    }
  }

  /**
   * One interval of one node, numbered from the run's epoch: interval {@code index} of every node
   * covers the same stretch of modeled time (up to when each node's timer fired).
   */
  public record Interval(int index, long startMicros, long endMicros, List<Group> groups, List<ArbiterWindow> arbiters) {

    public Interval {
      groups = List.copyOf(groups);
      arbiters = List.copyOf(arbiters);
    }

    public static Interval of(int index, ScenarioMetrics.Interval i) {
      List<Group> groups = new ArrayList<>(i.groups().size());
      i.groups().forEach(g -> groups.add(Group.of(g)));
      return new Interval(index, i.startMicros(), i.endMicros(), groups, i.arbiters());
    }

    public ScenarioMetrics.Interval decoded() {
      List<ScenarioMetrics.GroupWindow> gw = new ArrayList<>(groups.size());
      groups.forEach(g -> gw.add(g.decoded()));
      return new ScenarioMetrics.Interval(startMicros, endMicros, gw, arbiters);
    }
  }

  /** {@link RunMetrics.Totals} with encoded histograms. */
  public record Run(
      long completed,
      long failed,
      Map<NtStatus, Long> failuresByStatus,
      long bytes,
      long leakReports,
      long registersStillHeld,
      byte[] latency,
      byte[] lockWait,
      byte[] registerWait) {

    public Run {
      failuresByStatus = Map.copyOf(failuresByStatus);
    }

    public static Run of(RunMetrics.Totals t) {
      return new Run(t.completed(), t.failed(), t.failuresByStatus(), t.bytes(), t.leakReports(),
          t.registersStillHeld(), encode(t.latency()), encode(t.lockWait()), encode(t.registerWait()));
    }

    public RunMetrics.Totals decoded() {
      return new RunMetrics.Totals(completed, failed, failuresByStatus, bytes, leakReports, registersStillHeld,
          decode(latency), decode(lockWait), decode(registerWait));
    }
  }

  /** HdrHistogram's compressed encoding. */
  static byte[] encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    byte[] bytes = new byte[length];
    buffer.flip();
    buffer.get(bytes);
    return bytes;
  }

  static Histogram decode(byte[] bytes) {
    try {
      Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
      // Decoded histograms have the size of what they held: let the sums grow.
      h.setAutoResize(true);
      return h;
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded HdrHistogram: " + e.getMessage(), e);
    }
  }
}
