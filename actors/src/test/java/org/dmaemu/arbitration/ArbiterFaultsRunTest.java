package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSelection;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.testing.RecordingObserver;
import org.dmaemu.testing.RecordingTrace;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.workload.IoWorkload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §10 arbiter faults with real devices, transactions and arbiters: shared adapter domains
 * (DESIGN §3) and a device's own adapters crash in the middle of contended I/O, and grants are
 * dropped, duplicated or delayed on every allocation (reference §4.3 the lock, §4.5 the
 * registers). Every request still completes, no register is held or leaked at the end, and
 * nothing is freed twice.
 */
class ArbiterFaultsRunTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ArbiterFaultsRunTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** One device: its actor, its PnP replies, its finished requests. */
  static final class Node {
    final String id = "faulty-" + IDS.incrementAndGet();
    final ActorRef<DeviceMessage> device;
    final TestProbe<PnpResult> pnp = kit.createTestProbe();
    final ConcurrentLinkedQueue<NtStatus> done;

    Node(DeviceSettings settings, DmaIoDriver.Settings driver, DmaObserver observer,
        ConcurrentLinkedQueue<NtStatus> done) {
      this.done = done;
      IoObserver io = end -> done.add(end.status());
      device = kit.spawn(Device.create(id, settings, driver.model(io), TraceSink.NONE, observer), id);
      send(new PnpCommand.AddDevice(pnp.getRef()));
      send(new PnpCommand.StartDevice(pnp.getRef()));
    }

    void send(DeviceMessage command) {
      device.tell(command);
      assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome(), command.toString());
    }
  }

  static DmaIoDriver.Settings packet(int transactions, long requests, long seed) {
    return new DmaIoDriver.Settings(
        DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
        transactions, IoWorkload.closed(transactions, 4096, 65536, 0.5, requests), 0, List.of(), seed);
  }

  static AdapterDomain domain(String id, int registers, RecordingObserver observer, TraceSink trace,
      ArbiterRecovery recovery) {
    return new AdapterDomain(id, registers,
        kit.spawn(AdapterLock.create(id, ArbitrationPolicy.fifo(), observer, trace, recovery), id + "-lock"),
        kit.spawn(MapRegisterPool.create(id, registers, ArbitrationPolicy.fifo(), observer, trace, recovery),
            id + "-registers"));
  }

  static DeviceSettings inDomain(AdapterDomain domain, FaultPlan faults) {
    return DeviceSettings.defaults()
        .withHardware(HardwareSettings.defaults())
        .withArbitration(ArbitrationSettings.defaults().withSharedDomain(domain))
        .withFaults(faults);
  }

  static MapRegisterSnapshot registers(ActorRef<MapRegisterMessage> pool) {
    TestProbe<MapRegisterSnapshot> probe = kit.createTestProbe();
    pool.tell(new MapRegisterMessage.GetMapRegisterState(probe.getRef()));
    MapRegisterSnapshot snapshot = probe.receiveMessage(WAIT);
    assertEquals(snapshot.total(), snapshot.free() + snapshot.held(), snapshot.toString());
    return snapshot;
  }

  static AdapterLockSnapshot lock(ActorRef<AdapterLockMessage> lock) {
    TestProbe<AdapterLockSnapshot> probe = kit.createTestProbe();
    lock.tell(new AdapterLockMessage.GetAdapterLockState(probe.getRef()));
    return probe.receiveMessage(WAIT);
  }

  static void awaitDone(TestProbe<?> probe, ConcurrentLinkedQueue<NtStatus> done, int requests) {
    probe.awaitAssert(WAIT, () -> {
      assertEquals(requests, done.size());
      return null;
    });
    assertTrue(done.stream().allMatch(NtStatus.STATUS_SUCCESS::equals), done.toString());
  }

  /** Waits until at least {@code n} requests ended, polling often so that the run is still going. */
  static void awaitAtLeast(TestProbe<?> probe, ConcurrentLinkedQueue<NtStatus> done, int n) {
    probe.awaitAssert(WAIT, Duration.ofMillis(2), () -> {
      assertTrue(done.size() >= n, done.size() + " < " + n);
      return null;
    });
  }

  static FaultPlan grants(MessageAction action, Duration delay) {
    return new FaultPlan(List.of(new Fault.MessageFault(
        "grants-" + action.planName(), MessagePath.GRANTS, action, delay, 1.0, DeviceSelector.ALL, Window.ALWAYS)), 11L);
  }

  /** The scheduler's timers may fire up to a few ticks early: a modeled wait is checked against its floor less this. */
  private static final long TIMER_SLACK_MICROS = 5_000;

  static long micros(String report) {
    return Long.parseLong(report.substring(report.lastIndexOf(' ') + 1));
  }

  @Test
  @DisplayName("DESIGN §3, §10: a shared domain crashes three times under contended packet I/O (§4.3, §4.5): every request completes, nothing held or freed twice")
  void sharedDomainCrashesMidRun() {
    String domainId = "crash-domain-" + IDS.incrementAndGet();
    RecordingObserver domainReports = new RecordingObserver();
    RecordingTrace trace = new RecordingTrace();
    AdapterDomain domain = domain(domainId, 8, domainReports, trace, ArbiterRecovery.defaults());
    ConcurrentLinkedQueue<NtStatus> done = new ConcurrentLinkedQueue<>();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(new Node(inDomain(domain, FaultPlan.NONE), packet(2, 80, 40 + i), DmaObserver.NONE, done));
    }
    TestProbe<Object> waiter = kit.createTestProbe();
    List<Integer> doneAtCrash = new ArrayList<>();
    for (int threshold : List.of(15, 80, 160)) {
      awaitAtLeast(waiter, done, threshold);
      doneAtCrash.add(done.size());
      domain.crash("f-crash-" + threshold);
    }
    awaitDone(waiter, done, 240);
    assertTrue(doneAtCrash.get(2) < 240, "the last crash came before the run's end: " + doneAtCrash);

    MapRegisterSnapshot pool = registers(domain.registers());
    assertEquals(0, pool.held(), pool.toString());
    assertEquals(0, pool.waiting(), pool.toString());
    assertEquals(0, pool.doubleFrees(), pool.toString());
    assertEquals(0, pool.leakedRegisters(), pool.toString());
    assertEquals(null, lock(domain.lock()).holder());

    List<TraceEvent> rebuilds = trace.all().stream().filter(e -> e.name().equals("ArbiterRebuild")).toList();
    assertEquals(6, rebuilds.size(), "a rebuild per crash and arbiter");
    assertEquals(6, trace.all().stream().filter(e -> e.name().equals("ArbiterCrash")).count());
    for (TraceEvent rebuild : rebuilds) {
      assertEquals("0", rebuild.args().get("silent"), rebuild.toString());
      assertEquals(rebuild.args().get("asked"), rebuild.args().get("answered"), rebuild.toString());
    }
    // The crashes met devices holding or waiting: each is told, under the fault that touched it.
    assertTrue(domainReports.all().stream().anyMatch(r -> r.what().equals("faultInjected")),
        domainReports.all().toString());
  }

  @Test
  @DisplayName("DESIGN §10: a device's own adapter (§4.2, one per enabler) crashes during I/O and rebuilds from its transactions")
  void ownAdapterCrashesMidRun() {
    ConcurrentLinkedQueue<NtStatus> done = new ConcurrentLinkedQueue<>();
    RecordingObserver reports = new RecordingObserver();
    DeviceSettings own = DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
    Node node = new Node(own, packet(3, 120, 51), reports, done);
    TestProbe<Object> waiter = kit.createTestProbe();
    awaitAtLeast(waiter, done, 20);
    int doneAtCrash = done.size();
    // The enabler's adapters are adapter-lock and adapter-registers under enabler-0-<request ordinal>.
    ActorSelection lock = Adapter.toClassic(kit.system()).actorSelection("/user/" + node.id + "/enabler-0-*/adapter-lock");
    ActorSelection pool =
        Adapter.toClassic(kit.system()).actorSelection("/user/" + node.id + "/enabler-0-*/adapter-registers");
    lock.tell(new AdapterLockMessage.Crash("f-own"), akka.actor.ActorRef.noSender());
    pool.tell(new MapRegisterMessage.Crash("f-own"), akka.actor.ActorRef.noSender());
    awaitDone(waiter, done, 120);
    assertTrue(doneAtCrash < 120, "the crash came before the run's end");
    // The device's own observer hears of the crash (its adapters report to it).
    waiter.awaitAssert(WAIT, () -> {
      assertEquals(2, reports.all().stream().filter(r -> r.what().equals("arbiterRebuilt")).count());
      return null;
    });
    node.send(new PnpCommand.RemoveDevice(node.pnp.getRef()));
    assertTrue(reports.all().stream().noneMatch(r -> r.what().equals("mapRegistersLeaked")), reports.all().toString());
  }

  @Test
  @DisplayName("DESIGN §10 grants drop p=1 (§4.3, §4.5): every grant's first copy is lost, redelivery brings it; each wait costs a redelivery timeout, no more")
  void droppedGrants() {
    Duration redelivery = Duration.ofMillis(20);
    RecordingObserver devices = new RecordingObserver();
    RunResult r = run(grants(MessageAction.DROP, null), new ArbiterRecovery(redelivery, Duration.ofSeconds(1)), devices);
    List<String> lockWaits = devices.all().stream().filter(x -> x.what().equals("adapterLockWait"))
        .map(RecordingObserver.Report::values).toList();
    assertEquals(r.requests(), lockWaits.size());
    assertTrue(lockWaits.stream().allMatch(w -> micros(w) >= redelivery.toNanos() / 1000 - TIMER_SLACK_MICROS),
        lockWaits.toString());
    assertEquals(lockWaits.size(), countInjected(devices, "grants-drop", "grants drop adapter lock"));
    assertEquals(lockWaits.size(), countInjected(devices, "grants-drop", "grants drop map registers"));
    // Redeliveries are not new grants: one grant per allocation.
    assertEquals(r.requests(), r.pool().grants());
  }

  @Test
  @DisplayName("DESIGN §10 grants duplicate p=1 (§4.3, §4.5): every second copy is ignored — one grant per allocation, nothing freed twice")
  void duplicatedGrants() {
    RecordingObserver devices = new RecordingObserver();
    RunResult r = run(grants(MessageAction.DUPLICATE, null), ArbiterRecovery.defaults(), devices);
    assertEquals(r.requests(), r.pool().grants());
    assertEquals(r.requests(), countInjected(devices, "grants-duplicate", "grants duplicate map registers"));
  }

  @Test
  @DisplayName("DESIGN §10 grants delay p=1 (§4.3): every grant comes 20 ms late; the waits show it")
  void delayedGrants() {
    RecordingObserver devices = new RecordingObserver();
    // Redelivery well after the delay: otherwise the arbiter's second copy would come first (and be taken).
    RunResult r = run(grants(MessageAction.DELAY, Duration.ofMillis(20)),
        new ArbiterRecovery(Duration.ofMillis(500), Duration.ofSeconds(1)), devices);
    List<String> lockWaits = devices.all().stream().filter(x -> x.what().equals("adapterLockWait"))
        .map(RecordingObserver.Report::values).toList();
    assertEquals(r.requests(), lockWaits.size());
    assertTrue(lockWaits.stream().allMatch(w -> micros(w) >= 20_000 - TIMER_SLACK_MICROS), lockWaits.toString());
  }

  record RunResult(long requests, MapRegisterSnapshot pool) {}

  /** Two devices, 12 packet requests each, in a domain of 8 registers under {@code faults}; checks the end state. */
  static RunResult run(FaultPlan faults, ArbiterRecovery recovery, RecordingObserver devices) {
    String domainId = "grants-domain-" + IDS.incrementAndGet();
    AdapterDomain domain = domain(domainId, 8, new RecordingObserver(), TraceSink.NONE, recovery);
    ConcurrentLinkedQueue<NtStatus> done = new ConcurrentLinkedQueue<>();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      nodes.add(new Node(inDomain(domain, faults), packet(2, 12, 60 + i), devices, done));
    }
    TestProbe<Object> waiter = kit.createTestProbe();
    awaitDone(waiter, done, 24);
    for (Node node : nodes) {
      node.send(new PnpCommand.RemoveDevice(node.pnp.getRef()));
    }
    MapRegisterSnapshot pool = registers(domain.registers());
    assertEquals(0, pool.held(), pool.toString());
    assertEquals(0, pool.doubleFrees(), pool.toString());
    assertEquals(0, pool.leakedRegisters(), pool.toString());
    assertEquals(null, lock(domain.lock()).holder());
    return new RunResult(24, pool);
  }

  static long countInjected(RecordingObserver observer, String faultId, String what) {
    return observer.values("faultInjected", faultId).stream().filter(v -> v.contains(" " + what + " ")).count();
  }
}
