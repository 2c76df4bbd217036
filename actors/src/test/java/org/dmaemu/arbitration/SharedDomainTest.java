package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.testing.RecordingObserver;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §3 shared adapter domains: the enablers of several devices use one lock and one
 * map-register pool, whose policies decide among all of them; the domain outlives its devices.
 */
class SharedDomainTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("SharedDomainTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** One device of the test: its actor, its PnP replies, its finished requests. */
  static final class Node {
    final String id = "shared-" + IDS.incrementAndGet();
    final ActorRef<DeviceMessage> device;
    final TestProbe<PnpResult> pnp = kit.createTestProbe();
    final ConcurrentLinkedQueue<NtStatus> done = new ConcurrentLinkedQueue<>();

    Node(DeviceSettings settings, DmaIoDriver.Settings driver, DmaObserver observer) {
      IoObserver io = end -> done.add(end.status());
      device = kit.spawn(Device.create(id, settings, driver.model(io), TraceSink.NONE, observer), id);
    }

    void send(DeviceMessage command) {
      device.tell(command);
      assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome(), command.toString());
    }

    void addAndStart() {
      send(new PnpCommand.AddDevice(pnp.getRef()));
      send(new PnpCommand.StartDevice(pnp.getRef()));
    }

    void awaitDone(int requests) {
      pnp.awaitAssert(WAIT, () -> {
        assertEquals(requests, done.size());
        return null;
      });
      assertTrue(done.stream().allMatch(NtStatus.STATUS_SUCCESS::equals), done.toString());
    }

    DeviceSnapshot snapshot() {
      TestProbe<DeviceSnapshot> probe = kit.createTestProbe();
      device.tell(new GetDeviceState(probe.getRef()));
      return probe.receiveMessage(WAIT);
    }
  }

  static MapRegisterSnapshot registers(AdapterDomain domain) {
    TestProbe<MapRegisterSnapshot> probe = kit.createTestProbe();
    domain.registers().tell(new MapRegisterMessage.GetMapRegisterState(probe.getRef()));
    return probe.receiveMessage(WAIT);
  }

  static DeviceSettings inDomain(AdapterDomain domain) {
    return DeviceSettings.defaults()
        .withHardware(HardwareSettings.defaults())
        .withArbitration(ArbitrationSettings.defaults().withSharedDomain(domain));
  }

  static DmaEnablerConfig packet64k() {
    return DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3);
  }

  @Test
  @DisplayName("DESIGN §3, §4.1, §5: B waits for the registers A reserved in the shared domain; removing A lets B run")
  void devicesContendAndOutliveEachOther() {
    String domainId = "domain-" + IDS.incrementAndGet();
    RecordingObserver domainReports = new RecordingObserver();
    AdapterDomain domain =
        new AdapterDomain(
            domainId,
            8,
            kit.spawn(AdapterLock.create(domainId, ArbitrationPolicy.fifo(), domainReports), domainId + "-lock"),
            kit.spawn(
                MapRegisterPool.create(domainId, 8, ArbitrationPolicy.fifo(), domainReports), domainId + "-registers"));

    // A reserves all 8 registers of the domain and keeps them until it is removed (§5: FreeResources in cleanup).
    Node a =
        new Node(
            inDomain(domain),
            new DmaIoDriver.Settings(
            DmaIoDriver.Mode.RESERVING_PACKET, packet64k(), 1, IoWorkload.closed(1, 4096, 65536, 0.5, 3), 8, List.of(), 21),
            DmaObserver.NONE);
    a.addAndStart();
    a.awaitDone(3);
    MapRegisterSnapshot reserved = registers(domain);
    assertEquals(8, reserved.total());
    assertEquals(8, reserved.reserved());

    // B's enabler asks for 17 registers (64 KiB) and gets the domain's 8: fragments of 7 pages.
    RecordingObserver bReports = new RecordingObserver();
    Node b =
        new Node(
            inDomain(domain),
            new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, packet64k(), 2, IoWorkload.closed(2, 1, 65536, 0.5, 4), 0, List.of(), 22),
            bReports);
    b.addAndStart();
    assertEquals(8, b.snapshot().enablers().get(0).adapters().get(0).mapRegisters());
    assertEquals(7 * 4096, b.snapshot().enablers().get(0).fragmentLength(DmaDirection.READ_FROM_DEVICE));
    b.pnp.awaitAssert(WAIT, () -> {
      assertTrue(registers(domain).waiting() >= 1, "B's transaction waits for A's registers");
      return null;
    });
    assertEquals(0, b.done.size());

    a.send(new PnpCommand.RemoveDevice(a.pnp.getRef()));
    b.awaitDone(4);

    // B's waits are reported against the domain, under B's device id; the first lasted until A went.
    List<String> waits = bReports.values("mapRegisterWait", domainId);
    assertTrue(waits.stream().allMatch(w -> w.startsWith(b.id + " ")), waits.toString());
    assertTrue(waits.stream().mapToLong(w -> Long.parseLong(w.substring(w.lastIndexOf(' ') + 1))).max().orElse(0) > 0,
        waits.toString());

    b.send(new PnpCommand.RemoveDevice(b.pnp.getRef()));
    MapRegisterSnapshot after = registers(domain);
    assertEquals(0, after.held(), after.toString());
    assertEquals(0, after.waiting(), after.toString());
    assertEquals(0, after.leakedRegisters(), after.toString());
    TestProbe<AdapterLockSnapshot> lock = kit.createTestProbe();
    domain.lock().tell(new AdapterLockMessage.GetAdapterLockState(lock.getRef()));
    assertEquals(null, lock.receiveMessage(WAIT).holder(), "the domain outlives both devices, its lock free");
    assertTrue(domainReports.values("mapRegistersChanged", domainId).contains("8/8 1"),
        "the domain's pool reported B waiting behind A's 8 registers");
  }

  @Test
  @DisplayName("a device that dies holding the domain's registers: the domain reclaims them as leaked, the other runs on")
  void holderDeathInDomain() {
    String domainId = "domain-" + IDS.incrementAndGet();
    AdapterDomain domain =
        new AdapterDomain(
            domainId,
            8,
            kit.spawn(AdapterLock.create(domainId, ArbitrationPolicy.fifo(), DmaObserver.NONE), domainId + "-lock"),
            kit.spawn(
                MapRegisterPool.create(domainId, 8, ArbitrationPolicy.fifo(), DmaObserver.NONE), domainId + "-registers"));
    Node a =
        new Node(
            inDomain(domain),
            new DmaIoDriver.Settings(
            DmaIoDriver.Mode.RESERVING_PACKET, packet64k(), 1, IoWorkload.closed(1, 4096, 65536, 0.5, 2), 8, List.of(), 31),
            DmaObserver.NONE);
    a.addAndStart();
    a.awaitDone(2);
    Node b =
        new Node(
            inDomain(domain),
            new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, packet64k(), 1, IoWorkload.closed(1, 1, 65536, 0.5, 3), 0, List.of(), 32),
            DmaObserver.NONE);
    b.addAndStart();
    b.pnp.awaitAssert(WAIT, () -> {
      assertEquals(1, registers(domain).waiting());
      return null;
    });

    // As a crashed machine: the device and everything under it stop without freeing anything.
    kit.stop(a.device);
    b.awaitDone(3);
    assertEquals(8, registers(domain).leakedRegisters());
  }

  @Test
  @DisplayName("transactions ask the domain as their device: group, priority and weight from its settings")
  void requestsCarryTheDevice() {
    TestProbe<AdapterLockMessage> lock = kit.createTestProbe();
    TestProbe<MapRegisterMessage> pool = kit.createTestProbe();
    AdapterDomain probes = new AdapterDomain("probe-domain", 16, lock.getRef(), pool.getRef());
    DeviceSettings gold =
        DeviceSettings.defaults()
            .withHardware(HardwareSettings.defaults())
            .withArbitration(new ArbitrationSettings("gold", 5, 3, "fifo", "fifo", 0L, probes));
    Node node =
        new Node(gold, new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, packet64k(), 1, IoWorkload.closed(1, 1, 4096, 0.5, 1), 0, List.of(), 23),
            DmaObserver.NONE);
    node.addAndStart();
    AcquireAdapter acquire = lock.expectMessageClass(AcquireAdapter.class, WAIT);
    assertEquals(new Requester(node.id, "gold", 5, 3), acquire.requester());
  }

  record Spawned(AdapterDomain domain) implements NoSerializationVerificationNeeded {}

  @Test
  @DisplayName("AdapterDomain.spawn makes the lock and the pool as children of the run's actor")
  void spawn() {
    TestProbe<Spawned> spawned = kit.createTestProbe();
    kit.spawn(Behaviors.setup(context -> {
      spawned.getRef().tell(new Spawned(
          AdapterDomain.spawn(context, "iommu 0", 12, ArbitrationPolicy.roundRobin(), ArbitrationPolicy.weightedFair(),
              DmaObserver.NONE)));
      return Behaviors.empty();
    }), "run-" + IDS.incrementAndGet());
    AdapterDomain domain = spawned.receiveMessage(WAIT).domain();
    assertEquals("iommu 0", domain.id());
    assertEquals(12, registers(domain).total());
    assertEquals("iommu 0", registers(domain).adapterId());
    assertTrue(domain.lock().path().name().equals("adapter-domain-iommu+0-lock"), domain.lock().path().toString());
  }
}
