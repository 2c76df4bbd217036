package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.metrics.RunObserver;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics.ArbiterWindow;
import org.dmaemu.node.metrics.ScenarioMetrics.GroupWindow;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The merge of a cluster run's metrics: what three nodes measured, each for its own devices and the
 * arbiters that live on it, adds up to what one node measuring everything records.
 */
class MetricsMergeTest {

  private static final List<String> GROUPS = List.of("nic", "disk");
  private static final NtStatus[] STATUSES = {
    NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INSUFFICIENT_RESOURCES,
    NtStatus.STATUS_CANCELLED, NtStatus.STATUS_UNSUCCESSFUL
  };

  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(
        "MetricsMergeTest",
        com.typesafe.config.ConfigFactory.parseString("akka.actor.serialize-messages = on")
            .withFallback(com.typesafe.config.ConfigFactory.load()));
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** One run's events, recorded by one node measuring everything and by three nodes, each its share. */
  private static final class Recorded {
    final AtomicLong now = new AtomicLong();
    final ScenarioMetrics combined = metrics(now);
    final List<ScenarioMetrics> nodes = List.of(metrics(now), metrics(now), metrics(now));
    final RunMetrics combinedRun = new RunMetrics();
    final List<RunMetrics> nodeRuns = List.of(new RunMetrics(), new RunMetrics(), new RunMetrics());
    final List<ScenarioMetrics.Interval> combinedIntervals = new ArrayList<>();
    final List<List<MetricsData.Interval>> nodeIntervals = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

    static ScenarioMetrics metrics(AtomicLong now) {
      return new ScenarioMetrics(GROUPS, id -> id.substring(0, id.lastIndexOf('-')), now::get, 2_000);
    }

    /** The node of a device; the shared domain and bus live on node 2. */
    static int nodeOf(String deviceId) {
      return Math.floorMod(deviceId.hashCode(), 3);
    }

    void both(int node, java.util.function.Consumer<RunObserver> event) {
      event.accept(combined);
      event.accept(nodes.get(node));
    }

    void sample(int index) {
      combinedIntervals.add(combined.sample());
      for (int n = 0; n < 3; n++) {
        nodeIntervals.get(n).add(MetricsData.Interval.of(index, nodes.get(n).sample()));
      }
    }
  }

  private static Recorded record(long seed) {
    Recorded r = new Recorded();
    SplittableRandom random = new SplittableRandom(seed);
    long[] sequence = new long[24];
    int interval = 0;
    for (int step = 0; step < 3_000; step++) {
      r.now.addAndGet(random.nextInt(1, 20));
      int d = random.nextInt(24);
      String device = (d < 12 ? "nic-" : "disk-") + String.format("%04d", d % 12 + 1);
      int node = Recorded.nodeOf(device);
      long micros = random.nextLong(0, 50_000);
      long at = r.now.get();
      switch (random.nextInt(8)) {
        case 0 -> {
          long seq = sequence[d]++;
          DmaDirection dir = random.nextBoolean() ? DmaDirection.READ_FROM_DEVICE : DmaDirection.WRITE_TO_DEVICE;
          long bytes = random.nextInt(512, 65_536);
          r.both(node, m -> m.requestSubmitted(device, seq, dir, bytes));
        }
        case 1 -> {
          IoObserver.RequestEnd end = new IoObserver.RequestEnd(device, step, DmaDirection.READ_FROM_DEVICE,
              random.nextInt(512, 65_536), STATUSES[random.nextInt(STATUSES.length)], micros, Math.max(0, at - micros));
          r.both(node, m -> m.requestCompleted(end));
          r.combinedRun.requestCompleted(end);
          r.nodeRuns.get(node).requestCompleted(end);
        }
        case 2 -> {
          r.both(node, m -> m.adapterLockWait("iommu", device, micros));
          r.combinedRun.adapterLockWait("iommu", device, micros);
          r.nodeRuns.get(node).adapterLockWait("iommu", device, micros);
        }
        case 3 -> {
          r.both(node, m -> m.mapRegisterWait("iommu", device, 4, micros));
          r.combinedRun.mapRegisterWait("iommu", device, 4, micros);
          r.nodeRuns.get(node).mapRegisterWait("iommu", device, 4, micros);
        }
        // The bus and the shared domain report on the node they live on, whatever the device's node.
        case 4 -> r.both(2, m -> m.busWait("pcie", device, micros));
        case 5 -> {
          boolean held = random.nextBoolean();
          int waiting = random.nextInt(5);
          r.both(2, m -> m.adapterLockChanged("iommu", held, waiting, at));
          int inUse = random.nextInt(65);
          r.both(2, m -> m.mapRegistersChanged("iommu", inUse, 64, waiting, at));
        }
        case 6 -> {
          // A device's own (per-enabler) adapter reports on the device's node.
          int inUse = random.nextInt(17);
          int waiting = random.nextInt(3);
          r.both(node, m -> m.mapRegistersChanged(device + "/enabler-0", inUse, 16, waiting, at));
          boolean held = random.nextBoolean();
          r.both(node, m -> m.adapterLockChanged(device + "/enabler-0", held, waiting, at));
        }
        default -> {
          if (random.nextInt(50) == 0) {
            r.both(node, m -> m.mapRegistersLeaked(device + "/enabler-0", 3));
          }
          r.both(node, m -> m.programToInterrupt(device, micros));
        }
      }
      if (step % 400 == 399) {
        r.sample(interval++);
      }
    }
    r.sample(interval);
    return r;
  }

