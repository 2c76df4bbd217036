package org.dmaemu.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.hardware.DmaEngine.EngineStatistics;
import org.dmaemu.hardware.DmaEngine.GetEngineStatistics;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback.EvtInterruptDpc;
import org.dmaemu.protocol.driver.DriverCallback.EvtInterruptIsr;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.hardware.DmaEngineMessage.AbortTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage.ProgramTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage.WdfInterruptQueueDpcForIsr;
import org.dmaemu.protocol.hardware.TransferAborted;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.RecordingFaults;
import org.dmaemu.testing.TestKits;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.workload.IoWorkload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Message faults on the INTERRUPTS path (DESIGN §10): a DMA engine's interrupt to its device's
 * driver (reference §9.2 R7-R8) lost, raised late, or raised twice; and AbortTransfer, the driver's
 * reset of a transaction's transfers.
 */
class MessageFaultInterruptsTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final Duration PATIENT = Duration.ofSeconds(2);
  /** Transfers take no modeled time: completions come at once. */
  private static final HardwareSettings INSTANT = new HardwareSettings(2, 1e12, Duration.ZERO);

  private static ActorTestKit kit;
  private static TestProbe<TransactionMessage> transactions;
  private static NodeClock clock;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MessageFaultInterruptsTest");
    transactions = kit.createTestProbe(TransactionMessage.class);
    clock = NodeClock.get(kit.system());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** One engine under one INTERRUPTS fault, a probe as its driver. */
  private static final class Rig {
    final String id = "irq-" + IDS.incrementAndGet();
    final TestProbe<DriverMessage> driver = kit.createTestProbe(DriverMessage.class);
    final TestProbe<EngineStatistics> statsProbe = kit.createTestProbe(EngineStatistics.class);
    final RecordingFaults faults = new RecordingFaults();
    final ActorRef<DmaEngineMessage> engine;

    /** @param faultId {@code null}: no fault */
    Rig(HardwareSettings settings, String faultId, MessageAction action, Duration delay) {
      FaultPlan plan =
          faultId == null ? FaultPlan.NONE : FaultyDevice.plan(faultId, MessagePath.INTERRUPTS, action, delay, 1.0, id, 3);
      engine = kit.spawn(
          DmaEngine.create(
              Requester.ofDevice(id), settings, driver.getRef(), Duration.ofSeconds(10), TraceSink.NONE,
              plan.gate(id, "default", "engine-1"), faults),
          id);
    }

    TransactionHandle program(long n, long length, int channel) {
      TransactionHandle tx = new TransactionHandle(new EnablerHandle(id, 0), n, transactions.getRef());
      engine.tell(new ProgramTransfer(tx, DmaDirection.READ_FROM_DEVICE, 0, length, channel));
      return tx;
    }

    EvtInterruptIsr isr() {
      return driver.expectMessageClass(EvtInterruptIsr.class, WAIT);
    }

    EngineStatistics stats() {
      engine.tell(new GetEngineStatistics(statsProbe.getRef()));
      return statsProbe.receiveMessage(WAIT);
    }
  }

  @Test
  @DisplayName("§9.2 R7 interrupts drop: the transfer finishes, the line is never raised, no ISR runs; the injection is reported")
  void droppedInterrupt() {
    Rig rig = new Rig(INSTANT, "lost-irq", MessageAction.DROP, null);
    rig.program(1, 4096, 0);
    rig.driver.expectNoMessage(QUIET);
    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.transfersCompleted());
    assertEquals(1, stats.interruptsDropped());
    assertEquals(0, stats.isrCalls());
    List<RecordingFaults.Injected> injected = rig.faults.injected();
    assertEquals(1, injected.size());
    assertEquals(new RecordingFaults.Injected("lost-irq", rig.id, "interrupts drop", injected.get(0).atMicros()), injected.get(0));
  }

  @Test
  @DisplayName("§9.2 R7-R8 interrupts duplicate: one ISR shows the completion, a second shows an empty status; its FALSE is no driver bug")
  void duplicatedInterrupt() {
    Rig rig = new Rig(INSTANT, "twice-irq", MessageAction.DUPLICATE, null);
    TransactionHandle tx = rig.program(1, 4096, 0);
    EvtInterruptIsr first = rig.isr();
    assertEquals(1, first.completed().size());
    assertEquals(tx, first.completed().get(0).transaction());
    rig.engine.tell(new WdfInterruptQueueDpcForIsr(first.interruptIndex()));
    first.replyTo().tell(CallbackReturn.ofBoolean(true));
    // An ISR goes before the queued DPC; the repeated one finds nothing.
    EvtInterruptIsr second = rig.isr();
    assertEquals(List.of(), second.completed());
    second.replyTo().tell(CallbackReturn.ofBoolean(false));
    rig.driver.expectMessageClass(EvtInterruptDpc.class, WAIT).replyTo().tell(CallbackReturn.SUCCESS);
    rig.driver.expectNoMessage(QUIET);
    EngineStatistics stats = rig.stats();
    assertEquals(2, stats.isrCalls());
    assertEquals(1, stats.emptyIsrs());
    assertEquals(1, stats.dpcCalls());
    assertEquals(0, stats.unrecognizedInterrupts());
    assertEquals(1, stats.interruptsDuplicated());
    assertEquals(List.of("interrupts duplicate"), rig.faults.what());
  }

  @Test
  @DisplayName("DESIGN §5 interrupts delay: the ISR comes the modeled delay after the transfer ended")
  void delayedInterrupt() {
    Rig rig = new Rig(INSTANT, "late-irq", MessageAction.DELAY, Duration.ofMillis(80));
    rig.program(1, 4096, 0);
    EvtInterruptIsr isr = rig.isr();
    long seenAt = clock.nowMicros();
    assertEquals(1, isr.completed().size());
    assertTrue(seenAt - isr.completed().get(0).endMicros() >= 80_000,
        "raised " + (seenAt - isr.completed().get(0).endMicros()) + " us after the transfer ended");
    assertEquals(1, rig.stats().interruptsDelayed());
    assertEquals(List.of("interrupts delay"), rig.faults.what());
  }

  @Test
  @DisplayName("§3.5 DPC-timeout path: after AbortTransfer a delayed interrupt of the aborted transfer shows an empty status")
  void abortClearsDelayedInterrupt() {
    Rig rig = new Rig(INSTANT, "late-irq", MessageAction.DELAY, Duration.ofMillis(150));
    TransactionHandle tx = rig.program(1, 4096, 0);
    TestProbe<TransferAborted> aborted = kit.createTestProbe(TransferAborted.class);
    rig.stats();
    rig.engine.tell(new AbortTransfer(tx, aborted.getRef()));
    assertEquals(new TransferAborted(tx, 1), aborted.receiveMessage(WAIT));
    EvtInterruptIsr isr = rig.isr();
    assertEquals(List.of(), isr.completed(), "the driver's reset cleared the status");
    isr.replyTo().tell(CallbackReturn.ofBoolean(false));
    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.emptyIsrs());
    assertEquals(0, stats.unrecognizedInterrupts());
    assertEquals(1, stats.transfersAborted());
  }

  @Test
  @DisplayName("§3.5 DPC-timeout path: a transfer aborted before it finished never shows a completion; the one queued behind it does")
  void abortRunningTransfer() {
    // 1 byte/µs: 60 000 bytes take 60 ms of modeled time, and the next transfer on the channel waits for them.
    Rig rig = new Rig(new HardwareSettings(2, 1.0, Duration.ZERO), null, null, null);
    TransactionHandle first = rig.program(1, 60_000, 0);
    TransactionHandle second = rig.program(2, 1_000, 0);
    TestProbe<TransferAborted> aborted = kit.createTestProbe(TransferAborted.class);
    rig.engine.tell(new AbortTransfer(first, aborted.getRef()));
    assertEquals(new TransferAborted(first, 1), aborted.receiveMessage(WAIT));
    EvtInterruptIsr isr = rig.isr();
    assertEquals(List.of(second), isr.completed().stream().map(c -> c.transaction()).toList());
    isr.replyTo().tell(CallbackReturn.ofBoolean(true));
    rig.driver.expectNoMessage(QUIET);
    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.transfersCompleted());
    assertEquals(1, stats.transfersAborted());
  }

  // ---- Through a device and its reference driver -----------------------------------------------

  private static DmaIoDriver.Settings packetV3(long seed) {
    return new DmaIoDriver.Settings(
        DmaIoDriver.Mode.PACKET,
        DmaEnablerConfig.init(DmaProfile.PACKET64, 16384).withWdmDmaVersionOverride(3),
        4, IoWorkload.closed(4, 1, 60_000, 0.5, 24), 0, List.of(), seed)
        // No request here should time out: a watchdog far beyond what a loaded machine stalls.
        .withWatchdog(PATIENT);
  }

  private static FaultyDevice ioDevice(MessageAction action, Duration delay) {
    String id = "irq-dev-" + IDS.incrementAndGet();
    return new FaultyDevice(
        kit, id, DeviceSettings.defaults().withHardware(HardwareSettings.defaults()),
        FaultyDevice.plan("irq-" + action.planName(), MessagePath.INTERRUPTS, action, delay, 1.0, id, 5),
        packetV3(31)::model);
  }

  @Test
  @DisplayName("§3.5/§9.2 R7-R9 interrupts duplicate through the driver: the repeated ISR claims nothing; each request completes exactly once")
  void duplicatedInterruptsThroughDriver() {
    FaultyDevice d = ioDevice(MessageAction.DUPLICATE, null);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(24, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_SUCCESS), d.observer.ended().toString());
    assertTrue(d.observer.what().size() >= 24, "one duplicate per fragment: " + d.observer.what().size());
    assertEquals(List.of(), d.snapshot().bugChecks(), "no double DmaCompleted (K3)");
    assertEquals(PnpOutcome.SUCCEEDED, d.remove().outcome());
    assertEquals(0, d.observer.registersLeaked());
  }

  @Test
  @DisplayName("§9.2 R7 interrupts delay through the driver: each fragment's interrupt comes 20 ms late; every request completes, each at least that late")
  void delayedInterruptsThroughDriver() {
    FaultyDevice d = ioDevice(MessageAction.DELAY, Duration.ofMillis(20));
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(24, d.awaitIoFinished(Duration.ofSeconds(30)));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_SUCCESS), d.observer.ended().toString());
    assertTrue(d.observer.ended().stream().allMatch(e -> e.latencyMicros() >= 20_000), d.observer.ended().toString());
    assertTrue(d.observer.what().stream().allMatch(w -> w.equals("interrupts delay")), d.observer.what().toString());
    assertEquals(List.of(), d.snapshot().bugChecks());
    assertEquals(PnpOutcome.SUCCEEDED, d.remove().outcome());
  }

  @Test
  @DisplayName("DESIGN §5: the same seed repeats the same interrupts (those of the same requests); another seed others")
  void sameSeedSameInjections() {
    List<Integer> first = repeatedFor("same-irq-device", 51);
    List<Integer> again = repeatedFor("same-irq-device", 51);
    List<Integer> other = repeatedFor("same-irq-device", 52);
    assertTrue(first.size() > 2 && first.size() < 14, first.toString());
    assertEquals(first, again);
    assertNotEquals(first, other);
  }

  /** One request at a time, one fragment each, half the interrupts raised twice: which requests' were. */
  private static List<Integer> repeatedFor(String id, long planSeed) {
    DmaIoDriver.Settings oneAtATime = new DmaIoDriver.Settings(
        DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET64, 16384).withWdmDmaVersionOverride(3),
        1, IoWorkload.closed(1, 1, 16384, 0.5, 16), 0, List.of(), 19).withWatchdog(PATIENT);
    FaultyDevice d = new FaultyDevice(
        kit, id, DeviceSettings.defaults().withHardware(HardwareSettings.defaults()),
        FaultyDevice.plan("half-irq", MessagePath.INTERRUPTS, MessageAction.DUPLICATE, null, 0.5, id, planSeed),
        oneAtATime::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(16, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_SUCCESS), d.observer.ended().toString());
    d.removeCleanly();
    return d.observer.endedAtInjection();
  }
}
