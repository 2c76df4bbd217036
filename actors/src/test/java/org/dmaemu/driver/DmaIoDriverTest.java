package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.testing.RecordingTrace;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The reference DMA drivers end to end: device, engine, enabler, transactions, arbiters (reference §9). */
class DmaIoDriverTest {
  private static ActorTestKit kit;
  private static final AtomicInteger IDS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("DmaIoDriverTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  record Done(String device, DmaDirection direction, long bytes, NtStatus status) {}

  /** Runs one device through Add, Start, its requests, D3, D0 and Remove; returns its requests. */
  static List<Done> run(DmaIoDriver.Settings driver, RecordingTrace trace) {
    ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    IoObserver observer = (device, dir, bytes, status, latency) -> done.add(new Done(device, dir, bytes, status));
    String id = "io-" + IDS.incrementAndGet();
    DeviceSettings settings = DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
    ActorRef<DeviceMessage> device = kit.spawn(Device.create(id, settings, driver.model(observer), trace), id);
    TestProbe<PnpResult> pnp = kit.createTestProbe();
    device.tell(new PnpCommand.AddDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());
    device.tell(new PnpCommand.StartDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());
    // Requests run while self-managed I/O runs; D0 exit waits for those in flight.
    pnp.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(driver.requests(), done.size());
      return null;
    });
    device.tell(new PnpCommand.SetDevicePower(DevicePowerState.D3, pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());
    device.tell(new PnpCommand.SetDevicePower(DevicePowerState.D0, pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());
    TestProbe<DeviceSnapshot> snapshot = kit.createTestProbe();
    device.tell(new GetDeviceState(snapshot.getRef()));
    DeviceSnapshot s = snapshot.receiveMessage();
    assertEquals(List.of(), s.bugChecks(), "the reference drivers hit no check");
    device.tell(new PnpCommand.RemoveDevice(pnp.getRef()));
    PnpResult removed = pnp.receiveMessage();
    assertEquals(DeviceState.REMOVED, removed.state());
    // Nothing was still held when the transactions went away (Driver Verifier 0xE6/0x09).
    pnp.expectNoMessage(Duration.ofMillis(100));
    device.tell(new GetDeviceState(snapshot.getRef()));
    assertEquals(List.of(), snapshot.receiveMessage().bugChecks(), "no leak at removal");
    return List.copyOf(done);
  }

  static void assertAllSucceeded(List<Done> done, long min, long max) {
    for (Done d : done) {
      assertEquals(NtStatus.STATUS_SUCCESS, d.status(), d.toString());
      assertTrue(d.bytes() >= min && d.bytes() <= max, d.toString());
    }
  }

  @Test
  @DisplayName("§9.1-9.3 PLX-style scatter-gather duplex driver: 8 KiB fragments, reads and writes, every request completes")
  void scatterGatherDuplex() {
    RecordingTrace trace = new RecordingTrace();
    DmaIoDriver.Settings plx =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SCATTER_GATHER,
            DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8192).withWdmDmaVersionOverride(3),
            2, 1, 128 * 1024, 0.5, 30, 0, List.of(), 11);
    List<Done> done = run(plx, trace);
    assertAllSucceeded(done, 1, 128 * 1024);
    assertTrue(done.stream().anyMatch(d -> d.direction() == DmaDirection.READ_FROM_DEVICE));
    assertTrue(done.stream().anyMatch(d -> d.direction() == DmaDirection.WRITE_TO_DEVICE));
    long programs = trace.all().stream().filter(e -> e.name().equals("EvtProgramDma")).count();
    long bytes = done.stream().mapToLong(Done::bytes).sum();
    assertTrue(programs >= bytes / 8192, "fragments of at most 8 KiB: " + programs + " for " + bytes + " bytes");
    assertTrue(trace.all().stream().anyMatch(e -> e.name().equals("EvtInterruptDpc")));
  }

  @Test
  @DisplayName("§4.4/§9.4 packet driver on DMA v2 with 3 transactions: STATUS_WDF_BUSY is retried and every request completes")
  void packetV2Serialized() {
    DmaIoDriver.Settings packet =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET, 65536), 3, 512, 200_000, 0.5, 30, 0,
            List.of(), 12);
    assertAllSucceeded(run(packet, new RecordingTrace()), 512, 200_000);
  }

  @Test
  @DisplayName("§4.3/§9.4 packet driver on DMA v3: transactions queue for the adapter instead of failing")
  void packetV3Queued() {
    DmaIoDriver.Settings packet =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET64, 16384).withWdmDmaVersionOverride(3),
            4, 1, 100_000, 0.3, 40, 0, List.of(), 13);
    assertAllSucceeded(run(packet, new RecordingTrace()), 1, 100_000);
  }

  @Test
  @DisplayName("§5 reserving packet driver: AllocateResources → EvtReserveDma → Initialize/Execute loop → FreeResources")
  void reservingPacket() {
    RecordingTrace trace = new RecordingTrace();
    DmaIoDriver.Settings reserving =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.RESERVING_PACKET, DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
            2, 4096, 65536, 0.5, 20, 8, List.of(), 14);
    assertAllSucceeded(run(reserving, trace), 4096, 65536);
    assertEquals(2, trace.all().stream().filter(e -> e.name().equals("EvtReserveDma")).count(),
        "one reservation per transaction, kept across requests");
  }

  @Test
  @DisplayName("§4.6/§6.3 system-profile driver: ConfigureSystemProfile in PrepareHardware, the controller's completion drives DmaCompleted")
  void systemProfile() {
    RecordingTrace trace = new RecordingTrace();
    DmaIoDriver.Settings system =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SYSTEM, DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 16384), 2, 1, 50_000, 0.5, 20, 0,
            List.of(), 15);
    assertAllSucceeded(run(system, trace), 1, 50_000);
    assertTrue(trace.all().stream().anyMatch(e -> e.name().equals("EvtDmaTransactionDmaTransferComplete")));
    // The channel is held for the whole transaction: one AdapterLockHeld span per transaction, not per fragment.
    long locks = trace.all().stream().filter(e -> e.name().equals("AdapterLockHeld")).count();
    long programs = trace.all().stream().filter(e -> e.name().equals("EvtProgramDma")).count();
    assertEquals(20, locks);
    assertTrue(programs > locks, "fragments of at most 16 KiB: " + programs + " EvtProgramDma for 20 transactions");
  }
}
