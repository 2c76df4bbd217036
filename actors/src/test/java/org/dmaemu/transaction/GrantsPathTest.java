package org.dmaemu.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.enabler.EnablerCreation;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterGrantReceived;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterHolding;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.LockWait;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegistersGrantReceived;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.RegistersHeld;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.testing.RecordingObserver;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.verifier.VerifierSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §10, the grants path, as the waiting transaction sees it: its adapter-lock and
 * map-register grants (reference §4.3, §5) pass its gate, it acknowledges them when they can be
 * lost, recognises second copies, and answers a rebuilding arbiter. The arbiters are probes, so
 * that every message the transaction sends them is seen.
 */
class GrantsPathTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static int ids;
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("GrantsPathTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static FaultPlan plan(MessagePath path, MessageAction action, Duration delay) {
    return new FaultPlan(
        List.of(new Fault.MessageFault("f-" + action.planName(), path, action, delay, 1.0, DeviceSelector.ALL,
            Window.ALWAYS)),
        7L);
  }

  /** One packet transaction (DMA v3) whose driver, DDI caller and arbiters are probes. */
  static final class Scripted {
    final TestProbe<Object> driverAndCaller = kit.createTestProbe();
    final TestProbe<AdapterLockMessage> lock = kit.createTestProbe();
    final TestProbe<MapRegisterMessage> pool = kit.createTestProbe();
    final TestProbe<DeviceMessage> device = kit.createTestProbe();
    final RecordingObserver observer = new RecordingObserver();
    final ActorRef<TransactionMessage> tx;
    final String adapterId = "adapter-" + (++ids);
    final String deviceId = "grants-" + ids;

    Scripted(FaultPlan faults, VerifierSettings verifier) {
      EnablerInfo enabler = EnablerCreation.create(new EnablerHandle(deviceId, 0),
          DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3), null,
          PlatformSettings.defaults(), 33).enabler();
      var adapter = enabler.adapterFor(DmaDirection.READ_FROM_DEVICE);
      AdapterArbiters arbiters = new AdapterArbiters(adapterId, adapter.mapRegisters(),
          adapter.maximumFragmentLength(), lock.getRef(), pool.getRef());
      MessageGate gate = faults.gate(deviceId, "default", "tx-1");
      DmaTransaction.Settings settings = new DmaTransaction.Settings(
          enabler, 1, 4096, 33, verifier, Duration.ofSeconds(3), arbiters, arbiters, SystemController.defaults(),
          Requester.ofDevice(deviceId), gate);
      tx = kit.spawn(DmaTransaction.create(settings,
          new DmaTransaction.Peers(driverAndCaller.getRef().narrow(), device.getRef(), new PacketDmaSlot(),
              TraceSink.NONE, observer)));
    }

    Scripted(FaultPlan faults) {
      this(faults, new VerifierSettings(true, OnViolation.RECORD));
    }

    ActorRef<TransactionDdiReturn> caller() {
      return driverAndCaller.getRef().narrow();
    }

    /** Initialize 8 KiB and Execute: the transaction then asks for the lock. */
    AcquireAdapter execute() {
      tx.tell(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 8192, 0, caller()));
      assertEquals(NtStatus.STATUS_SUCCESS, expectReturn().status());
      tx.tell(new TransactionDdi.WdfDmaTransactionExecute(caller()));
      assertEquals(NtStatus.STATUS_SUCCESS, expectReturn().status());
      return lock.expectMessageClass(AcquireAdapter.class, WAIT);
    }

    TransactionDdiReturn expectReturn() {
      return assertInstanceOf(TransactionDdiReturn.class, driverAndCaller.receiveMessage(WAIT));
    }

    DriverCallback.EvtProgramDma expectProgramDma() {
      return assertInstanceOf(DriverCallback.EvtProgramDma.class, driverAndCaller.receiveMessage(WAIT));
    }

    void grantLock(long requestId) {
      tx.tell(new AdapterReply.AdapterGranted(adapterId, requestId));
    }

    void grantRegisters(AllocateMapRegisters allocate, int base) {
      tx.tell(new MapRegisterReply.MapRegistersGranted(adapterId, allocate.requestId(), allocate.count(), base));
    }

    long injected(String what) {
      return observer.all().stream()
          .filter(r -> r.what().equals("faultInjected") && r.values().equals(deviceId + " " + what))
          .count();
    }
  }

  @Test
  @DisplayName("DESIGN §10: without a grants fault the requests ask for no acknowledgement and none is sent (the fault-free protocol is unchanged)")
  void noGrantsFaultNoAcknowledgement() {
    Scripted s = new Scripted(plan(MessagePath.INTERRUPTS, MessageAction.DROP, null));
    AcquireAdapter acquire = s.execute();
    assertFalse(acquire.acknowledge());
    s.grantLock(acquire.requestId());
    AllocateMapRegisters allocate = s.pool.expectMessageClass(AllocateMapRegisters.class, WAIT);
    assertFalse(allocate.acknowledge());
    s.grantRegisters(allocate, 0);
    s.expectProgramDma().replyTo().tell(CallbackReturn.SUCCESS);
    // The lock's next message is the release, the pool hears nothing: no acknowledgements.
    s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
    s.pool.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("§4.3 grants drop p=1: each grant's first arrival is lost and reported; the arbiter's redelivery is taken and acknowledged")
  void droppedGrantIsRedelivered() {
    Scripted s = new Scripted(plan(MessagePath.GRANTS, MessageAction.DROP, null));
    AcquireAdapter acquire = s.execute();
    assertTrue(acquire.acknowledge());
    s.grantLock(acquire.requestId());
    s.pool.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, s.injected("grants drop adapter lock " + s.adapterId));
    // The lock sends it again (it was not acknowledged): taken this time.
    s.grantLock(acquire.requestId());
    assertEquals(new AdapterGrantReceived(acquire.requestId(), s.tx.narrow()),
        s.lock.expectMessageClass(AdapterGrantReceived.class, WAIT));
    AllocateMapRegisters allocate = s.pool.expectMessageClass(AllocateMapRegisters.class, WAIT);
    assertTrue(allocate.acknowledge());
    s.grantRegisters(allocate, 0);
    s.driverAndCaller.expectNoMessage(Duration.ofMillis(100));
    s.grantRegisters(allocate, 0);
    assertEquals(new MapRegistersGrantReceived(allocate.requestId(), s.tx.narrow()),
        s.pool.expectMessageClass(MapRegistersGrantReceived.class, WAIT));
    s.expectProgramDma();
    assertEquals(1, s.injected("grants drop map registers " + s.adapterId));
  }

  @Test
  @DisplayName("§4.3 grants duplicate p=1: the second copy of each grant is ignored — one allocation, one EvtProgramDma, nothing handed back")
  void duplicateGrantIsIgnored() {
    Scripted s = new Scripted(plan(MessagePath.GRANTS, MessageAction.DUPLICATE, null));
    AcquireAdapter acquire = s.execute();
    s.grantLock(acquire.requestId());
    s.lock.expectMessageClass(AdapterGrantReceived.class, WAIT);
    AllocateMapRegisters allocate = s.pool.expectMessageClass(AllocateMapRegisters.class, WAIT);
    s.grantRegisters(allocate, 0);
    s.pool.expectMessageClass(MapRegistersGrantReceived.class, WAIT);
    DriverCallback.EvtProgramDma program = s.expectProgramDma();
    s.driverAndCaller.expectNoMessage(Duration.ofMillis(100));
    // No second request, no release or free of a grant taken twice.
    s.pool.expectNoMessage(Duration.ofMillis(50));
    program.replyTo().tell(CallbackReturn.SUCCESS);
    s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
    s.lock.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, s.injected("grants duplicate adapter lock " + s.adapterId));
    assertEquals(1, s.injected("grants duplicate map registers " + s.adapterId));
    s.device.expectNoMessage(Duration.ofMillis(20));
  }

  @Test
  @DisplayName("§4.3 grants delay p=1: the grant is taken after the delay, and the wait reported includes it")
  void delayedGrantArrivesLater() {
    Scripted s = new Scripted(plan(MessagePath.GRANTS, MessageAction.DELAY, Duration.ofMillis(150)));
    AcquireAdapter acquire = s.execute();
    s.grantLock(acquire.requestId());
    s.pool.expectNoMessage(Duration.ofMillis(75));
    AllocateMapRegisters allocate = s.pool.expectMessageClass(AllocateMapRegisters.class, WAIT);
    s.grantRegisters(allocate, 0);
    s.expectProgramDma();
    String lockWait = s.observer.values("adapterLockWait", s.adapterId).get(0);
    // The timer may fire a few scheduler ticks early.
    assertTrue(Long.parseLong(lockWait.substring(lockWait.indexOf(' ') + 1)) >= 145_000, lockWait);
    String registerWait = s.observer.values("mapRegisterWait", s.adapterId).get(0);
    assertTrue(Long.parseLong(registerWait.substring(registerWait.lastIndexOf(' ') + 1)) >= 145_000, registerWait);
  }

  @Test
  @DisplayName("§6.1 a grant that comes after its request was given up is handed back once; a second copy is not handed back again")
  void givenUpGrantHandedBackOnce() {
    // Without the verifier, Release in Transfer tears the pending allocation down (§3.3).
    Scripted s = new Scripted(FaultPlan.NONE, new VerifierSettings(false, OnViolation.RECORD));
    AcquireAdapter acquire = s.execute();
    s.tx.tell(new TransactionDdi.WdfDmaTransactionRelease(s.caller()));
    assertEquals(NtStatus.STATUS_SUCCESS, s.expectReturn().status());
    s.lock.expectMessageClass(AdapterLockMessage.CancelAdapterRequest.class, WAIT);
    s.grantLock(acquire.requestId());
    assertEquals(acquire.requestId(), s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT).requestId());
    s.grantLock(acquire.requestId());
    s.lock.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("DESIGN §10 rebuild: a transaction waiting for the lock reports it under a new id; the crashed lock's late grant is ignored")
  void waitingRequestRenamedOnRebuild() {
    Scripted s = new Scripted(FaultPlan.NONE);
    AcquireAdapter acquire = s.execute();
    s.tx.tell(new AdapterReply.ReportAdapterHolding(s.adapterId, 1, s.lock.getRef()));
    AdapterHolding answer = s.lock.expectMessageClass(AdapterHolding.class, WAIT);
    assertEquals(List.of(), answer.held());
    assertEquals(1, answer.waiting().size());
    LockWait wait = answer.waiting().get(0);
    assertNotEquals(acquire.requestId(), wait.requestId());
    // The grant the crashed lock sent for the old id: ignored, not handed back.
    s.grantLock(acquire.requestId());
    s.pool.expectNoMessage(Duration.ofMillis(100));
    s.lock.expectNoMessage(Duration.ofMillis(10));
    s.grantLock(wait.requestId());
    AllocateMapRegisters allocate = s.pool.expectMessageClass(AllocateMapRegisters.class, WAIT);
    // Waiting for registers and holding the lock: both arbiters hear what it holds.
    s.tx.tell(new AdapterReply.ReportAdapterHolding(s.adapterId, 2, s.lock.getRef()));
    assertEquals(List.of(wait.requestId()), s.lock.expectMessageClass(AdapterHolding.class, WAIT).held());
    s.tx.tell(new MapRegisterReply.ReportMapRegisterHolding(s.adapterId, 1, s.pool.getRef()));
    MapRegisterHolding registers = s.pool.expectMessageClass(MapRegisterHolding.class, WAIT);
    assertEquals(List.of(), registers.held());
    assertEquals(allocate.count(), registers.waiting().get(0).count());
    long renamed = registers.waiting().get(0).requestId();
    s.tx.tell(new MapRegisterReply.MapRegistersGranted(s.adapterId, renamed, allocate.count(), 2));
    s.expectProgramDma();
    // Holding registers from base 2 now: that is what the next rebuild hears.
    s.tx.tell(new MapRegisterReply.ReportMapRegisterHolding(s.adapterId, 2, s.pool.getRef()));
    assertEquals(List.of(new RegistersHeld(renamed, allocate.count(), 2, false)),
        s.pool.expectMessageClass(MapRegisterHolding.class, WAIT).held());
  }

  @Test
  @DisplayName("§5 rebuild: a reservation is reported as held, with its base, across Release")
  void reservationReported() {
    Scripted s = new Scripted(FaultPlan.NONE);
    s.tx.tell(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 3, s.caller()));
    assertEquals(NtStatus.STATUS_SUCCESS, s.expectReturn().status());
    s.grantLock(s.lock.expectMessageClass(AcquireAdapter.class, WAIT).requestId());
    AllocateMapRegisters allocate = s.pool.expectMessageClass(AllocateMapRegisters.class, WAIT);
    assertTrue(allocate.reservation());
    s.grantRegisters(allocate, 5);
    DriverCallback reserve = assertInstanceOf(DriverCallback.EvtReserveDma.class, s.driverAndCaller.receiveMessage(WAIT));
    reserve.replyTo().tell(CallbackReturn.SUCCESS);
    s.tx.tell(new MapRegisterReply.ReportMapRegisterHolding(s.adapterId, 1, s.pool.getRef()));
    assertEquals(List.of(new RegistersHeld(allocate.requestId(), 3, 5, true)),
        s.pool.expectMessageClass(MapRegisterHolding.class, WAIT).held());
  }

  @Test
  @DisplayName("§6.1 rebuild: a Cancel the crashed lock never answered returns TRUE when the rebuild asks; the request is not reported")
  void pendingCancelWithdrawnOnRebuild() {
    Scripted s = new Scripted(FaultPlan.NONE);
    s.execute();
    s.tx.tell(new TransactionDdi.WdfDmaTransactionCancel(s.caller()));
    s.lock.expectMessageClass(AdapterLockMessage.CancelAdapterRequest.class, WAIT);
    s.tx.tell(new AdapterReply.ReportAdapterHolding(s.adapterId, 1, s.lock.getRef()));
    TransactionDdiReturn cancel = s.expectReturn();
    assertEquals("WdfDmaTransactionCancel", cancel.ddi());
    assertTrue(cancel.value());
    assertEquals(TransactionState.TRANSFER_FAILED, cancel.state());
    AdapterHolding answer = s.lock.expectMessageClass(AdapterHolding.class, WAIT);
    assertEquals(List.of(), answer.waiting());
    assertEquals(List.of(), answer.held());
  }
}
