package org.dmaemu.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.enabler.EnablerCreation;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.transaction.AdapterArbiters;
import org.dmaemu.transaction.DmaTransaction;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.verifier.VerifierSettings;

/**
 * One DMA transaction with a driver that answers every callback at once and reports it to
 * {@link #callbacks}, and the DDI returns on {@link #returns}. Arbiters are given by the test: the
 * simple ones here grant at once; the real ones come from org.dmaemu.arbitration.
 */
public final class TransactionHarness {
  private static final AtomicLong IDS = new AtomicLong();
  private static final Duration WAIT = Duration.ofSeconds(5);

  public final ActorRef<TransactionMessage> tx;
  public final TestProbe<DriverCallback> callbacks;
  public final TestProbe<TransactionDdiReturn> returns;
  public final TestProbe<DeviceMessage> device;
  public final EnablerInfo enabler;

  public TransactionHarness(
      ActorTestKit kit,
      DmaEnablerConfig config,
      OnViolation onViolation,
      PacketDmaSlot slot,
      Function<EnablerInfo, AdapterArbiters> read,
      Function<EnablerInfo, AdapterArbiters> write) {
    String deviceId = "txdev-" + IDS.incrementAndGet();
    this.enabler =
        EnablerCreation.create(new EnablerHandle(deviceId, 0), config, null, PlatformSettings.defaults(), 33).enabler();
    this.callbacks = kit.createTestProbe();
    this.returns = kit.createTestProbe();
    this.device = kit.createTestProbe();
    ActorRef<DriverMessage> driver = kit.spawn(answeringDriver(callbacks.getRef()));
    DmaTransaction.Settings settings =
        new DmaTransaction.Settings(
            enabler, 1, 4096, 33, new VerifierSettings(true, onViolation), Duration.ofSeconds(3),
            read.apply(enabler), write.apply(enabler), org.dmaemu.transaction.SystemController.defaults(),
            Requester.ofDevice(deviceId));
    this.tx =
        kit.spawn(DmaTransaction.create(settings, new DmaTransaction.Peers(driver, device.getRef(), slot, TraceSink.NONE, org.dmaemu.metrics.DmaObserver.NONE)));
  }

  /** A packet or SG transaction whose arbiters grant at once. */
  public static TransactionHarness granting(ActorTestKit kit, DmaEnablerConfig config, OnViolation onViolation) {
    return new TransactionHarness(kit, config, onViolation, new PacketDmaSlot(),
        e -> arbiters(kit, e, DmaDirection.READ_FROM_DEVICE), e -> arbiters(kit, e, DmaDirection.WRITE_TO_DEVICE));
  }

  public static AdapterArbiters arbiters(ActorTestKit kit, EnablerInfo e, DmaDirection dir) {
    var info = e.adapterFor(dir);
    if (info == null) {
      return null;
    }
    String id = e.handle() + "/" + dir;
    return new AdapterArbiters(id, info.mapRegisters(), info.maximumFragmentLength(),
        kit.spawn(grantingLock(id)), kit.spawn(grantingPool(id)));
  }

  /** Answers every callback with success (TRUE) and reports it. */
  public static Behavior<DriverMessage> answeringDriver(ActorRef<DriverCallback> seen) {
    return Behaviors.receive(DriverMessage.class)
        .onMessage(DriverCallback.class, cb -> answer(cb, seen))
        .build();
  }

  private static Behavior<DriverMessage> answer(DriverCallback cb, ActorRef<DriverCallback> seen) {
    seen.tell(cb);
    cb.replyTo().tell(CallbackReturn.SUCCESS);
    return Behaviors.same();
  }

  /** An adapter lock that grants every request at once (no contention in these tests). */
  public static Behavior<AdapterLockMessage> grantingLock(String id) {
    return Behaviors.receive(AdapterLockMessage.class)
        .onMessage(AdapterLockMessage.AcquireAdapter.class, a -> grantLock(id, a))
        .onMessage(AdapterLockMessage.CancelAdapterRequest.class, c -> cancelLock(id, c))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private static Behavior<AdapterLockMessage> grantLock(String id, AdapterLockMessage.AcquireAdapter a) {
    a.replyTo().tell(new AdapterReply.AdapterGranted(id, a.requestId()));
    return Behaviors.same();
  }

  private static Behavior<AdapterLockMessage> cancelLock(String id, AdapterLockMessage.CancelAdapterRequest c) {
    c.holder().tell(new AdapterReply.AdapterRequestCancelled(id, c.requestId(), false));
    return Behaviors.same();
  }

  /** A map-register pool that grants every request at once. */
  public static Behavior<MapRegisterMessage> grantingPool(String id) {
    return Behaviors.receive(MapRegisterMessage.class)
        .onMessage(MapRegisterMessage.AllocateMapRegisters.class, a -> grantRegisters(id, a))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private static Behavior<MapRegisterMessage> grantRegisters(String id, MapRegisterMessage.AllocateMapRegisters a) {
    a.replyTo().tell(new MapRegisterReply.MapRegistersGranted(id, a.requestId(), a.count(), 0));
    return Behaviors.same();
  }

  /** Sends {@code call} (built with the returns probe as replyTo) and returns its answer. */
  public TransactionDdiReturn call(Function<ActorRef<TransactionDdiReturn>, TransactionDdi> call) {
    tx.tell(call.apply(returns.getRef()));
    return returns.receiveMessage(WAIT);
  }

  public DriverCallback nextCallback() {
    return callbacks.receiveMessage(WAIT);
  }

  public TransactionDdiReturn initialize(DmaDirection direction, long length) {
    return call(r -> new TransactionDdi.WdfDmaTransactionInitialize(direction, length, 0, r));
  }

  public TransactionDdiReturn execute() {
    return call(TransactionDdi.WdfDmaTransactionExecute::new);
  }

  public TransactionDdiReturn dmaCompleted() {
    return call(TransactionDdi.WdfDmaTransactionDmaCompleted::new);
  }

  public TransactionDdiReturn release() {
    return call(TransactionDdi.WdfDmaTransactionRelease::new);
  }

  public static boolean isSuccess(TransactionDdiReturn r) {
    return r.bugCheck() == null && r.status() == NtStatus.STATUS_SUCCESS;
  }
}
