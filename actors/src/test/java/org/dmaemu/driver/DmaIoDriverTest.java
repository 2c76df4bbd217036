package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.dmaemu.trace.TraceSink;
import org.dmaemu.testing.TestKits;
import org.dmaemu.workload.ArrivalPattern;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.workload.SizeDistribution;
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
    IoObserver observer = end -> done.add(new Done(end.deviceId(), end.direction(), end.bytes(), end.status()));
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
      assertEquals(driver.workload().requests(), done.size());
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
            2, IoWorkload.closed(2, 1, 128 * 1024, 0.5, 30), 0, List.of(), 11);
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
            DmaIoDriver.Mode.PACKET,
            DmaEnablerConfig.init(DmaProfile.PACKET, 65536),
            3, IoWorkload.closed(3, 512, 200_000, 0.5, 30), 0, List.of(), 12);
    assertAllSucceeded(run(packet, new RecordingTrace()), 512, 200_000);
  }

  @Test
  @DisplayName("§4.3/§9.4 packet driver on DMA v3: transactions queue for the adapter instead of failing")
  void packetV3Queued() {
    DmaIoDriver.Settings packet =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET,
            DmaEnablerConfig.init(DmaProfile.PACKET64, 16384).withWdmDmaVersionOverride(3),
            4, IoWorkload.closed(4, 1, 100_000, 0.3, 40), 0, List.of(), 13);
    assertAllSucceeded(run(packet, new RecordingTrace()), 1, 100_000);
  }

  @Test
  @DisplayName("§5 reserving packet driver: AllocateResources → EvtReserveDma → Initialize/Execute loop → FreeResources")
  void reservingPacket() {
    RecordingTrace trace = new RecordingTrace();
    DmaIoDriver.Settings reserving =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.RESERVING_PACKET,
            DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
            2, IoWorkload.closed(2, 4096, 65536, 0.5, 20), 8, List.of(), 14);
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
            DmaIoDriver.Mode.SYSTEM,
            DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 16384),
            2, IoWorkload.closed(2, 1, 50_000, 0.5, 20), 0, List.of(), 15);
    assertAllSucceeded(run(system, trace), 1, 50_000);
    assertTrue(trace.all().stream().anyMatch(e -> e.name().equals("EvtDmaTransactionDmaTransferComplete")));
    // The channel is held for the whole transaction: one AdapterLockHeld span per transaction, not per fragment.
    long locks = trace.all().stream().filter(e -> e.name().equals("AdapterLockHeld")).count();
    long programs = trace.all().stream().filter(e -> e.name().equals("EvtProgramDma")).count();
    assertEquals(20, locks);
    assertTrue(programs > locks, "fragments of at most 16 KiB: " + programs + " EvtProgramDma for 20 transactions");
  }

  // ---- Workloads: arrivals, sizes, the end of the I/O -------------------------------------------

  /** Everything a driver reports. */
  static final class Recorder implements IoObserver {
    final Map<Long, String> submitted = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<RequestEnd> ended = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> programToInterrupt = new ConcurrentLinkedQueue<>();
    volatile long finishedWith = -1;

    @Override
    public void requestCompleted(RequestEnd end) {
      ended.add(end);
    }

    @Override
    public void requestSubmitted(String deviceId, long sequence, DmaDirection direction, long bytes) {
      submitted.put(sequence, direction + " " + bytes);
    }

    @Override
    public void programToInterrupt(String deviceId, long micros) {
      programToInterrupt.add(micros);
    }

    @Override
    public void ioFinished(String deviceId, long count) {
      finishedWith = count;
    }
  }

  /** Starts a device with this driver; returns once its I/O has finished. */
  static Recorder runUntilFinished(DmaIoDriver.Settings driver, HardwareSettings hardware) {
    return runUntilFinished("io-" + IDS.incrementAndGet(), driver, hardware);
  }

  static Recorder runUntilFinished(String id, DmaIoDriver.Settings driver, HardwareSettings hardware) {
    Recorder recorder = new Recorder();
    DeviceSettings settings = DeviceSettings.defaults().withHardware(hardware);
    ActorRef<DeviceMessage> device =
        kit.spawn(Device.create(id, settings, driver.model(recorder), TraceSink.NONE), id + "-" + IDS.incrementAndGet());
    TestProbe<PnpResult> pnp = kit.createTestProbe();
    device.tell(new PnpCommand.AddDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());
    device.tell(new PnpCommand.StartDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());
    pnp.awaitAssert(Duration.ofSeconds(20), () -> {
      assertTrue(recorder.finishedWith >= 0, "the driver reports the end of its I/O");
      return null;
    });
    device.tell(new PnpCommand.RemoveDevice(pnp.getRef()));
    assertEquals(DeviceState.REMOVED, pnp.receiveMessage().state());
    return recorder;
  }

  static DmaIoDriver.Settings packetV3(IoWorkload workload, long seed) {
    return new DmaIoDriver.Settings(
        DmaIoDriver.Mode.PACKET,
        DmaEnablerConfig.init(DmaProfile.PACKET64, 65536).withWdmDmaVersionOverride(3),
        4, workload, 0, List.of(), seed);
  }

  @Test
  @DisplayName("open loop: Poisson arrivals queue for the transactions; every arrival ends once, completed")
  void openLoop() {
    IoWorkload open =
        new IoWorkload(new ArrivalPattern.Open(20_000), new SizeDistribution.Fixed(4096), 0.5, 60, null);
    Recorder r = runUntilFinished(packetV3(open, 21), HardwareSettings.defaults());
    assertEquals(60, r.submitted.size());
    assertEquals(60, r.finishedWith);
    assertEquals(60, r.ended.size());
    assertTrue(r.ended.stream().allMatch(IoObserver.RequestEnd::completed));
    assertEquals(60, r.ended.stream().map(IoObserver.RequestEnd::sequence).distinct().count(), "each request ends once");
    assertTrue(r.programToInterrupt.size() >= 60, "one EvtProgramDma-to-interrupt time per fragment");
  }

  @Test
  @DisplayName("on/off bursts: no request arrives during a pause")
  void onOff() {
    ArrivalPattern.OnOff bursts = new ArrivalPattern.OnOff(10_000, Duration.ofMillis(4), Duration.ofMillis(12));
    IoWorkload workload = new IoWorkload(bursts, new SizeDistribution.Fixed(512), 0.5, 80, null);
    Recorder r = runUntilFinished(packetV3(workload, 22), HardwareSettings.defaults());
    assertEquals(80, r.ended.size());
    for (IoObserver.RequestEnd end : r.ended) {
      assertTrue(bursts.inBurst(end.arrivalMicros()), "arrived in a pause: " + end);
    }
    long lastArrival = r.ended.stream().mapToLong(IoObserver.RequestEnd::arrivalMicros).max().orElseThrow();
    assertTrue(lastArrival >= 16_000, "80 arrivals at 10/ms in 4 ms bursts span more than one period: " + lastArrival);
  }

  @Test
  @DisplayName("a duration ends the arrivals; the driver reports how many it issued once all have ended")
  void duration() {
    IoWorkload workload =
        new IoWorkload(new ArrivalPattern.Open(5_000), new SizeDistribution.Fixed(1024), 0.5, 0, Duration.ofMillis(30));
    Recorder r = runUntilFinished(packetV3(workload, 23), HardwareSettings.defaults());
    assertTrue(r.finishedWith > 0);
    assertEquals(r.finishedWith, r.ended.size());
    assertTrue(r.ended.stream().allMatch(e -> e.arrivalMicros() < 30_000), "no arrival after the duration");
  }

  @Test
  @DisplayName("DESIGN §5: the same seed gives the device the same requests however fast its hardware runs")
  void sameSeedSameRequests() {
    IoWorkload workload =
        new IoWorkload(
            new ArrivalPattern.Closed(3), new SizeDistribution.LogNormal(8192, 1.0, 1, 65536), 0.4, 40, null);
    Recorder fast = runUntilFinished("same-requests", packetV3(workload, 24), HardwareSettings.defaults());
    Recorder slow = runUntilFinished(
        "same-requests", packetV3(workload, 24), HardwareSettings.defaults().withBandwidth(50).withLatency(Duration.ofMillis(1)));
    assertEquals(40, fast.submitted.size());
    assertEquals(fast.submitted, slow.submitted);
    Recorder otherSeed = runUntilFinished("same-requests", packetV3(workload, 25), HardwareSettings.defaults());
    assertTrue(!fast.submitted.equals(otherSeed.submitted), "another seed, other requests");
  }
}
