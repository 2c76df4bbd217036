package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterHolding;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.AdapterReply.ReportAdapterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.RegistersHeld;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.MapRegisterReply.ReportMapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.protocol.hardware.BusSnapshot;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §9, §10: a cluster run's adapter-domain entity crashes its lock and map-register pool
 * (reference §4.3, §4.5) on {@link ArbiterEntity.Crash}; they rebuild from their requesters on the
 * entity's node, at the same addresses. The entity is spawned as sharding would, without a cluster.
 */
class ArbiterEntityCrashTest {

  private static final Path SCENARIOS = Path.of("..", "scenarios");
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(
        "ArbiterEntityCrashTest",
        ConfigFactory.parseString("akka.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** A trace sink that keeps every event. */
  static final class Events implements TraceSink {
    final ConcurrentLinkedQueue<TraceEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void record(TraceEvent event) {
      events.add(event);
    }

    List<String> names() {
      return events.stream().map(TraceEvent::name).toList();
    }
  }

  static Events register(String runId, String scenarioFile) {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(SCENARIOS.resolve(scenarioFile), Map.of());
    assertTrue(loaded.isValid(), loaded.problems().toString());
    Scenario scenario = loaded.scenario();
    Events trace = new Events();
    LocalRuns.get(kit.system()).put(new NodeRun(runId, "node-a", 1, scenario,
        ScenarioWorkload.metricsOn(scenario, NodeClock.get(kit.system())), new RunMetrics(), trace, null, new StartedDevices()));
    return trace;
  }

  @Test
  @DisplayName("DESIGN §10: Crash fails the domain's arbiters, which ask their requesters and keep the holder and its registers")
  void crashRebuildsDomain() {
    Events trace = register("run-crash", "map-register-starvation.conf");
    ActorRef<ArbiterEntity.Command> entity =
        kit.spawn(ArbiterEntity.create(ArbiterEntity.Kind.ADAPTER_DOMAIN, "iommu"), "iommu-crash");
    TestProbe<ArbiterReport> coordinator = kit.createTestProbe();
    entity.tell(new ArbiterEntity.Start("run-crash", coordinator.getRef()));
    ArbiterReport.DomainStarted started =
        assertInstanceOf(ArbiterReport.DomainStarted.class, coordinator.receiveMessage());

    TestProbe<AdapterReply> tx = kit.createTestProbe();
    TestProbe<MapRegisterReply> txRegisters = kit.createTestProbe();
    Requester who = Requester.ofDevice("small-0001");
    started.lock().tell(new AcquireAdapter(1, false, who, tx.getRef()));
    tx.expectMessage(new AdapterGranted("iommu", 1));
    started.registers().tell(new AllocateMapRegisters(2, 5, false, false, who, txRegisters.getRef()));
    txRegisters.expectMessage(new MapRegistersGranted("iommu", 2, 5, 0));

    // Another run's crash, or one for a later time, does nothing now.
    entity.tell(new ArbiterEntity.Crash("another-run", "f-other"));
    tx.expectNoMessage(Duration.ofMillis(100));

    entity.tell(new ArbiterEntity.Crash("run-crash", "f-entity"));
    ReportAdapterHolding lockQuestion = tx.expectMessageClass(ReportAdapterHolding.class);
    ReportMapRegisterHolding poolQuestion = txRegisters.expectMessageClass(ReportMapRegisterHolding.class);
    lockQuestion.replyTo().tell(new AdapterHolding(lockQuestion.rebuild(), tx.getRef(), who, List.of(1L), List.of()));
    poolQuestion.replyTo().tell(new MapRegisterHolding(
        poolQuestion.rebuild(), txRegisters.getRef(), who, List.of(new RegistersHeld(2, 5, 0, false)), List.of()));

    TestProbe<AdapterLockSnapshot> lockState = kit.createTestProbe();
    started.lock().tell(new AdapterLockMessage.GetAdapterLockState(lockState.getRef()));
    assertTrue(lockState.receiveMessage().holder().endsWith("request 1"));
    TestProbe<MapRegisterSnapshot> poolState = kit.createTestProbe();
    started.registers().tell(new MapRegisterMessage.GetMapRegisterState(poolState.getRef()));
    assertEquals(5, poolState.receiveMessage().held());
    lockState.awaitAssert(() -> {
      assertEquals(2, trace.names().stream().filter("ArbiterRebuild"::equals).count(), trace.names().toString());
      return null;
    });

    // The entity still stops its (restarted) arbiters on Stop.
    entity.tell(new ArbiterEntity.Stop("run-crash", coordinator.getRef()));
    coordinator.expectMessage(new ArbiterReport.Stopped("run-crash", "iommu"));
  }

  @Test
  @DisplayName("DESIGN §10: a bus entity ignores Crash (a bus holds no grants to rebuild): logged, the bus serves on")
  void busIgnoresCrash() {
    Events trace = register("run-bus", "shared-system-dma.conf");
    ActorRef<ArbiterEntity.Command> entity =
        kit.spawn(ArbiterEntity.create(ArbiterEntity.Kind.BUS, "soc-bus"), "soc-bus-crash");
    TestProbe<ArbiterReport> coordinator = kit.createTestProbe();
    entity.tell(new ArbiterEntity.Start("run-bus", coordinator.getRef()));
    ArbiterReport.BusStarted started = assertInstanceOf(ArbiterReport.BusStarted.class, coordinator.receiveMessage());
    LoggingTestKit.warn("is not a running adapter domain").expect(kit.system(), () -> {
      entity.tell(new ArbiterEntity.Crash("run-bus", "f-bus"));
      return null;
    });
    TestProbe<BusSnapshot> bus = kit.createTestProbe();
    started.bus().tell(new BusMessage.GetBusState(bus.getRef()));
    assertEquals("soc-bus", bus.receiveMessage().busId());
    assertTrue(trace.names().isEmpty(), trace.names().toString());
    entity.tell(new ArbiterEntity.Stop("run-bus", coordinator.getRef()));
    coordinator.expectMessage(new ArbiterReport.Stopped("run-bus", "soc-bus"));
  }
}
