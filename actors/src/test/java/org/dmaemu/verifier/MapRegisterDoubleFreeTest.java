package org.dmaemu.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.protocol.verifier.BugCheckRaised;
import org.dmaemu.testing.TestKits;
import org.dmaemu.testing.TransactionHarness;
import org.dmaemu.transaction.AdapterArbiters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Driver Verifier 0xE6/0x05 (reference §8.4, map registers freed twice). No sequence of DDI calls
 * makes a transaction free a grant twice, so the pool here answers every free as a double free
 * (MapRegistersNotHeld, as the real pool does for a grant it does not hold) and the transaction
 * must turn that answer into a bug-check record, not an exception.
 */
class MapRegisterDoubleFreeTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MapRegisterDoubleFreeTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @ParameterizedTest(name = "§8.4 E6-0x05 map registers freed twice → 0xE6/0x5 recorded, the transaction answers on ({0})")
  @EnumSource(OnViolation.class)
  void doubleFreeIsABugCheck(OnViolation mode) {
    TransactionHarness h =
        new TransactionHarness(
            kit,
            DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
            mode,
            new PacketDmaSlot(),
            e -> forgetful(e, DmaDirection.READ_FROM_DEVICE),
            e -> forgetful(e, DmaDirection.WRITE_TO_DEVICE));
    assertTrue(TransactionHarness.isSuccess(h.initialize(DmaDirection.READ_FROM_DEVICE, 4096)));
    assertTrue(TransactionHarness.isSuccess(h.execute()));
    h.nextCallback(); // EvtProgramDma
    TransactionDdiReturn done = h.dmaCompleted();
    assertTrue(done.value(), "the only fragment ends the transaction: its registers are freed");
    BugCheck raised = h.device.expectMessageClass(BugCheckRaised.class, MisuseRun.WAIT).bugCheck();
    assertEquals("E6-0x05", raised.rule());
    assertEquals(BugCheck.DRIVER_VERIFIER_DMA_VIOLATION, raised.code());
    assertEquals(0x05, raised.subcode());
    // Nothing was thrown: the transaction still takes calls.
    TransactionDdiReturn released = h.release();
    assertEquals(TransactionState.RELEASED, released.state());
  }

  /** The arbiters of one adapter: a lock that grants at once, a pool that has lost every grant. */
  private static AdapterArbiters forgetful(EnablerInfo enabler, DmaDirection direction) {
    var adapter = enabler.adapterFor(direction);
    String id = enabler.handle() + "/" + direction;
    return new AdapterArbiters(
        id, adapter.mapRegisters(), adapter.maximumFragmentLength(),
        kit.spawn(TransactionHarness.grantingLock(id)), kit.spawn(forgetfulPool(id)));
  }

  private static Behavior<MapRegisterMessage> forgetfulPool(String id) {
    return Behaviors.receive(MapRegisterMessage.class)
        .onMessage(MapRegisterMessage.AllocateMapRegisters.class, a -> grant(id, a))
        .onMessage(MapRegisterMessage.FreeMapRegisters.class, f -> notHeld(id, f))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private static Behavior<MapRegisterMessage> grant(String id, MapRegisterMessage.AllocateMapRegisters a) {
    a.replyTo().tell(new MapRegisterReply.MapRegistersGranted(id, a.requestId(), a.count(), 0));
    return Behaviors.same();
  }

  private static Behavior<MapRegisterMessage> notHeld(String id, MapRegisterMessage.FreeMapRegisters f) {
    f.holder().tell(new MapRegisterReply.MapRegistersNotHeld(id, f.requestId()));
    return Behaviors.same();
  }
}
