package org.dmaemu.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.dmaemu.arbitration.ArbitrationPolicy;
import org.dmaemu.arbitration.ArbitrationSettings;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback.EvtInterruptIsr;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.protocol.hardware.BusMessage.GetBusState;
import org.dmaemu.protocol.hardware.BusMessage.OccupyBus;
import org.dmaemu.protocol.hardware.BusReply;
import org.dmaemu.protocol.hardware.BusReply.BusTransferDone;
import org.dmaemu.protocol.hardware.BusSnapshot;
import org.dmaemu.protocol.hardware.CompletedTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.hardware.DmaEngineMessage.ProgramTransfer;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.testing.RecordingObserver;
import org.dmaemu.testing.TestKits;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shared bus (DESIGN §3, gem5's crossbar layer): one transfer at a time for header + bytes /
 * width, waiters under the bus's policy, and DMA engines behind it. Widths of a few bytes per µs
 * make every occupancy tens of milliseconds of modeled (= real, time scale 1) time, far above the
 * scheduler's 1 ms tick; the checks compare the node clock's timestamps, they never sleep.
 */
class BusTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("BusTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static Requester device(String name, int priority) {
    return new Requester("dev-" + name, "g", priority, 1);
  }

  static long now() {
    return NodeClock.get(kit.system()).nowMicros();
  }

  static String busId() {
    return "bus-" + IDS.incrementAndGet();
  }

  static ActorRef<BusMessage> bus(String id, double width, Duration header, ArbitrationPolicy policy, DmaObserver observer) {
    return kit.spawn(Bus.create(id, width, header, policy, observer), id);
  }

  @Test
  @DisplayName("a transfer occupies the bus for header + bytes / width; the next one waits for the end")
  void occupancy() {
    String id = busId();
    RecordingObserver observer = new RecordingObserver();
    // 1 byte/µs, 2 ms header: 10 000 bytes occupy 12 ms, 3 000 bytes 5 ms.
    ActorRef<BusMessage> bus = bus(id, 1.0, Duration.ofMillis(2), ArbitrationPolicy.fifo(), observer);
    TestProbe<BusReply> a = kit.createTestProbe();
    TestProbe<BusReply> b = kit.createTestProbe();
    bus.tell(new OccupyBus(1, 10_000, now(), device("a", 0), a.getRef()));
    bus.tell(new OccupyBus(2, 3_000, now(), device("b", 0), b.getRef()));

    BusTransferDone first = (BusTransferDone) a.receiveMessage(WAIT);
    BusTransferDone second = (BusTransferDone) b.receiveMessage(WAIT);
    assertEquals(12_000, first.doneAtMicros() - first.grantedAtMicros(), 1);
    assertEquals(5_000, second.doneAtMicros() - second.grantedAtMicros(), 1);
    assertTrue(second.grantedAtMicros() >= first.doneAtMicros(), first + " then " + second);

    assertEquals(new BusSnapshot(id, false, 0, 2, 13_000, 17_000), state(bus));
    a.awaitAssert(() -> {
      assertEquals(List.of("busy 0", "busy 1", "idle 1", "busy 0", "idle 0"), observer.values("busChanged", id));
      return null;
    });
    assertEquals(first.doneAtMicros(), second.grantedAtMicros(), 1, "b's occupancy begins where a's ends");
    List<String> waits = observer.values("busWait", id);
    assertEquals("dev-a 0", waits.get(0));
    long bWait = Long.parseLong(waits.get(1).substring("dev-b ".length()));
    assertTrue(bWait > 0 && bWait <= 12_000, "b waited for a's occupancy: " + waits);
  }

  @Test
  @DisplayName("bus waiters are served under the bus's policy: priority hands the bus to the higher one first")
  void policyOrdersWaiters() {
    String id = busId();
    ActorRef<BusMessage> bus = bus(id, 1.0, Duration.ZERO, ArbitrationPolicy.priority(), DmaObserver.NONE);
    TestProbe<BusReply> replies = kit.createTestProbe();
    bus.tell(new OccupyBus(1, 5_000, now(), device("h", 0), replies.getRef()));
    bus.tell(new OccupyBus(2, 1_000, now(), device("low", 0), replies.getRef()));
    bus.tell(new OccupyBus(3, 1_000, now(), device("mid", 3), replies.getRef()));
    bus.tell(new OccupyBus(4, 1_000, now(), device("high", 9), replies.getRef()));
    List<Long> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(replies.receiveMessage(WAIT).requestId());
    }
    assertEquals(List.of(1L, 4L, 3L, 2L), order);
  }

  @Test
  @DisplayName("a requester that dies loses its place in the bus queue")
  void deadWaiterLeaves() {
    String id = busId();
    RecordingObserver observer = new RecordingObserver();
    ActorRef<BusMessage> bus = bus(id, 1.0, Duration.ZERO, ArbitrationPolicy.fifo(), observer);
    TestProbe<BusReply> holder = kit.createTestProbe();
    TestProbe<BusReply> doomed = kit.createTestProbe();
    TestProbe<BusReply> next = kit.createTestProbe();
    // 100 ms for the holder: time enough for the death to reach the bus before the hand-over.
    bus.tell(new OccupyBus(1, 100_000, now(), device("h", 0), holder.getRef()));
    bus.tell(new OccupyBus(2, 10_000, now(), device("d", 0), doomed.getRef()));
    bus.tell(new OccupyBus(3, 1_000, now(), device("n", 0), next.getRef()));
    assertEquals(2, state(bus).waiting());
    doomed.stop();
    BusTransferDone first = (BusTransferDone) holder.receiveMessage(WAIT);
    BusTransferDone then = (BusTransferDone) next.receiveMessage(WAIT);
    assertEquals(first.doneAtMicros(), then.grantedAtMicros(), 1, "the dead waiter's 10 ms never happened");
    assertEquals(List.of("busy 0", "busy 1", "busy 2", "busy 1"), observer.values("busChanged", id).subList(0, 4));
  }

  static BusSnapshot state(ActorRef<BusMessage> bus) {
    TestProbe<BusSnapshot> probe = kit.createTestProbe();
    bus.tell(new GetBusState(probe.getRef()));
    return probe.receiveMessage(WAIT);
  }

  // ---- DMA engines behind a bus ----------------------------------------------------------------

  /** An engine on {@code bus}, with a probe as its driver that answers every ISR. */
  static final class Engine {
    final TestProbe<DriverMessage> driver = kit.createTestProbe(DriverMessage.class);
    final TestProbe<TransactionMessage> transactions = kit.createTestProbe(TransactionMessage.class);
    final String id;
    final ActorRef<DmaEngineMessage> engine;

    Engine(Requester device, HardwareSettings settings) {
      id = device.deviceId() + "-" + IDS.incrementAndGet();
      engine = kit.spawn(DmaEngine.create(
          new Requester(id, device.group(), device.priority(), device.weight()), settings, driver.getRef(),
          Duration.ofSeconds(10), TraceSink.NONE), id);
    }

    void program(long n, long length) {
      TransactionHandle tx = new TransactionHandle(new EnablerHandle(id, 0), n, transactions.getRef());
      engine.tell(new ProgramTransfer(tx, DmaDirection.READ_FROM_DEVICE, 0, length, 0));
    }

    /** The next completions, answering the ISR that carried them. */
    List<CompletedTransfer> completions(int count) {
      List<CompletedTransfer> seen = new ArrayList<>();
      while (seen.size() < count) {
        EvtInterruptIsr isr = driver.expectMessageClass(EvtInterruptIsr.class, WAIT);
        seen.addAll(isr.completed());
        isr.replyTo().tell(CallbackReturn.ofBoolean(true));
      }
      return seen;
    }
  }

  static HardwareSettings onBus(double engineBytesPerMicros, String busId, ActorRef<BusMessage> bus) {
    return new HardwareSettings(1, engineBytesPerMicros, Duration.ZERO).withBus(new BusAttachment(busId, bus));
  }

  @Test
  @DisplayName("the bus rate limit binds: two fast engines on a 1 byte/µs bus take at least the sum of their occupancies")
  void narrowBusBinds() {
    String id = busId();
    RecordingObserver observer = new RecordingObserver();
    ActorRef<BusMessage> bus = bus(id, 1.0, Duration.ZERO, ArbitrationPolicy.fifo(), observer);
    // Engines of 1 GB/s: alone, 20 000 bytes would take 20 µs. The bus needs 20 ms for each.
    Engine one = new Engine(device("one", 0), onBus(1000.0, id, bus));
    Engine two = new Engine(device("two", 0), onBus(1000.0, id, bus));
    one.program(1, 20_000);
    two.program(1, 20_000);

    CompletedTransfer a = one.completions(1).get(0);
    CompletedTransfer b = two.completions(1).get(0);
    long start = Math.min(a.startMicros(), b.startMicros());
    long end = Math.max(a.endMicros(), b.endMicros());
    assertTrue(end - start >= 40_000, "two 20 ms occupancies in " + (end - start) + " µs: " + a + ", " + b);
    assertTrue(a.endMicros() - a.startMicros() >= 20_000, a.toString());
    assertTrue(b.endMicros() - b.startMicros() >= 20_000, b.toString());
    // One after the other, not side by side.
    CompletedTransfer earlier = a.endMicros() <= b.endMicros() ? a : b;
    CompletedTransfer later = earlier == a ? b : a;
    assertTrue(later.endMicros() - earlier.endMicros() >= 20_000 - 1, earlier + " then " + later);
    List<String> waits = observer.values("busWait", id);
    assertEquals(2, waits.size(), waits.toString());
  }

  @Test
  @DisplayName("the slower of engine and bus governs: a 1 byte/µs engine on a 4 bytes/µs bus takes its own data time")
  void slowEngineGoverns() {
    String id = busId();
    ActorRef<BusMessage> bus = bus(id, 4.0, Duration.ZERO, ArbitrationPolicy.fifo(), DmaObserver.NONE);
    Engine slow = new Engine(device("slow", 0), onBus(1.0, id, bus));
    slow.program(1, 20_000);
    slow.program(2, 10_000);
    List<CompletedTransfer> done = slow.completions(2);
    // 20 ms of the engine's own data time against 5 ms on the bus; then 10 ms against 2.5 ms: the
    // longer counts, the two are not added.
    assertEquals(20_000, done.get(0).endMicros() - done.get(0).startMicros(), 1);
    assertEquals(10_000, done.get(1).endMicros() - done.get(1).startMicros(), 1);
    assertTrue(done.get(1).startMicros() >= done.get(0).endMicros(), "one channel, one transfer at a time: " + done);
  }

  @Test
  @DisplayName("a device's engine crosses the bus of its HardwareSettings, under the device's id and group")
  void deviceOnBus() {
    String id = busId();
    RecordingObserver observer = new RecordingObserver();
    ActorRef<BusMessage> bus = bus(id, 1000.0, Duration.ofNanos(500), ArbitrationPolicy.fifo(), observer);
    String deviceId = "bus-device-" + IDS.incrementAndGet();
    DeviceSettings settings =
        DeviceSettings.defaults()
            .withHardware(HardwareSettings.defaults().withBus(new BusAttachment(id, bus)))
            .withArbitration(new ArbitrationSettings("silver", 1, 2, "fifo", "fifo", 0L, null));
    ConcurrentLinkedQueue<NtStatus> done = new ConcurrentLinkedQueue<>();
    DmaIoDriver.Settings driver =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SCATTER_GATHER, DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8192).withWdmDmaVersionOverride(3), 2, IoWorkload.closed(2, 1, 32 * 1024, 0.5, 10), 0, List.of(), 41);
    ActorRef<DeviceMessage> device =
        kit.spawn(Device.create(deviceId, settings, driver.model(end -> done.add(end.status())),
            TraceSink.NONE), deviceId);
    TestProbe<PnpResult> pnp = kit.createTestProbe();
    device.tell(new PnpCommand.AddDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome());
    device.tell(new PnpCommand.StartDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome());
    pnp.awaitAssert(WAIT, () -> {
      assertEquals(10, done.size());
      return null;
    });
    assertTrue(done.stream().allMatch(NtStatus.STATUS_SUCCESS::equals), done.toString());
    BusSnapshot after = state(bus);
    assertTrue(after.transfers() >= 10, "at least one occupancy per request: " + after);
    List<String> waits = observer.values("busWait", id);
    assertEquals(after.transfers(), waits.size());
    assertTrue(waits.stream().allMatch(w -> w.startsWith(deviceId + " ")), waits.toString());
  }

  @Test
  @DisplayName("engine latency comes first, then the bus: a waiter behind a busy bus is served under the bus's policy")
  void engineWaitsUnderPolicy() {
    String id = busId();
    ActorRef<BusMessage> bus = bus(id, 2.0, Duration.ZERO, ArbitrationPolicy.priority(), DmaObserver.NONE);
    HardwareSettings fast = onBus(1000.0, id, bus).withLatency(Duration.ofMillis(1));
    Engine low = new Engine(device("low", 0), fast);
    Engine high = new Engine(device("high", 5), fast);
    // A probe occupies the bus for 100 ms; both engines ask meanwhile, low first.
    TestProbe<BusReply> hog = kit.createTestProbe();
    bus.tell(new OccupyBus(1, 200_000, now(), device("hog", 0), hog.getRef()));
    low.program(1, 10_000);
    hog.awaitAssert(WAIT, Duration.ofMillis(2), () -> {
      assertEquals(1, state(bus).waiting());
      return null;
    });
    high.program(1, 10_000);
    CompletedTransfer h = high.completions(1).get(0);
    CompletedTransfer l = low.completions(1).get(0);
    assertTrue(h.endMicros() < l.endMicros(), "priority 5 before priority 0: " + h + ", " + l);
    assertTrue(l.endMicros() - h.endMicros() >= 5_000 - 1, "low's 5 ms occupancy after high's: " + h + ", " + l);
    BusTransferDone hogDone = (BusTransferDone) hog.receiveMessage(WAIT);
    assertTrue(h.endMicros() - hogDone.doneAtMicros() >= 5_000 - 1, "high's occupancy after the hog's: " + hogDone + ", " + h);
  }
}
