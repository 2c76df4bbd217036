package org.dmaemu.enabler;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.List;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.arbitration.AdapterLock;
import org.dmaemu.arbitration.ArbitrationSettings;
import org.dmaemu.arbitration.MapRegisterPool;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.driver.CallbackOutcome;
import org.dmaemu.driver.PendingCallback;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.AdapterInfo;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerCallback;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.enabler.EnablerMessage;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.protocol.transaction.WdfDmaTransactionCreate;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.transaction.AdapterArbiters;
import org.dmaemu.transaction.DmaTransaction;
import org.dmaemu.transaction.SystemController;
import org.dmaemu.verifier.VerifierSettings;

/**
 * One WDFDMAENABLER: runs its own power callbacks on its device's driver when the device's power
 * walk reaches it (reference §1.6, §2.4) and keeps its failure flags; creates its DMA transactions
 * (its children, reference §3.3) and owns its adapters' arbitration actors, one pair per WDM
 * adapter (§4.2: two for duplex profiles), under the policies its device's
 * {@link ArbitrationSettings} name — unless the device uses a shared {@link AdapterDomain}: then
 * every adapter of the enabler is the domain's lock and pool, which the enabler neither spawns nor
 * stops. The device spawns it while it has work for it and keeps its {@link EnablerInfo} while idle.
 */
public final class DmaEnabler extends AbstractBehavior<EnablerMessage> {

  /** The enabler's commands; it also receives the {@link CallbackReturn}s of its callbacks. */
  public sealed interface Command extends EnablerMessage {}

  /** D0 entry for this enabler: Fill → Enable → SelfManagedIoStart, stopping at the first failure. */
  public record PowerUp(ActorRef<PowerWalkDone> replyTo) implements Command {}

  /** D0 exit for this enabler: SelfManagedIoStop → Disable → Flush with the gating of §2.4. */
  public record PowerDown(ActorRef<PowerWalkDone> replyTo) implements Command {}

  /** WdfDmaEnablerConfigureSystemProfile gave the enabler an adapter (§1.5). */
  public record SystemProfileConfigured(EnablerInfo enabler) implements Command {}

  /** Device removal: delete every transaction of this enabler (§3.3 Dispose) and say when done. */
  public record DisposeTransactions(ActorRef<TransactionsDisposed> replyTo) implements Command {}

  /** The enabler's transactions are deleted. */
  public record TransactionsDisposed(int enablerIndex) implements DeviceMessage {}

  /** Asks which transactions the enabler has (inspection). */
  public record ListTransactions(ActorRef<TransactionList> replyTo) implements Command {}

  /** The enabler's live transactions, in creation order, and the adapters it has (one, two for duplex, none yet). */
  public record TransactionList(
      int enablerIndex, List<ActorRef<TransactionMessage>> transactions, List<AdapterArbiters> adapters)
      implements CborSerializable {
    public TransactionList {
      transactions = List.copyOf(transactions);
      adapters = List.copyOf(adapters);
    }
  }

  private record DeadlinePassed(long serial) implements Command, NoSerializationVerificationNeeded {}

  /**
   * The end of this enabler's part of a power walk.
   *
   * @param enabler the enabler with its (possibly new) failure flags
   * @param failedCallback the first callback that failed or hung, else {@code null}
   * @param failureStatus its status; {@code null} when it hung or nothing failed
   */
  public record PowerWalkDone(
      boolean powerUp,
      EnablerInfo enabler,
      CallbackKind failedCallback,
      NtStatus failureStatus,
      boolean hung,
      int callbacksInvoked)
      implements DeviceMessage {

    public boolean failed() {
      return failedCallback != null && !hung;
    }
  }

  /**
   * What the enabler's transactions are made with: their device's driver and the device itself
   * (bug checks go there), the device's DMA v2 packet slot, the platform page size, the driver's KMDF
   * version, the verifier, the real-time callback deadline, how the device arbitrates, and the run's
   * fault plan (each transaction takes its grants gate from it).
   */
  public record Environment(
      ActorRef<DriverMessage> driver,
      ActorRef<DeviceMessage> device,
      PacketDmaSlot packetSlot,
      int pageSize,
      int kmdfMinorVersion,
      VerifierSettings verifier,
      Duration realDeadline,
      TraceSink trace,
      DmaObserver observer,
      ArbitrationSettings arbitration,
      FaultPlan faults) {

    /** An environment without faults. */
    public Environment(
        ActorRef<DriverMessage> driver,
        ActorRef<DeviceMessage> device,
        PacketDmaSlot packetSlot,
        int pageSize,
        int kmdfMinorVersion,
        VerifierSettings verifier,
        Duration realDeadline,
        TraceSink trace,
        DmaObserver observer,
        ArbitrationSettings arbitration) {
      this(driver, device, packetSlot, pageSize, kmdfMinorVersion, verifier, realDeadline, trace, observer, arbitration,
          FaultPlan.NONE);
    }

    public Environment {
      faults = faults == null ? FaultPlan.NONE : faults;
    }
  }

