package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.DeviceInspection;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.InspectDevice;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.testing.RecordingTrace;
import org.dmaemu.testing.TestKits;
import org.dmaemu.workload.ArrivalPattern;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.workload.SizeDistribution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Power requests that arrive while the reference DMA driver's requests are in flight. */
class PowerDuringIoTest {
  private static ActorTestKit kit;
  private static final AtomicInteger IDS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("PowerDuringIoTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** What a driver reports. */
  static final class Recorder implements IoObserver {
    final ConcurrentLinkedQueue<Long> submitted = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<RequestEnd> ended = new ConcurrentLinkedQueue<>();
    volatile long finishedWith = -1;

    @Override
    public void requestCompleted(RequestEnd end) {
      ended.add(end);
    }

    @Override
    public void requestSubmitted(String deviceId, long sequence, DmaDirection direction, long bytes) {
      submitted.add(sequence);
    }

    @Override
    public void ioFinished(String deviceId, long count) {
      finishedWith = count;
    }

    Map<NtStatus, Long> statuses() {
      return ended.stream().collect(Collectors.groupingBy(RequestEnd::status, Collectors.counting()));
    }
  }

  private record Started(ActorRef<DeviceMessage> device, TestProbe<PnpResult> pnp, Recorder recorder) {
    PnpResult request(Function<ActorRef<PnpResult>, PnpCommand> command) {
      device.tell(command.apply(pnp.getRef()));
      return pnp.receiveMessage(Duration.ofSeconds(10));
    }

    List<String> bugChecks() {
      TestProbe<DeviceSnapshot> snapshot = kit.createTestProbe();
      device.tell(new GetDeviceState(snapshot.getRef()));
      return snapshot.receiveMessage().bugChecks().stream().map(b -> b.rule()).toList();
    }
  }

  private static Started start(DmaIoDriver.Settings driver, HardwareSettings hardware, RecordingTrace trace) {
    Recorder recorder = new Recorder();
    String id = "pio-" + IDS.incrementAndGet();
    DeviceSettings settings = DeviceSettings.defaults().withHardware(hardware);
    ActorRef<DeviceMessage> device = kit.spawn(Device.create(id, settings, driver.model(recorder), trace), id);
    Started s = new Started(device, kit.createTestProbe(), recorder);
    assertEquals(PnpOutcome.SUCCEEDED, s.request(PnpCommand.AddDevice::new).outcome());
    assertEquals(PnpOutcome.SUCCEEDED, s.request(PnpCommand.StartDevice::new).outcome());
    return s;
  }

  private static DmaIoDriver.Settings packetV3(int transactions, IoWorkload workload) {
    return new DmaIoDriver.Settings(
        DmaIoDriver.Mode.PACKET,
        DmaEnablerConfig.init(DmaProfile.PACKET64, 65536).withWdmDmaVersionOverride(3),
        transactions, workload, 0, List.of(), 31);
  }

  private static DmaIoDriver.Settings scatterGather(int transactions, IoWorkload workload) {
    return new DmaIoDriver.Settings(
        DmaIoDriver.Mode.SCATTER_GATHER,
        DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8192),
        transactions, workload, 0, List.of(), 32);
  }