  @Test
  @DisplayName("three nodes' totals merge into one node's: counters add, histograms add, devices and arbiters join")
  void totalsMerge() {
    Recorded r = record(42);
    ScenarioMetrics.Totals expected = r.combined.totals();
    List<ScenarioMetrics.Totals> perNode = new ArrayList<>();
    for (ScenarioMetrics m : r.nodes) {
      // Through the wire form, as the nodes hand them in.
      perNode.add(MetricsData.Totals.of(m.totals()).decoded());
    }
    ScenarioMetrics.Totals merged = MetricsMerge.totals(perNode);
    assertSameGroups(expected.groups(), merged.groups());
    assertSameArbiters(expected.arbiters(), merged.arbiters());
    assertEquals(expected.devices(), merged.devices());
    assertEquals(List.copyOf(expected.devices().keySet()), List.copyOf(merged.devices().keySet()), "devices by id");
    assertEquals(expected.failuresByGroup(), merged.failuresByGroup());
    assertEquals(expected.longestWait(), merged.longestWait());
    assertEquals(expected.leakReports(), merged.leakReports());
    assertEquals(expected.registersLeaked(), merged.registersLeaked());
    assertTrue(expected.leakReports() > 0 && expected.devices().size() == 24, "the test records something of everything");
  }

  @Test
  @DisplayName("three nodes' intervals merge by number into one node's intervals")
  void intervalsMerge() {
    Recorded r = record(7);
    List<ScenarioMetrics.Interval> merged =
        MetricsMerge.intervals(r.nodeIntervals).stream().map(MetricsData.Interval::decoded).toList();
    assertEquals(r.combinedIntervals.size(), merged.size());
    for (int i = 0; i < merged.size(); i++) {
      ScenarioMetrics.Interval e = r.combinedIntervals.get(i);
      ScenarioMetrics.Interval m = merged.get(i);
      assertEquals(e.startMicros(), m.startMicros());
      assertEquals(e.endMicros(), m.endMicros());
      assertSameGroups(e.groups(), m.groups());
      assertSameArbiters(e.arbiters(), m.arbiters());
    }
  }

  @Test
  @DisplayName("the summary's request metrics: three nodes' RunMetrics add up to one's")
  void runMetricsMerge() {
    Recorded r = record(3);
    RunMetrics.Totals sum = RunMetrics.Totals.none();
    for (RunMetrics m : r.nodeRuns) {
      sum = sum.plus(MetricsData.Run.of(m.totals()).decoded());
    }
    assertEquals(r.combinedRun.snapshot(), RunMetrics.summarize(sum));
    assertTrue(sum.failuresByStatus().size() >= 2);
  }