  private final Environment env;
  private final ActorRef<DriverMessage> driver;
  private final Duration realDeadline;
  private final NodeClock clock;
  private final TraceSink trace;
  private EnablerInfo info;
  private AdapterArbiters readAdapter;
  private AdapterArbiters writeAdapter;
  private long transactions;
  private final java.util.ArrayList<ActorRef<TransactionMessage>> children = new java.util.ArrayList<>(2);
  /** The adapters' locks and pools this enabler spawned (not a shared domain's): retired with it. */
  private final java.util.List<ActorRef<AdapterLockMessage>> ownLocks = new java.util.ArrayList<>(2);
  private final java.util.List<ActorRef<MapRegisterMessage>> ownPools = new java.util.ArrayList<>(2);
  /** While retiring: own arbiters not stopped yet; -1 before. */
  private int arbitersLeft = -1;
  private int disposing;
  private ActorRef<TransactionsDisposed> disposeReplyTo;

  // The walk in progress.
  private boolean powerUp;
  private List<EnablerCallback> sequence = List.of();
  private int position;
  private int invoked;
  private CallbackOutcome firstFailure;
  private ActorRef<PowerWalkDone> replyTo;
  private PendingCallback pending;
  private long serial;

  /**
   * The enabler goes away with its device's objects: its transactions stop, its own adapters' lock
   * and map-register pool stop once they have handled what was sent to them before (the frees of
   * the transactions' last FreeResources and Release; {@link MapRegisterMessage.Retire}), then the
   * enabler stops. A shared domain's arbiters are not its own and stay.
   */
  public enum Retire implements EnablerMessage {
    INSTANCE
  }

  /** One of the enabler's own arbiters has stopped. */
  private enum ArbiterStopped implements EnablerMessage {
    INSTANCE
  }

  public static Behavior<EnablerMessage> create(EnablerInfo info, Environment env) {
    return Behaviors.setup(context -> new DmaEnabler(context, info, env));
  }

  private DmaEnabler(ActorContext<EnablerMessage> context, EnablerInfo info, Environment env) {
    super(context);
    this.info = info;
    this.env = env;
    this.driver = env.driver();
    this.realDeadline = env.realDeadline();
    this.trace = env.trace();
    this.clock = NodeClock.get(context.getSystem());
  }

