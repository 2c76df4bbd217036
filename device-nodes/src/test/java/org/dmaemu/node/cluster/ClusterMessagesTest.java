package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.dmaemu.driver.IoObserver;
import java.util.Set;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.node.metrics.FaultTally;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.run.DeviceOutcome;
import org.dmaemu.node.run.DeviceScript;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.run.RunTally;
import org.dmaemu.node.run.ScriptStep;
import org.dmaemu.node.trace.TraceWriter;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.protocol.trace.TraceEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN §4: every message of a cluster run that crosses nodes round-trips through jackson-cbor. */
class ClusterMessagesTest {

  private static ActorTestKit kit;
  private static SerializationTestKit serialization;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(
        "ClusterMessagesTest", ConfigFactory.parseString("akka.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    serialization = new SerializationTestKit(kit.system());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static <T> ActorRef<T> ref(Class<T> type) {
    return kit.<T>createTestProbe(type).ref();
  }

  static DeviceOutcome outcome(String id, PnpOutcome o) {
    return new DeviceOutcome(id, ScriptStep.START, o, o == PnpOutcome.FAILED ? CallbackKind.EVT_DEVICE_D0_ENTRY : null,
        -1, o == PnpOutcome.FAILED ? NtStatus.STATUS_UNSUCCESSFUL : null, "", true, 1, 5, 42, "nic", 10, 10, 1, 4096,
        o == PnpOutcome.CRASHED ? List.of("K5") : List.of(), List.of(), 0, 0);
  }

  static RunSummary summary() {
    RunTally tally = new RunTally(3, false);
    tally.add(outcome("nic-0001", PnpOutcome.SUCCEEDED));
    tally.add(outcome("nic-0002", PnpOutcome.FAILED));
    tally.add(outcome("disk-0001", PnpOutcome.CRASHED));
    return tally.summary(7, 1, false, Duration.ofMillis(1234), RunMetrics.summarize(RunMetrics.Totals.none()));
  }

  @Test
  @DisplayName("the run protocol's messages: records come back equal")
  void records() {
    var domain = new ArbiterReport.DomainStarted(
        "r", "iommu", "akka://dmaemu@127.0.0.1:1", 64, ref(AdapterLockMessage.class), ref(MapRegisterMessage.class));
    var bus = new ArbiterReport.BusStarted("r", "pcie", "akka://dmaemu@127.0.0.1:1", ref(BusMessage.class));
    List<Object> messages = new ArrayList<>(List.of(
        new NodeRunner.PrepareRun("r", "run { seed = 1 }", 1_700_000_000_000_000L, 2, ref(TraceWriter.Command.class),
            ref(NodeRunner.Prepared.class)),
        new NodeRunner.PrepareRun("r", "run { seed = 1 }", 1L, 1, null, ref(NodeRunner.Prepared.class)),
        new NodeRunner.Prepared("r", "akka://dmaemu@127.0.0.1:1", null),
        new NodeRunner.Prepared("r", "akka://dmaemu@127.0.0.1:1", "no scenario"),
        new NodeRunner.UseArbiters("r", List.of(domain), List.of(bus), ref(NodeRunner.Prepared.class)),
        new NodeRunner.GetProgress("r", ref(NodeRunner.NodeProgress.class), 3),
        new NodeRunner.NodeProgress("r", "n", 17, 3, List.of("nic-0004", "disk-0002"),
            List.of(new ScenarioMetrics.RequestCounts("nic", 20, 15, 1, 1)),
            new FaultTally(Map.of("nic", Map.of("f1", 3L)), Map.of("f1", 5L), Map.of("f1", 2L))),
        new NodeRunner.InjectFault("r", liveFault(), ref(NodeRunner.FaultTaken.class)),
        new NodeRunner.FaultTaken("r", "n", "live-1", null),
        new NodeRunner.FaultTaken("r", "n", "live-1", "fault id live-1 is taken"),
        new NodeRunner.CollectMetrics("r", ref(Chunk.class)),
        new NodeRunner.EndRun("r"),
        new DeviceEntity.Start("r", ref(DeviceEntity.Report.class)),
        new DeviceEntity.Ended("r", "n", outcome("nic-0003", PnpOutcome.HUNG)),
        new DeviceEntity.NotRun("r", "nic-0003", "n", "no run"),
        new DeviceEntity.InjectEvent("r", new DeviceScript.InjectEvent(Fault.DeviceEventKind.SURPRISE_REMOVAL, "live-2", 500)),
        new ArbiterEntity.Start("r", ref(ArbiterReport.class)),
        new ArbiterEntity.Stop("r", ref(ArbiterReport.class)),
        new ArbiterEntity.Crash("r", "f-crash"),
        domain,
        bus,
        new ArbiterReport.NotStarted("r", "iommu", "n", "why"),
        new ArbiterReport.Stopped("r", "iommu"),
        new RunCoordinator.SubmitRun("r", "run { seed = 1 }", 3, ref(TraceWriter.Command.class),
            ref(RunCoordinator.ClientEvent.class)),
        new RunCoordinator.SubmitRun("r", "run { seed = 1 }", 3, null, ref(RunCoordinator.ClientEvent.class),
            List.of("akka://dmaemu@127.0.0.1:1", "akka://dmaemu@127.0.0.1:2")),
        new RunCoordinator.InjectFault("lost-interrupt:probability=0.01", ref(RunCoordinator.InjectResult.class)),
        new RunCoordinator.InjectResult(RunCoordinator.InjectResult.Outcome.INJECTED, "live-1", "message interrupts drop p=0.01",
            3, 3, List.of()),
        new RunCoordinator.NodeFaultDone("r", "crash", 1_700_000_000_000_000L, "SIGKILL to node 3", null),
        new RunCoordinator.ExecuteNodeFault("r", "pause", Fault.NodeFaultKind.PAUSE, 2, 100_000, 200_000, 4000),
        liveFault(),
        new RunCoordinator.RunRejected("r", "busy"),
        new TraceWriter.RecordBatch(2, "dmaemu node 2", List.of(
            new TraceEvent("EvtProgramDma", "X", 10, 5, "nic-0001", Map.of("status", "0x00000000")))),
        new TraceWriter.Flush(ref(TraceWriter.Flushed.class)),
        new TraceWriter.Flushed(12)));
    for (Object m : messages) {
      serialization.verifySerialization(m, true);
    }
    assertTrue(summary().crashed() == 1, "the summary below has something to carry");
  }

  static LiveFault liveFault() {
    return LiveFault.of(new Fault.MessageFault("live-1", MessagePath.INTERRUPTS, MessageAction.DELAY,
        Duration.ofMillis(2), 0.25, new DeviceSelector(Set.of("nic"), Set.of("disk-0001"), 0.5), new Window(10, 5000)));
  }

  @Test
  @DisplayName("DESIGN §10 a live fault of every injectable type travels as its flag and reads back, on a node, to the fault it was made from")
  void liveFaultRoundTrip() {
    ScenarioLoader.Loaded loaded = ScenarioLoader.fromText(ClusterRunTest.SCENARIO, Path.of("live.conf"));
    assertTrue(loaded.isValid(), loaded.problems().toString());
    Scenario scenario = loaded.scenario();
    DeviceSelector some = new DeviceSelector(Set.of("nic"), Set.of("disk-0001"), 0.5);
    List<Fault> faults = List.of(
        new Fault.MessageFault("live-1", MessagePath.INTERRUPTS, MessageAction.DELAY, Duration.ofMillis(2), 0.25, some,
            new Window(10, 5000)),
        new Fault.CallbackFault("live-2", CallbackKind.EVT_PROGRAM_DMA, NtStatus.STATUS_INSUFFICIENT_RESOURCES, 0.1, some,
            Window.ALWAYS),
        new Fault.CallbackFault("live-3", CallbackKind.EVT_INTERRUPT_DPC, null, 0.5, DeviceSelector.ALL, Window.ALWAYS),
        new Fault.DeviceEvent("live-4", Fault.DeviceEventKind.SURPRISE_REMOVAL, some, Duration.ofMillis(3)),
        new Fault.DeviceEvent("live-5", Fault.DeviceEventKind.POWER_CYCLE, DeviceSelector.ALL, Duration.ZERO),
        new Fault.ArbiterCrash("live-6", "iommu", Duration.ofMillis(1)));
    for (Fault f : faults) {
      LiveFault live = LiveFault.of(f);
      assertEquals(f.id(), live.id());
      assertEquals(f, live.read(scenario), live.flag());
    }
  }

  /** A few requests of two devices, a wait and an arbiter change. */
  static ScenarioMetrics.Totals someTotals() {
    AtomicLong now = new AtomicLong(100);
    ScenarioMetrics m = new ScenarioMetrics(List.of("nic"), id -> "nic", now::get, 0);
    for (int i = 0; i < 20; i++) {
      String device = "nic-000" + (1 + i % 2);
      m.requestSubmitted(device, i, DmaDirection.WRITE_TO_DEVICE, 4096);
      m.requestCompleted(new IoObserver.RequestEnd(
          device, i, DmaDirection.WRITE_TO_DEVICE, 4096, NtStatus.STATUS_SUCCESS, 30 + i, now.get()));
      m.adapterLockWait("iommu", device, i);
      m.mapRegistersChanged("iommu", i % 5, 64, i % 3, now.addAndGet(7));
    }
    m.sample();
    return m.totals();
  }

  @Test
  @DisplayName("a merged result with its summary, and the pieces it travels in, come back whole")
  void resultInPieces() {
    ClusterResult result = new ClusterResult(
        "r", summary(), MetricsData.Totals.of(someTotals()), List.of(),
        List.of(new ClusterResult.NodeShare("n", 1, 3, List.of("domain iommu"), 30, 30, 30, 0),
            new ClusterResult.NodeShare("m", 2, 5, List.of(), 12, 0, 0, 0, 4, 9, "crash")),
        List.of("a problem"), List.of("{ id = \"live-1\", type = lost-interrupt, probability = 0.01 }"),
        List.of(new ClusterResult.NodeFaultRecord("crash", "node-crash", 2, "m", "executed", "SIGKILL", 1L, 23_000, 23_100,
            1, 12, 4, 9)));
    List<Chunk> chunks = Chunk.split(kit.system(), "r/result", result, 256);
    assertTrue(chunks.size() > 1);
    Chunk.Assembly assembly = new Chunk.Assembly(kit.system());
    Object whole = null;
    for (Chunk c : chunks) {
      Chunk back = serialization.verifySerialization(c, false);
      assertArrayEquals(c.data(), back.data());
      assertEquals(List.of(c.transferId(), c.index(), c.count(), c.serializerId(), c.manifest()),
          List.of(back.transferId(), back.index(), back.count(), back.serializerId(), back.manifest()));
      RunCoordinator.ResultChunk wrapped = serialization.verifySerialization(new RunCoordinator.ResultChunk("r", back), false);
      whole = assembly.add(wrapped.chunk());
    }
    ClusterResult received = (ClusterResult) whole;
    assertEquals(result.summary(), received.summary());
    assertEquals(result.nodes(), received.nodes());
    assertEquals(result.problems(), received.problems());
    assertEquals(result.liveFaults(), received.liveFaults());
    assertEquals(result.nodeFaults(), received.nodeFaults());
    assertEquals(result.totals().devices(), received.totals().devices());
  }
}