  @Test
  @DisplayName("§6.4 surprise removal with transfers in flight: the driver ends them with DmaCompletedFinal, "
      + "queued requests are cancelled, every request ends once, nothing leaks")
  void surpriseRemovalInFlight() {
    RecordingTrace trace = new RecordingTrace();
    // Arrivals far faster than a 2 ms transfer: transactions busy, requests queued behind them.
    IoWorkload open = new IoWorkload(new ArrivalPattern.Open(3_000), new SizeDistribution.Fixed(16384), 0.5, 0,
        Duration.ofSeconds(10));
    Started s = start(scatterGather(3, open), HardwareSettings.defaults().withLatency(Duration.ofMillis(2)), trace);
    s.pnp().awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(s.recorder().ended.size() >= 3 && s.recorder().submitted.size() >= s.recorder().ended.size() + 6,
          "some requests done, some in flight and queued");
      return null;
    });
    PnpResult removed = s.request(PnpCommand.SurpriseRemoveDevice::new);
    assertEquals(PnpOutcome.SUCCEEDED, removed.outcome(), removed.detail());
    assertEquals(DeviceState.SURPRISE_REMOVED, removed.state());

    Recorder r = s.recorder();
    assertEquals(r.submitted.size(), r.ended.size(), "every request ended: " + r.statuses());
    assertEquals(r.submitted.size(), r.finishedWith, "the driver reported the end of its I/O");
    assertEquals(r.ended.size(), r.ended.stream().map(IoObserver.RequestEnd::sequence).distinct().count(), "each ends once");
    Map<NtStatus, Long> statuses = r.statuses();
    assertTrue(statuses.getOrDefault(NtStatus.STATUS_NO_SUCH_DEVICE, 0L) >= 1, "transfers in flight were ended: " + statuses);
    assertTrue(statuses.getOrDefault(NtStatus.STATUS_CANCELLED, 0L) >= 1, "queued requests were cancelled: " + statuses);
    assertEquals(0, statuses.keySet().stream()
        .filter(st -> st != NtStatus.STATUS_SUCCESS && st != NtStatus.STATUS_NO_SUCH_DEVICE && st != NtStatus.STATUS_CANCELLED)
        .count(), statuses.toString());
    assertTrue(trace.all().stream().anyMatch(e -> e.name().equals("WdfDmaTransactionDmaCompletedFinal")),
        "DmaCompletedFinal ended the transfers");
    assertTrue(trace.all().stream().anyMatch(e -> e.name().equals("EvtDeviceSurpriseRemoval")));
    // Deleted in Transfer (K5) or still holding map registers (E6/0x09) would show here.
    assertEquals(List.of(), s.bugChecks());
  }

  @Test
  @DisplayName("§2.2 D3 in the middle of the I/O: suspend waits for the transfers in flight, "
      + "the I/O resumes in D0 and every request completes")
  void cycleDuringIo() {
    IoWorkload closed = IoWorkload.closed(3, 4096, 16384, 0.5, 60);
    Started s = start(packetV3(3, closed), HardwareSettings.defaults().withLatency(Duration.ofMillis(1)), new RecordingTrace());
    // Polled every 5 ms, not every 100 ms: the cycle comes after ~5 of the 60 requests (~20 at 100 ms).
    s.pnp().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(5), () -> {
      assertTrue(s.recorder().ended.size() >= 5, "the I/O is under way");
      return null;
    });
    assertEquals(PnpOutcome.SUCCEEDED, s.request(p -> new PnpCommand.SetDevicePower(DevicePowerState.D3, p)).outcome());
    Recorder r = s.recorder();
    int submittedInD3 = r.submitted.size();
    assertEquals(submittedInD3, r.ended.size(), "self-managed I/O suspend returned once no request was in flight");
    assertTrue(submittedInD3 < 60, "the cycle came mid-I/O");
    assertEquals(PnpOutcome.SUCCEEDED, s.request(p -> new PnpCommand.SetDevicePower(DevicePowerState.D0, p)).outcome());
    s.pnp().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(60, r.finishedWith);
      return null;
    });
    assertEquals(Map.of(NtStatus.STATUS_SUCCESS, 60L), r.statuses());
    assertEquals(DeviceState.REMOVED, s.request(PnpCommand.RemoveDevice::new).state());
    assertEquals(List.of(), s.bugChecks());
  }

  @Test
  @DisplayName("a duration that runs out while the device is in D3 ends the I/O when it resumes")
  void durationEndsInD3() {
    // Both requests arrive when the I/O starts, well inside the 50 ms duration (a 1 ms duration let a
    // cold JVM decide the second arrival after it, and the I/O ended with one request before D3).
    // Transfers take 300 ms: D3 comes before either completes, and the duration is over by then; the
    // transfer stays inside the watchdog (half the 1 s callback deadline).
    IoWorkload closed = new IoWorkload(new ArrivalPattern.Closed(2), new SizeDistribution.Fixed(4096), 0.5, 0,
        Duration.ofMillis(50));
    Started s = start(packetV3(2, closed), HardwareSettings.defaults().withLatency(Duration.ofMillis(300)), new RecordingTrace());
    assertEquals(PnpOutcome.SUCCEEDED, s.request(p -> new PnpCommand.SetDevicePower(DevicePowerState.D3, p)).outcome());
    assertEquals(2, s.recorder().submitted.size(), "both requests arrived when the I/O started");
    assertEquals(-1, s.recorder().finishedWith, "the I/O is suspended, not over: arrivals are decided when it runs");
    assertEquals(PnpOutcome.SUCCEEDED, s.request(p -> new PnpCommand.SetDevicePower(DevicePowerState.D0, p)).outcome());
    s.pnp().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(2, s.recorder().finishedWith);
      return null;
    });
    assertEquals(DeviceState.REMOVED, s.request(PnpCommand.RemoveDevice::new).state());
  }

  @Test
  @DisplayName("§3.1 inspection mid-I/O: each transaction's state, what it holds and what it waits for")
  void inspection() {
    IoWorkload closed = IoWorkload.closed(3, 65536, 65536, 1.0, 1000);
    Started s = start(packetV3(3, closed), HardwareSettings.defaults().withLatency(Duration.ofMillis(50)), new RecordingTrace());
    TestProbe<DeviceInspection> probe = kit.createTestProbe();
    s.pnp().awaitAssert(Duration.ofSeconds(10), () -> {
      s.device().tell(new InspectDevice(probe.getRef()));
      DeviceInspection i = probe.receiveMessage();
      assertTrue(i.complete());
      assertEquals(DeviceState.STARTED, i.device().state());
      assertEquals(3, i.transactions().size(), i.toString());
      // 17 registers, 16 per 64 KiB transfer: one transfer holds them, the others wait for them.
      assertEquals(3, i.transactions().stream().filter(t -> t.state() == TransactionState.TRANSFER).count(), i.toString());
      assertTrue(i.transactions().stream().anyMatch(t -> t.registersHeld() > 0 && t.length() == 65536), i.toString());
      assertTrue(i.transactions().stream().anyMatch(t -> !t.waitingFor().isEmpty()), i.toString());
      // §4.1: the enabler's one adapter, its 17 registers, 16 of them held by the transfer.
      assertEquals(1, i.adapters().size(), i.toString());
      assertEquals(17, i.adapters().get(0).registers().total());
      assertEquals(16, i.adapters().get(0).registers().held());
      return null;
    });
    assertEquals(DeviceState.SURPRISE_REMOVED, s.request(PnpCommand.SurpriseRemoveDevice::new).state());
    s.device().tell(new InspectDevice(probe.getRef()));
    DeviceInspection after = probe.receiveMessage();
    assertEquals(List.of(), after.transactions(), "the transactions were deleted with the device's objects");
  }
}