  @Override
  public Receive<EnablerMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(PowerUp.class, this::onPowerUp)
        .onMessage(PowerDown.class, this::onPowerDown)
        .onMessage(CallbackReturn.class, this::onCallbackReturn)
        .onMessage(DeadlinePassed.class, this::onDeadlinePassed)
        .onMessage(WdfDmaTransactionCreate.class, this::onTransactionCreate)
        .onMessage(DisposeTransactions.class, this::onDisposeTransactions)
        .onMessage(SystemProfileConfigured.class, this::onSystemProfileConfigured)
        .onMessage(DmaTransaction.Disposed.class, this::onTransactionDisposed)
        .onMessage(ListTransactions.class, this::onListTransactions)
        .onMessageEquals(Retire.INSTANCE, this::onRetire)
        .onMessageEquals(ArbiterStopped.INSTANCE, this::onArbiterStopped)
        .build();
  }

  private Behavior<EnablerMessage> onPowerUp(PowerUp command) {
    return startWalk(true, EnablerPower.powerUpSequence(info), command.replyTo());
  }

  private Behavior<EnablerMessage> onPowerDown(PowerDown command) {
    return startWalk(false, EnablerPower.powerDownSequence(info), command.replyTo());
  }

  private Behavior<EnablerMessage> startWalk(boolean up, List<EnablerCallback> callbacks, ActorRef<PowerWalkDone> reply) {
    powerUp = up;
    sequence = callbacks;
    position = 0;
    invoked = 0;
    firstFailure = null;
    replyTo = reply;
    return invokeNext();
  }

  private Behavior<EnablerMessage> invokeNext() {
    if (position >= sequence.size()) {
      return finish(false);
    }
    EnablerCallback next = sequence.get(position);
    long id = ++serial;
    pending =
        PendingCallback.send(
            getContext(),
            driver,
            message(next, info.handle(), getContext().getSelf().narrow()),
            id,
            realDeadline,
            new DeadlinePassed(id),
            clock);
    return this;
  }

  private Behavior<EnablerMessage> onCallbackReturn(CallbackReturn returned) {
    if (pending == null || !pending.answeredBy(returned)) {
      // Late (after its deadline) or repeated: the callback it returns from is over.
      return this;
    }
    CallbackOutcome outcome = pending.returned(returned.status(), clock, trace);
    pending = null;
    return onOutcome(outcome);
  }

  private Behavior<EnablerMessage> onDeadlinePassed(DeadlinePassed deadline) {
    if (pending == null || pending.serial() != deadline.serial()) {
      return this;
    }
    CallbackOutcome outcome = pending.expired(clock, trace);
    pending = null;
    return onOutcome(outcome);
  }

  private Behavior<EnablerMessage> onOutcome(CallbackOutcome outcome) {
    invoked++;
    if (outcome.hung()) {
      firstFailure = outcome;
      return finish(true);
    }
    EnablerCallback current = sequence.get(position);
    position++;
    if (outcome.failed()) {
      if (firstFailure == null) {
        firstFailure = outcome;
      }
      if (powerUp) {
        // §2.3/§2.4: the flag is set and the rest of this enabler's power-up is skipped.
        info = EnablerPower.afterPowerUpFailure(info, current);
        return finish(false);
      }
      // §2.4: on power-down a failure is accumulated and the other callbacks still run.
    }
    return invokeNext();
  }

  private Behavior<EnablerMessage> finish(boolean hung) {
    replyTo.tell(
        new PowerWalkDone(
            powerUp,
            info,
            firstFailure == null ? null : firstFailure.kind(),
            firstFailure == null ? null : firstFailure.status(),
            hung,
            invoked));
    replyTo = null;
    return this;
  }

  // ---- Transactions and adapters -------------------------------------------------------------

  private Behavior<EnablerMessage> onTransactionCreate(WdfDmaTransactionCreate create) {
    if (create.parentGiven()) {
      // The parent of a transaction is always its enabler (§3.3).
      create.replyTo().tell(new TransactionCreateResult(NtStatus.STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED, null));
      return this;
    }
    ensureAdapters();
    long id = ++transactions;
    String deviceId = info.handle().deviceId();
    // The gate's key names the transaction within its device: enabler index and transaction id.
    MessageGate grants = env.faults().gate(
        deviceId, env.arbitration().group(), "grants/enabler-" + info.handle().index() + "/tx-" + id);
    DmaTransaction.Settings settings =
        new DmaTransaction.Settings(
            info, id, env.pageSize(), env.kmdfMinorVersion(), env.verifier(), realDeadline, readAdapter, writeAdapter,
            SystemController.defaults(), env.arbitration().requester(deviceId), grants);
    ActorRef<TransactionMessage> ref =
        getContext()
            .spawn(
                DmaTransaction.create(
                    settings, new DmaTransaction.Peers(driver, env.device(), env.packetSlot(), trace, env.observer())),
                "tx-" + id);
    children.add(ref);
    create.replyTo().tell(new TransactionCreateResult(NtStatus.STATUS_SUCCESS, new TransactionHandle(info.handle(), id, ref)));
    return this;
  }

  private Behavior<EnablerMessage> onDisposeTransactions(DisposeTransactions dispose) {
    disposeReplyTo = dispose.replyTo();
    disposing = children.size();
    ActorRef<DmaTransaction.Disposed> self = getContext().getSelf().narrow();
    for (ActorRef<TransactionMessage> tx : children) {
      tx.tell(new DmaTransaction.Dispose(self));
    }
    children.clear();
    return disposing == 0 ? disposed() : this;
  }

  private Behavior<EnablerMessage> onListTransactions(ListTransactions list) {
    List<AdapterArbiters> adapters = new java.util.ArrayList<>(2);
    if (readAdapter != null) {
      adapters.add(readAdapter);
    }
    if (writeAdapter != null && writeAdapter != readAdapter) {
      adapters.add(writeAdapter);
    }
    list.replyTo().tell(new TransactionList(info.handle().index(), children, adapters));
    return this;
  }

  private Behavior<EnablerMessage> onTransactionDisposed(DmaTransaction.Disposed disposed) {
    return --disposing == 0 ? disposed() : this;
  }

  private Behavior<EnablerMessage> disposed() {
    disposeReplyTo.tell(new TransactionsDisposed(info.handle().index()));
    disposeReplyTo = null;
    return this;
  }

  private Behavior<EnablerMessage> onSystemProfileConfigured(SystemProfileConfigured configured) {
    info = configured.enabler().withFailureFlags(info.fillFailed(), info.enableFailed(), info.selfManagedIoStartFailed());
    return this;
  }

  /**
   * One lock and one map-register pool per WDM adapter, spawned when the first transaction needs
   * them (a System enabler's adapters appear with ConfigureSystemProfile, one direction at a time);
   * or the shared domain's.
   */
  private void ensureAdapters() {
    for (AdapterInfo adapter : info.adapters()) {
      boolean read = adapter.direction() == null || adapter.direction() == DmaDirection.READ_FROM_DEVICE;
      boolean write = adapter.direction() == null || adapter.direction() == DmaDirection.WRITE_TO_DEVICE;
      if ((read && readAdapter == null) || (write && writeAdapter == null && !read)) {
        AdapterArbiters arbiters = arbiters(adapter);
        if (read) {
          readAdapter = arbiters;
        }
        if (write) {
          writeAdapter = arbiters;
        }
      }
    }
  }

  private AdapterArbiters arbiters(AdapterInfo adapter) {
    ArbitrationSettings arbitration = env.arbitration();
    AdapterDomain domain = arbitration.sharedDomain();
    if (domain != null) {
      // The device's platform already held the adapter to the domain's size (§4.1, DeviceSettings.adapterPlatform).
      return new AdapterArbiters(
          domain.id(), adapter.mapRegisters(), adapter.maximumFragmentLength(), domain.lock(), domain.registers());
    }
    String suffix = adapter.direction() == null ? "" : adapter.direction() == DmaDirection.READ_FROM_DEVICE ? "-read" : "-write";
    String id = info.handle() + suffix;
    String name = "adapter" + suffix;
    ActorRef<AdapterLockMessage> lock =
        getContext().spawn(AdapterLock.create(id, arbitration.newLockPolicy(id), env.observer()), name + "-lock");
    ActorRef<MapRegisterMessage> registers = getContext().spawn(
        MapRegisterPool.create(id, adapter.mapRegisters(), arbitration.newRegisterPolicy(id), env.observer()),
        name + "-registers");
    ownLocks.add(lock);
    ownPools.add(registers);
    return new AdapterArbiters(id, adapter.mapRegisters(), adapter.maximumFragmentLength(), lock, registers);
  }

  private Behavior<EnablerMessage> onRetire() {
    if (arbitersLeft >= 0) {
      return this;
    }
    for (ActorRef<TransactionMessage> tx : children) {
      getContext().stop(tx);
    }
    children.clear();
    arbitersLeft = ownLocks.size() + ownPools.size();
    if (arbitersLeft == 0) {
      return Behaviors.stopped();
    }
    for (ActorRef<AdapterLockMessage> lock : ownLocks) {
      getContext().watchWith(lock, ArbiterStopped.INSTANCE);
      lock.tell(AdapterLockMessage.Retire.INSTANCE);
    }
    for (ActorRef<MapRegisterMessage> pool : ownPools) {
      getContext().watchWith(pool, ArbiterStopped.INSTANCE);
      pool.tell(MapRegisterMessage.Retire.INSTANCE);
    }
    return this;
  }

  private Behavior<EnablerMessage> onArbiterStopped() {
    arbitersLeft--;
    return arbitersLeft == 0 ? Behaviors.stopped() : this;
  }

  private static DriverCallback message(
      EnablerCallback callback, EnablerHandle handle, ActorRef<CallbackReturn> reply) {
    switch (callback) {
      case FILL:
        return new DriverCallback.EvtDmaEnablerFill(handle, reply);
      case ENABLE:
        return new DriverCallback.EvtDmaEnablerEnable(handle, reply);
      case SELF_MANAGED_IO_START:
        return new DriverCallback.EvtDmaEnablerSelfManagedIoStart(handle, reply);
      case SELF_MANAGED_IO_STOP:
        return new DriverCallback.EvtDmaEnablerSelfManagedIoStop(handle, reply);
      case DISABLE:
        return new DriverCallback.EvtDmaEnablerDisable(handle, reply);
      default:
        return new DriverCallback.EvtDmaEnablerFlush(handle, reply);
    }
  }
}