  @Test
  @DisplayName("a node's metrics survive CBOR in 2 KiB pieces: chunked, reassembled, decoded, equal")
  void nodeMetricsRoundTrip() {
    Recorded r = record(5);
    ScenarioMetrics.Totals totals = r.nodes.get(2).totals();
    NodeMetrics sent = new NodeMetrics("run-1", "akka://dmaemu@127.0.0.1:2552", 3, r.nodes.get(2).ended(),
        MetricsData.Totals.of(totals), r.nodeIntervals.get(2), MetricsData.Run.of(r.nodeRuns.get(2).totals()), null);
    List<Chunk> chunks = Chunk.split(kit.system(), "t", sent, 2048);
    assertTrue(chunks.size() > 3, "a node's metrics take several pieces: " + chunks.size());
    Chunk.Assembly assembly = new Chunk.Assembly(kit.system());
    Object whole = null;
    // Pieces of another transfer in between do not disturb it.
    List<Chunk> other = Chunk.split(kit.system(), "u", sent, 4096);
    for (int i = chunks.size() - 1; i >= 0; i--) {
      whole = assembly.add(chunks.get(i));
      if (i > 0) {
        assertEquals(null, whole);
      }
      if (i == 1) {
        assembly.add(other.get(0));
      }
    }
    NodeMetrics received = (NodeMetrics) whole;
    assertEquals(sent.runId(), received.runId());
    assertEquals(sent.node(), received.node());
    assertEquals(sent.ended(), received.ended());
    ScenarioMetrics.Totals back = received.totals().decoded();
    assertSameGroups(totals.groups(), back.groups());
    assertSameArbiters(totals.arbiters(), back.arbiters());
    assertEquals(totals.devices(), back.devices());
    assertEquals(totals.failuresByGroup(), back.failuresByGroup());
    assertEquals(totals.longestWait(), back.longestWait());
    assertEquals(sent.intervals().size(), received.intervals().size());
    for (int i = 0; i < sent.intervals().size(); i++) {
      assertEquals(sent.intervals().get(i).index(), received.intervals().get(i).index());
      assertSameGroups(sent.intervals().get(i).decoded().groups(), received.intervals().get(i).decoded().groups());
    }
    assertEquals(RunMetrics.summarize(sent.run().decoded()), RunMetrics.summarize(received.run().decoded()));
  }

  static void assertSameGroups(List<GroupWindow> expected, List<GroupWindow> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      GroupWindow e = expected.get(i);
      GroupWindow a = actual.get(i);
      assertEquals(e.group(), a.group());
      assertEquals(List.of(e.submitted(), e.completed(), e.failed(), e.cancelled(), e.measuredCompleted(), e.measuredBytes()),
          List.of(a.submitted(), a.completed(), a.failed(), a.cancelled(), a.measuredCompleted(), a.measuredBytes()),
          e.group());
      for (Map.Entry<ScenarioMetrics.Metric, Histogram> h : e.histograms().entrySet()) {
        assertSameDistribution(h.getValue(), a.histograms().get(h.getKey()), e.group() + " " + h.getKey());
      }
    }
  }

  /** Integrals exactly; the peak queue depth of per-enabler adapters is an upper bound (the nodes' peaks added). */
  static void assertSameArbiters(List<ArbiterWindow> expected, List<ArbiterWindow> actual) {
    assertEquals(expected.stream().map(ArbiterWindow::id).toList(), actual.stream().map(ArbiterWindow::id).toList());
    for (int i = 0; i < expected.size(); i++) {
      ArbiterWindow e = expected.get(i);
      ArbiterWindow a = actual.get(i);
      for (var pair : List.of(List.of(e.registers(), a.registers()), List.of(e.lock(), a.lock()))) {
        assertEquals(pair.get(0).inUseIntegral(), pair.get(1).inUseIntegral(), 1e-6, e.id());
        assertEquals(pair.get(0).capacityIntegral(), pair.get(1).capacityIntegral(), 1e-6, e.id());
        assertEquals(pair.get(0).waitingIntegral(), pair.get(1).waitingIntegral(), 1e-6, e.id());
        assertEquals(pair.get(0).micros(), pair.get(1).micros(), e.id());
        if (e.kind().equals("per-enabler")) {
          assertTrue(pair.get(1).maxWaiting() >= pair.get(0).maxWaiting(), e.id());
        } else {
          assertEquals(pair.get(0).maxWaiting(), pair.get(1).maxWaiting(), e.id());
        }
      }
    }
  }

  /** Bucket by bucket: the same values with the same counts. */
  static void assertSameDistribution(Histogram expected, Histogram actual, String what) {
    assertEquals(expected.getTotalCount(), actual.getTotalCount(), what);
    assertEquals(buckets(expected), buckets(actual), what);
  }

  private static List<List<Long>> buckets(Histogram h) {
    List<List<Long>> out = new ArrayList<>();
    for (HistogramIterationValue v : h.recordedValues()) {
      out.add(List.of(v.getValueIteratedTo(), v.getCountAtValueIteratedTo()));
    }
    return out;
  }
}
