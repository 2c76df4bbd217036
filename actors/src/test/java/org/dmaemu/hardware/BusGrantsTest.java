package org.dmaemu.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.arbitration.ArbiterRecovery;
import org.dmaemu.arbitration.ArbitrationPolicy;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback.EvtInterruptIsr;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.protocol.hardware.BusMessage.BusTransferDoneReceived;
import org.dmaemu.protocol.hardware.BusMessage.OccupyBus;
import org.dmaemu.protocol.hardware.BusReply;
import org.dmaemu.protocol.hardware.BusReply.BusTransferDone;
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
 * DESIGN §10, the grants path on a shared bus (DESIGN §3): the bus's answer is the grant an engine
 * waits for. An answer its engine confirms is sent again until confirmed; the engine's gate drops,
 * delays or duplicates it, and the transfer still completes once (reference §9.2 R7: one interrupt
 * per completion).
 */
class BusGrantsTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final ArbiterRecovery RECOVERY = new ArbiterRecovery(Duration.ofMillis(300), Duration.ofSeconds(1));
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("BusGrantsTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static long now() {
    return NodeClock.get(kit.system()).nowMicros();
  }

  static ActorRef<BusMessage> bus(String id) {
    return kit.spawn(Bus.create(id, 1000.0, Duration.ZERO, ArbitrationPolicy.fifo(), DmaObserver.NONE, RECOVERY), id);
  }

  @Test
  @DisplayName("DESIGN §10: an answer the requester confirms is sent again every redelivery timeout until it is confirmed")
  void unconfirmedAnswerIsSentAgain() {
    String id = "bus-grants-" + IDS.incrementAndGet();
    ActorRef<BusMessage> bus = bus(id);
    TestProbe<BusReply> engine = kit.createTestProbe();
    bus.tell(new OccupyBus(1, 1000, now(), Requester.ofDevice("a"), engine.getRef(), true));
    BusTransferDone first = (BusTransferDone) engine.receiveMessage(WAIT);
    assertEquals(first, engine.receiveMessage(WAIT), "sent again, the same answer");
    bus.tell(new BusTransferDoneReceived(1, engine.getRef()));
    // The next copy would have come a whole redelivery timeout after the second.
    engine.expectNoMessage(RECOVERY.grantRedelivery().multipliedBy(3));
  }

  @Test
  @DisplayName("DESIGN §10: without confirmation asked, the answer is sent once (the fault-free protocol is unchanged)")
  void unacknowledgedAnswerIsSentOnce() {
    String id = "bus-grants-" + IDS.incrementAndGet();
    ActorRef<BusMessage> bus = bus(id);
    TestProbe<BusReply> engine = kit.createTestProbe();
    bus.tell(new OccupyBus(1, 1000, now(), Requester.ofDevice("a"), engine.getRef()));
    engine.expectMessageClass(BusTransferDone.class, WAIT);
    engine.expectNoMessage(Duration.ofMillis(300));
  }

  /** An engine on a real bus whose answers pass a gate with one fault of {@code action}, probability 1. */
  static final class Rig {
    final String id = "bus-engine-" + IDS.incrementAndGet();
    final TestProbe<DriverMessage> driver = kit.createTestProbe(DriverMessage.class);
    final TestProbe<TransactionMessage> transactions = kit.createTestProbe(TransactionMessage.class);
    final RecordingObserver observer = new RecordingObserver();
    final ActorRef<DmaEngineMessage> engine;

    Rig(MessageAction action, Duration delay) {
      FaultPlan plan = new FaultPlan(List.of(new Fault.MessageFault(
          "bus-" + action.planName(), MessagePath.GRANTS, action, delay, 1.0, DeviceSelector.ALL, Window.ALWAYS)), 3L);
      MessageGate gate = plan.gate(id, "default", "grants/engine");
      HardwareSettings settings = HardwareSettings.defaults().withBus(new BusAttachment(id + "-bus", bus(id + "-bus")));
      engine = kit.spawn(DmaEngine.create(Requester.ofDevice(id), settings, driver.getRef(), Duration.ofSeconds(10),
          TraceSink.NONE, gate, observer), id);
    }

    void program(long n) {
      engine.tell(new ProgramTransfer(new TransactionHandle(new EnablerHandle(id, 0), n, transactions.getRef()),
          DmaDirection.READ_FROM_DEVICE, 0, 4096, 0));
    }

    /** The one interrupt of one completed transfer; nothing more follows. */
    void expectOneCompletion() {
      EvtInterruptIsr isr = driver.expectMessageClass(EvtInterruptIsr.class, WAIT);
      assertEquals(1, isr.completed().size());
      isr.replyTo().tell(CallbackReturn.SUCCESS);
      driver.expectNoMessage(Duration.ofMillis(300));
    }

    long injected(String what) {
      return observer.values("faultInjected", "bus-" + what).size();
    }
  }

  @Test
  @DisplayName("§9.2 R7, DESIGN §10 grants drop p=1: the bus's answer is lost once, its redelivery completes the transfer")
  void droppedBusAnswer() {
    Rig rig = new Rig(MessageAction.DROP, null);
    rig.program(1);
    rig.expectOneCompletion();
    assertEquals(1, rig.injected("drop"));
  }

  @Test
  @DisplayName("§9.2 R7, DESIGN §10 grants duplicate p=1: the second copy of the bus's answer completes nothing")
  void duplicatedBusAnswer() {
    Rig rig = new Rig(MessageAction.DUPLICATE, null);
    rig.program(1);
    rig.expectOneCompletion();
    assertEquals(1, rig.injected("duplicate"));
  }

  @Test
  @DisplayName("§9.2 R7, DESIGN §10 grants delay p=1: the transfer completes after the delay")
  void delayedBusAnswer() {
    Rig rig = new Rig(MessageAction.DELAY, Duration.ofMillis(200));
    long start = now();
    rig.program(1);
    EvtInterruptIsr isr = rig.driver.expectMessageClass(EvtInterruptIsr.class, WAIT);
    // The timer may fire a few scheduler ticks early.
    assertTrue(now() - start >= 195_000, "completed after the delay");
    isr.replyTo().tell(CallbackReturn.SUCCESS);
    rig.driver.expectNoMessage(Duration.ofMillis(300));
    assertEquals(1, rig.injected("delay"));
  }
}
