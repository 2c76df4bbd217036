package org.dmaemu.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.hardware.DmaEngine.EngineStatistics;
import org.dmaemu.hardware.DmaEngine.GetEngineStatistics;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback.EvtInterruptDpc;
import org.dmaemu.protocol.driver.DriverCallback.EvtInterruptIsr;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.hardware.CompletedTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.hardware.DmaEngineMessage.ProgramTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage.WdfInterruptQueueDpcForIsr;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.testing.RecordingTrace;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The emulated DMA engine and its interrupt line, as the PLX9x5x flows of reference §9.2 and §9.3
 * use them: EvtProgramDma programs a channel (R5/W5), the completion raises EvtInterruptIsr (R7),
 * the ISR queues EvtInterruptDpc (R8). The test plays the driver.
 */
class DmaEngineTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Transfers take no modeled time: completions arrive at once, no timer involved. */
  private static final HardwareSettings INSTANT = new HardwareSettings(2, 1e12, Duration.ZERO);

  private static ActorTestKit kit;
  private static TestProbe<TransactionMessage> transactions;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("DmaEngineTest");
    transactions = kit.createTestProbe(TransactionMessage.class);
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** One engine with a probe as its driver and a recording trace. */
  private static final class Rig {
    final String id = "hw-" + IDS.incrementAndGet();
    final TestProbe<DriverMessage> driver = kit.createTestProbe(DriverMessage.class);
    final TestProbe<EngineStatistics> statsProbe = kit.createTestProbe(EngineStatistics.class);
    final RecordingTrace trace = new RecordingTrace();
    final ActorRef<DmaEngineMessage> engine;

    Rig(HardwareSettings settings, Duration deadline) {
      engine = kit.spawn(DmaEngine.create(id, settings, driver.getRef(), deadline, trace), id);
    }

    Rig(HardwareSettings settings) {
      this(settings, DEADLINE);
    }

    TransactionHandle tx(long n) {
      return new TransactionHandle(new EnablerHandle(id, 0), n, transactions.getRef());
    }

    TransactionHandle program(long n, long length, int channel) {
      TransactionHandle tx = tx(n);
      engine.tell(new ProgramTransfer(tx, DmaDirection.READ_FROM_DEVICE, 0, length, channel));
      return tx;
    }

    EvtInterruptIsr isr() {
      EvtInterruptIsr isr = driver.expectMessageClass(EvtInterruptIsr.class, WAIT);
      assertEquals(id, isr.deviceId());
      return isr;
    }

    EvtInterruptDpc dpc() {
      EvtInterruptDpc dpc = driver.expectMessageClass(EvtInterruptDpc.class, WAIT);
      assertEquals(id, dpc.deviceId());
      return dpc;
    }

    void queueDpc(int index) {
      engine.tell(new WdfInterruptQueueDpcForIsr(index));
    }

    /** The counters, after every message this test sent before. */
    EngineStatistics stats() {
      engine.tell(new GetEngineStatistics(statsProbe.getRef()));
      return statsProbe.receiveMessage(WAIT);
    }

    /** Waits until {@code count} completions sit in the interrupt status, unread. */
    void awaitLatched(int count) {
      statsProbe.awaitAssert(WAIT, () -> {
        assertEquals(count, stats().latched());
        return null;
      });
    }

    /** Answers ISRs (recognized, no DPC) until {@code count} completions were seen; returns them in order. */
    List<CompletedTransfer> collect(int count) {
      List<CompletedTransfer> seen = new ArrayList<>();
      while (seen.size() < count) {
        EvtInterruptIsr isr = isr();
        seen.addAll(isr.completed());
        recognized(isr);
      }
      return seen;
    }
  }

  private static void recognized(EvtInterruptIsr isr) {
    isr.replyTo().tell(CallbackReturn.ofBoolean(true));
  }

  private static void returned(EvtInterruptDpc dpc) {
    dpc.replyTo().tell(CallbackReturn.SUCCESS);
  }

  private static Set<TransactionHandle> transactionsOf(List<CompletedTransfer> completed) {
    Set<TransactionHandle> out = new HashSet<>();
    for (CompletedTransfer t : completed) {
      out.add(t.transaction());
    }
    return out;
  }

  @Test
  @DisplayName("§9.2 R7-R8: transfer completion raises EvtInterruptIsr, the ISR queues its DPC, EvtInterruptDpc follows the ISR's return")
  void isrQueuesDpc() {
    Rig rig = new Rig(INSTANT);
    TransactionHandle tx = rig.program(1, 4096, 1);

    EvtInterruptIsr isr = rig.isr();
    assertEquals(0, isr.interruptIndex());
    assertEquals(1, isr.completed().size());
    CompletedTransfer done = isr.completed().get(0);
    assertEquals(tx, done.transaction());
    assertEquals(1, done.channel());
    assertEquals(4096, done.bytes());
    assertTrue(done.startMicros() <= done.endMicros());

    // R7: the ISR queues its DPC, then returns TRUE (recognized); the DPC waits for the return.
    rig.queueDpc(0);
    rig.driver.expectNoMessage(Duration.ofMillis(100));
    recognized(isr);
    EvtInterruptDpc dpc = rig.dpc();
    assertEquals(0, dpc.interruptIndex());
    returned(dpc);
    rig.driver.expectNoMessage(QUIET);

    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.transfersProgrammed());
    assertEquals(1, stats.transfersCompleted());
    assertEquals(4096, stats.bytesTransferred());
    assertEquals(1, stats.isrCalls());
    assertEquals(1, stats.dpcCalls());
    assertEquals(List.of("EvtInterruptIsr#0", "EvtInterruptDpc#0"), rig.trace.drainCallbacks(rig.id));
  }

  @Test
  @DisplayName("trace: each transfer is a DmaTransfer span on the device's track with device, transaction, channel, bytes")
  void transferSpan() {
    Rig rig = new Rig(INSTANT);
    TransactionHandle tx = rig.program(7, 512, 0);
    CompletedTransfer done = rig.isr().completed().get(0);

    List<TraceEvent> spans = new ArrayList<>();
    for (TraceEvent e : rig.trace.all()) {
      if (e.name().equals("DmaTransfer")) {
        spans.add(e);
      }
    }
    assertEquals(1, spans.size());
    TraceEvent span = spans.get(0);
    assertEquals(rig.id, span.track());
    assertEquals("X", span.phase());
    assertEquals(done.startMicros(), span.tsMicros());
    assertEquals(
        java.util.Map.of("device", rig.id, "transaction", tx.toString(), "channel", "0", "bytes", "512"), span.args());
  }

  @Test
  @DisplayName("§9.2 R7: an ISR that returns without WdfInterruptQueueDpcForIsr gets no DPC")
  void isrWithoutDpc() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 0);
    recognized(rig.isr());
    rig.driver.expectNoMessage(QUIET);
    assertEquals(0, rig.stats().dpcCalls());
  }

  @Test
  @DisplayName("§9.2 R7: an ISR returning FALSE (not recognized) for the engine's own interrupt is counted")
  void unrecognizedInterrupt() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 0);
    rig.isr().replyTo().tell(CallbackReturn.ofBoolean(false));
    rig.driver.expectNoMessage(QUIET);
    assertEquals(1, rig.stats().unrecognizedInterrupts());
  }

  @Test
  @DisplayName("§9.1 duplex: two channels run concurrently, one channel runs its transfers one after another")
  void channelsAndFifo() {
    // 1 byte/µs and 1 ms latency: a 30 000-byte transfer is 31 ms, a 2 000-byte one 3 ms of
    // modeled (= real, time scale 1) time; far enough apart for the scheduler's ticks.
    HardwareSettings slow = new HardwareSettings(2, 1.0, Duration.ofMillis(1));
    Rig rig = new Rig(slow);
    TransactionHandle a = rig.program(1, 30_000, 0);
    TransactionHandle b = rig.program(2, 30_000, 0);
    TransactionHandle c = rig.program(3, 2_000, 1);

    List<CompletedTransfer> done = rig.collect(3);
    CompletedTransfer first = done.get(0);
    CompletedTransfer second = done.get(1);
    CompletedTransfer third = done.get(2);
    assertEquals(List.of(c, a, b), List.of(first.transaction(), second.transaction(), third.transaction()));

    // Concurrent: the short transfer on channel 1 ran while channel 0 was busy with a.
    assertTrue(first.startMicros() < second.endMicros(), () -> done.toString());
    // FIFO: b waited for a on channel 0.
    assertTrue(third.startMicros() >= second.endMicros(), () -> done.toString());
    // Each took latency + length / bandwidth of modeled time (±1 µs of rounding).
    assertEquals(3_000, first.endMicros() - first.startMicros(), 1);
    assertEquals(31_000, second.endMicros() - second.startMicros(), 1);
    assertEquals(31_000, third.endMicros() - third.startMicros(), 1);
  }

  @Test
  @DisplayName("§9.2 R7: completions while the ISR runs are latched and delivered together in one later ISR")
  void completionsCoalesceDuringIsr() {
    Rig rig = new Rig(INSTANT);
    TransactionHandle t1 = rig.program(1, 4096, 0);
    EvtInterruptIsr first = rig.isr();
    assertEquals(Set.of(t1), transactionsOf(first.completed()));

    TransactionHandle t2 = rig.program(2, 4096, 0);
    TransactionHandle t3 = rig.program(3, 4096, 1);
    rig.awaitLatched(2);
    rig.driver.expectNoMessage(Duration.ofMillis(100));

    recognized(first);
    EvtInterruptIsr second = rig.isr();
    assertEquals(Set.of(t2, t3), transactionsOf(second.completed()));
    recognized(second);
    rig.driver.expectNoMessage(QUIET);
    assertEquals(2, rig.stats().isrCalls());
  }

  @Test
  @DisplayName("§9.2 R7-R8: a DPC queued twice before it starts runs once (the second WdfInterruptQueueDpcForIsr returns FALSE)")
  void dpcQueuedTwiceRunsOnce() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 0);
    EvtInterruptIsr isr = rig.isr();
    rig.queueDpc(0);
    rig.queueDpc(0);
    recognized(isr);
    returned(rig.dpc());
    rig.driver.expectNoMessage(QUIET);
    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.dpcCalls());
    assertEquals(1, stats.dpcRequestsCoalesced());
  }

  @Test
  @DisplayName("§9.2 R8: a DPC queued while its DPC runs runs once more after it returns")
  void dpcQueuedWhileRunning() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 0);
    EvtInterruptIsr isr = rig.isr();
    rig.queueDpc(0);
    recognized(isr);
    EvtInterruptDpc first = rig.dpc();
    rig.queueDpc(0);
    rig.driver.expectNoMessage(Duration.ofMillis(100));
    returned(first);
    returned(rig.dpc());
    rig.driver.expectNoMessage(QUIET);
    assertEquals(2, rig.stats().dpcCalls());
  }

  @Test
  @DisplayName("§9.2 R7-R8: DIRQL before DISPATCH: a latched completion's ISR runs before the DPC the previous ISR queued")
  void isrBeforeQueuedDpc() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 0);
    EvtInterruptIsr first = rig.isr();
    TransactionHandle t2 = rig.program(2, 4096, 1);
    rig.awaitLatched(1);
    rig.queueDpc(0);
    recognized(first);

    EvtInterruptIsr second = rig.isr();
    assertEquals(Set.of(t2), transactionsOf(second.completed()));
    recognized(second);
    returned(rig.dpc());
    rig.driver.expectNoMessage(QUIET);
    assertEquals(List.of("EvtInterruptIsr#0", "EvtInterruptIsr#0", "EvtInterruptDpc#0"), rig.trace.drainCallbacks(rig.id));
  }

  @Test
  @DisplayName("§9.2 R8: completions during a running DPC wait for its return (a DPC is not interrupted in this model)")
  void dpcNotInterrupted() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 0);
    EvtInterruptIsr isr = rig.isr();
    rig.queueDpc(0);
    recognized(isr);
    EvtInterruptDpc dpc = rig.dpc();
    TransactionHandle t2 = rig.program(2, 4096, 0);
    rig.awaitLatched(1);
    rig.driver.expectNoMessage(Duration.ofMillis(100));
    returned(dpc);
    assertEquals(Set.of(t2), transactionsOf(rig.isr().completed()));
  }

  @Test
  @DisplayName("hang: an ISR that never returns is counted, traced as hung, and the next completion still raises an ISR")
  void hungIsr() {
    Rig rig = new Rig(INSTANT, Duration.ofMillis(300));
    rig.program(1, 4096, 0);
    rig.isr(); // never answered
    TransactionHandle t2 = rig.program(2, 4096, 0);

    EvtInterruptIsr next = rig.isr();
    assertEquals(Set.of(t2), transactionsOf(next.completed()));
    recognized(next);
    rig.driver.expectNoMessage(QUIET);
    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.hungIsrs());
    assertEquals(2, stats.isrCalls());
    assertEquals(List.of("EvtInterruptIsr#0?", "EvtInterruptIsr#0"), rig.trace.drainCallbacks(rig.id));
  }

  @Test
  @DisplayName("hang: a DPC that never returns is counted and the next completion still raises an ISR")
  void hungDpc() {
    Rig rig = new Rig(INSTANT, Duration.ofMillis(300));
    rig.program(1, 4096, 0);
    EvtInterruptIsr isr = rig.isr();
    rig.queueDpc(0);
    recognized(isr);
    rig.dpc(); // never answered
    TransactionHandle t2 = rig.program(2, 4096, 1);

    EvtInterruptIsr next = rig.isr();
    assertEquals(Set.of(t2), transactionsOf(next.completed()));
    recognized(next);
    assertEquals(1, rig.stats().hungDpcs());
  }

  @Test
  @DisplayName("§9.2 R5: a transfer programmed on a channel the engine lacks, or with no bytes, is ignored")
  void badProgramIgnored() {
    Rig rig = new Rig(INSTANT);
    rig.program(1, 4096, 2);
    rig.program(2, 4096, -1);
    rig.program(3, 0, 0);
    rig.program(4, -5, 1);
    assertEquals(4, rig.stats().ignoredPrograms());
    rig.driver.expectNoMessage(QUIET);

    TransactionHandle good = rig.program(5, 4096, 1);
    assertEquals(Set.of(good), transactionsOf(rig.isr().completed()));
    EngineStatistics stats = rig.stats();
    assertEquals(1, stats.transfersProgrammed());
    assertEquals(4, stats.ignoredPrograms());
  }

  @Test
  @DisplayName("§9.1 interrupt: the engine raises its configured WDFINTERRUPT and ignores a DPC request for another")
  void interruptIndex() {
    Rig rig = new Rig(INSTANT.withInterruptIndex(2));
    rig.program(1, 4096, 0);
    EvtInterruptIsr isr = rig.isr();
    assertEquals(2, isr.interruptIndex());
    rig.queueDpc(0);
    recognized(isr);
    rig.driver.expectNoMessage(QUIET);

    rig.queueDpc(2);
    EvtInterruptDpc dpc = rig.dpc();
    assertEquals(2, dpc.interruptIndex());
    returned(dpc);
    assertEquals(1, rig.stats().dpcCalls());
  }
}
