package org.dmaemu.transaction;

import akka.actor.Cancellable;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.driver.CallbackOutcome;
import org.dmaemu.driver.PendingCallback;
import org.dmaemu.fault.Injection;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfigFlags;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.enabler.EnablerMessage;
import org.dmaemu.protocol.transaction.DmaCompletionStatus;
import org.dmaemu.protocol.transaction.ScatterGatherList;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.protocol.transaction.TransactionView;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.protocol.verifier.BugCheckRaised;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.verifier.VerifierSettings;

/**
 * One WDFDMATRANSACTION (reference §3): the nine states of §3.1, the API × state matrix of §3.2
 * with the per-API rules of §3.3, fragmentation per profile (§3.4), the DmaCompleted* algorithm
 * (§3.5), reservation (§5) and cancellation (§6.1).
 *
 * <p>Resources come from the adapter's arbitration actors: the adapter lock, then the map
 * registers, then the adapter-control routine (EvtProgramDma or EvtReserveDma) runs while the lock
 * is held, as the HAL does. Packet transactions keep their map registers for the whole
 * transaction; scatter-gather fragments each re-enter arbitration.
 *
 * <p>Every call that KMDF answers with a bug check becomes a {@link BugCheck} reported to the
 * device; with {@link OnViolation#RECORD} the call returns without effect.
 */
public final class DmaTransaction extends AbstractBehavior<TransactionMessage> {

  /**
   * What a transaction is fixed with at WdfDmaTransactionCreate.
   *
   * @param read the adapter for reads; for simplex enablers the same as {@code write}; {@code null}
   *     when the enabler has no adapter for that direction (an unconfigured system profile)
   * @param controller the system DMA controller that moves System-profile transfers
   * @param requester who the transaction's lock and map-register requests say is asking
   * @param grants the gate its grants pass (DESIGN §10, the grants path); while it can act on grants,
   *     the transaction acknowledges each grant so that its arbiter sends a lost one again
   */
  public record Settings(
      EnablerInfo enabler,
      long id,
      int pageSize,
      int kmdfMinorVersion,
      VerifierSettings verifier,
      Duration realDeadline,
      AdapterArbiters read,
      AdapterArbiters write,
      SystemController controller,
      Requester requester,
      MessageGate grants) {

    /** A transaction whose grants no fault touches. */
    public Settings(
        EnablerInfo enabler,
        long id,
        int pageSize,
        int kmdfMinorVersion,
        VerifierSettings verifier,
        Duration realDeadline,
        AdapterArbiters read,
        AdapterArbiters write,
        SystemController controller,
        Requester requester) {
      this(enabler, id, pageSize, kmdfMinorVersion, verifier, realDeadline, read, write, controller, requester,
          MessageGate.NONE);
    }

    public Settings {
      grants = grants == null ? MessageGate.NONE : grants;
    }
  }

  /** Where the transaction's messages go besides its arbiters. */
  public record Peers(
      ActorRef<DriverMessage> driver,
      ActorRef<DeviceMessage> device,
      PacketDmaSlot packetSlot,
      TraceSink trace,
      DmaObserver observer) {}

  private record DeadlinePassed(long serial) implements TransactionMessage, NoSerializationVerificationNeeded {}

  /** The system DMA controller finished the transfer it was given (serial: which one). */
  private record ControllerDone(long serial) implements TransactionMessage, NoSerializationVerificationNeeded {}

  /** The framework deletes the object with its parent (device removal): Dispose (§3.3, §6.4). */
  public record Dispose(ActorRef<Disposed> replyTo) implements TransactionMessage {}

  /** Asks for the transaction's {@link TransactionView} (inspection; changes nothing). */
  public record Inspect(ActorRef<TransactionView> replyTo) implements TransactionMessage {}

  /** The transaction is gone; everything it held was freed. */
  public record Disposed(long id) implements EnablerMessage {}

  /** Where a resource allocation stands. */
  private enum Allocation {
    NONE,
    WAIT_LOCK,
    WAIT_REGISTERS
  }

  /** A system transfer: not mapped yet, running on the controller, or finished by it. */
  private enum SystemTransfer {
    NOT_MAPPED,
    RUNNING,
    FINISHED
  }

  /** The three flavours of DmaCompleted* (§3.5). */
  private enum Completion {
    FULL,
    PARTIAL,
    ABORT
  }

  private static final String SECTION_MATRIX = "§3.2";
  /** DPC_WATCHDOG_VIOLATION: dispatch-level code that runs too long. */
  static final int DPC_WATCHDOG_VIOLATION = 0x133;

  private final Settings settings;
  private final Peers peers;
  private final TransactionHandle handle;
  private final NodeClock clock;
  private final DmaProfile profile;
  private final boolean dmaV3;
  private final int pageSize;

  private TransactionState state = TransactionState.CREATED;

  // Initialization (cleared by Reset).
  private DmaDirection direction = DmaDirection.READ_FROM_DEVICE;
  private AdapterArbiters adapter;
  private long length;
  private int pageOffset;
  private long maxFragmentLength;
  private boolean singleTransfer;
  private boolean immediate;

  // Progress.
  private long transferred;
  private long remaining;
  private long currentLength;

  // Resources, owed to the adapter that granted them (Reset may forget the chosen adapter before they come back).
  private AdapterArbiters holding;
  private boolean slotHeld;
  private boolean lockHeld;
  private long lockGrantedAtMicros;
  /** Pool request of the registers held by this transfer (packet: whole transaction; SG: fragment); 0 if none. */
  private long registerGrant;
  private int registerCount;
  /** The map-register base of the transfer's grant and of the reservation: what a rebuilding pool is told. */
  private int registerBase;
  private int reservationBase;
  private long registersGrantedAtMicros;
  private long reservationGrantedAtMicros;
  /** Map registers reserved by AllocateResources; survives Release (§3.1 Reset). */
  private int reservedCount;
  private long reservationGrant;
  private boolean allocatingReservation;

  // The allocation in flight.
  private Allocation allocation = Allocation.NONE;
  private long lockRequest;
  private long poolRequest;
  private long requestedAtMicros;
  private int requestedRegisters;
  private long requestSeq;
  /**
   * The allocation's grants can be lost on the way here (its gate covers grants): its requests ask
   * for acknowledgement and each grant is acknowledged, so that the arbiter re-sends a lost one.
   * Decided per allocation: a fault injected into the running run may start covering grants.
   */
  private boolean acknowledge;
  /** Execute or AllocateResources with immediate execution waits for the allocation's outcome. */
  private TransactionDdi awaitingAllocation;
  /** A Cancel waiting for the arbiter's answer. */
  private TransactionDdi awaitingCancel;
  /** The last request whose grant passed the grants gate: a grant is gated once, on its first arrival. */
  private long grantDrawn;
  /**
   * Requests given up (cancelled) that the lock or the pool may still grant: such a grant is handed
   * straight back. Any other grant that is not awaited is a second copy, or the crashed arbiter's,
   * and is ignored. {@code null} while empty.
   */
  private HashSet<Long> owedLock;
  private HashSet<Long> owedPool;

  // Callbacks: one outstanding at a time, the rest wait in order.
  private PendingCallback pending;
  private final ArrayDeque<DriverCallback> queuedCallbacks = new ArrayDeque<>(2);
  private long callbackSerial;
  private boolean lastCallbackResult;
  /** The lock is given back when the adapter-control callback (EvtProgramDma, EvtReserveDma) returns. */
  private boolean releaseLockOnReturn;

  // System profile (§3.4 System, §6.2): callbacks set by the driver, the controller's transfer.
  private boolean transferCompleteRegistered;
  private boolean channelConfigurationRegistered;
  /** StopSystemTransfer set the cancelled flag; the next staging sees it. */
  private boolean cancelled;
  /** Where the current system transfer is. */
  private SystemTransfer systemTransfer = SystemTransfer.NOT_MAPPED;
  private Cancellable controllerCompletion;
  private long controllerSerial;
  /** The fragment waiting for EvtDmaTransactionConfigureDmaChannel's answer. */
  private ScatterGatherList awaitingChannelConfiguration;
  /** Staging that found the cancelled flag: true from DmaCompleted*, false from the adapter-control path. */
  private boolean stagingFromDmaCompleted;

  public static Behavior<TransactionMessage> create(Settings settings, Peers peers) {
    return Behaviors.setup(context -> new DmaTransaction(context, settings, peers));
  }

  private DmaTransaction(ActorContext<TransactionMessage> context, Settings settings, Peers peers) {
    super(context);
    this.settings = settings;
    this.peers = peers;
    this.handle = new TransactionHandle(settings.enabler().handle(), settings.id(), context.getSelf());
    this.clock = NodeClock.get(context.getSystem());
    this.profile = settings.enabler().config().profile();
    this.dmaV3 = settings.enabler().version().usesDmaV3();
    this.pageSize = settings.pageSize();
    reset();
  }

  @Override
  public Receive<TransactionMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(TransactionDdi.WdfDmaTransactionInitialize.class, this::onInitialize)
        .onMessage(TransactionDdi.WdfDmaTransactionInitializeUsingRequest.class, this::onInitializeUsingRequest)
        .onMessage(TransactionDdi.WdfDmaTransactionExecute.class, this::onExecute)
        .onMessage(TransactionDdi.WdfDmaTransactionDmaCompleted.class, this::onDmaCompleted)
        .onMessage(TransactionDdi.WdfDmaTransactionDmaCompletedWithLength.class, this::onDmaCompletedWithLength)
        .onMessage(TransactionDdi.WdfDmaTransactionDmaCompletedFinal.class, this::onDmaCompletedFinal)
        .onMessage(TransactionDdi.WdfDmaTransactionRelease.class, this::onRelease)
        .onMessage(TransactionDdi.WdfObjectDelete.class, this::onDelete)
        .onMessage(TransactionDdi.WdfDmaTransactionAllocateResources.class, this::onAllocateResources)
        .onMessage(TransactionDdi.WdfDmaTransactionFreeResources.class, this::onFreeResources)
        .onMessage(TransactionDdi.WdfDmaTransactionCancel.class, this::onCancel)
        .onMessage(TransactionDdi.WdfDmaTransactionSetMaximumLength.class, this::onSetMaximumLength)
        .onMessage(TransactionDdi.WdfDmaTransactionSetImmediateExecution.class, this::onSetImmediateExecution)
        .onMessage(TransactionDdi.WdfDmaTransactionSetSingleTransferRequirement.class, this::onSetSingleTransfer)
        .onMessage(TransactionDdi.WdfDmaTransactionSetTransferCompleteCallback.class, this::onSetTransferCompleteCallback)
        .onMessage(TransactionDdi.WdfDmaTransactionSetChannelConfigurationCallback.class, this::onSetChannelConfigurationCallback)
        .onMessage(TransactionDdi.WdfDmaTransactionStopSystemTransfer.class, this::onStopSystemTransfer)
        .onMessage(ControllerDone.class, this::onControllerDone)
        .onMessage(AdapterReply.AdapterGranted.class, this::onAdapterGranted)
        .onMessage(AdapterReply.AdapterUnavailable.class, this::onAdapterUnavailable)
        .onMessage(AdapterReply.AdapterRequestCancelled.class, this::onAdapterRequestCancelled)
        .onMessage(MapRegisterReply.MapRegistersGranted.class, this::onRegistersGranted)
        .onMessage(MapRegisterReply.MapRegistersUnavailable.class, this::onRegistersUnavailable)
        .onMessage(MapRegisterReply.MapRegisterRequestCancelled.class, this::onRegisterRequestCancelled)
        .onMessage(MapRegisterReply.MapRegistersNotHeld.class, this::onRegistersNotHeld)
        .onMessage(AdapterReply.ReportAdapterHolding.class, this::onReportAdapterHolding)
        .onMessage(MapRegisterReply.ReportMapRegisterHolding.class, this::onReportMapRegisterHolding)
        .onMessage(CallbackReturn.class, this::onCallbackReturn)
        .onMessage(DeadlinePassed.class, this::onDeadlinePassed)
        .onMessage(Dispose.class, this::onDispose)
        .onMessage(Inspect.class, this::onInspect)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  // ---- Initialize (§3.3) ---------------------------------------------------------------------

  private Behavior<TransactionMessage> onInspect(Inspect inspect) {
    int held = registerGrant != 0 ? registerCount : 0;
    if (reservedCount > 0 && reservationGrant != 0 && reservationGrant != registerGrant) {
      held += reservedCount;
    }
    String waitingFor = switch (allocation) {
      case WAIT_LOCK -> "adapter lock";
      case WAIT_REGISTERS -> "map registers";
      case NONE -> "";
    };
    inspect.replyTo().tell(new TransactionView(
        handle.enabler().index(), handle.id(), state, direction, length, transferred, waitingFor, lockHeld, held,
        reservedCount));
    return this;
  }

  private Behavior<TransactionMessage> onInitialize(TransactionDdi.WdfDmaTransactionInitialize call) {
    return initialize(call, call.direction(), call.length(), call.pageOffset());
  }

  private Behavior<TransactionMessage> onInitializeUsingRequest(
      TransactionDdi.WdfDmaTransactionInitializeUsingRequest call) {
    if (call.length() == 0) {
      // InitializeUsingRequest rejects a zero-length request with STATUS_INVALID_DEVICE_REQUEST (§3.3).
      return reply(call, NtStatus.STATUS_INVALID_DEVICE_REQUEST);
    }
    return initialize(call, call.direction(), call.length(), call.pageOffset());
  }

  private Behavior<TransactionMessage> initialize(
      TransactionDdi call, DmaDirection dir, long bytes, int offset) {
    // Parameters are checked before the state (§3.2).
    if (bytes <= 0 || dir == null || offset < 0 || offset >= pageSize) {
      return reply(call, NtStatus.STATUS_INVALID_PARAMETER);
    }
    if (state != TransactionState.CREATED
        && state != TransactionState.RESERVED
        && state != TransactionState.RELEASED) {
      return fatal(call, "K1", "Initialize* outside Created, Reserved, Released");
    }
    AdapterArbiters chosen = adapterFor(dir);
    if (chosen == null) {
      return nullAdapter(call);
    }
    long truncated = bytes & 0xFFFF_FFFFL;
    long fragment = chosen.maximumFragmentLength();
    if (singleTransfer) {
      fragment = settings.enabler().storedMaximumLength();
      if (truncated > fragment) {
        return failInitialize(call, NtStatus.STATUS_WDF_TOO_MANY_TRANSFERS);
      }
      int available = reservedCount > 0 ? reservedCount : chosen.mapRegisters();
      if (pagesSpanned(offset, truncated) > available) {
        return failInitialize(call, NtStatus.STATUS_WDF_NOT_ENOUGH_MAP_REGISTERS);
      }
    }
    direction = dir;
    adapter = chosen;
    length = truncated;
    pageOffset = offset;
    maxFragmentLength = fragment;
    transferred = 0;
    remaining = truncated;
    currentLength = 0;
    state = TransactionState.INITIALIZED;
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  /** Any Initialize failure resets like Release and leaves the transaction Released (§3.3). */
  private Behavior<TransactionMessage> failInitialize(TransactionDdi call, NtStatus status) {
    reset();
    state = TransactionState.RELEASED;
    return reply(call, status);
  }

  // ---- Execute (§3.3, §3.4, §4.4) ------------------------------------------------------------

  private Behavior<TransactionMessage> onExecute(TransactionDdi.WdfDmaTransactionExecute call) {
    if (state != TransactionState.INITIALIZED) {
      return fatal(call, "K2", "Execute when not Initialized");
    }
    // State Transfer is set before the first allocation: EvtProgramDma may run before Execute returns.
    state = TransactionState.TRANSFER;
    if (reservedCount > 0) {
      if (reservationGrant != 0) {
        // §5: Execute with a reservation calls the adapter-control routine directly: EvtProgramDma
        // runs synchronously inside Execute, without arbitration.
        stagingFromDmaCompleted = false;
        stageFragment();
      }
      // A reservation still being granted: EvtProgramDma follows EvtReserveDma.
      return reply(call, NtStatus.STATUS_SUCCESS);
    }
    if (profile.isPacket() && !dmaV3) {
      if (!peers.packetSlot().tryAcquire()) {
        // §4.4: DMA v2 lets one packet transaction of a device run at a time.
        state = TransactionState.TRANSFER_FAILED;
        return reply(call, NtStatus.STATUS_WDF_BUSY);
      }
      slotHeld = true;
    }
    // System: the channel and all of the adapter's map registers (§4.3).
    int registers =
        profile.isSystem()
            ? adapter.mapRegisters()
            : profile.isScatterGather() ? pagesOfNextFragment() : packetRegistersNeeded();
    if (registers > adapter.mapRegisters()) {
      return failExecute(call, NtStatus.STATUS_INSUFFICIENT_RESOURCES);
    }
    startAllocation(registers, false);
    if (immediate) {
      awaitingAllocation = call;
      return this;
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private Behavior<TransactionMessage> failExecute(TransactionDdi call, NtStatus status) {
    state = TransactionState.TRANSFER_FAILED;
    releaseSlot();
    return reply(call, status);
  }

  /**
   * §3.4 packet step 2: the registers for the whole transaction are the pages the first fragment
   * spans where it really starts if it is the only one, else the worst case (starting at the last
   * byte of a page) so that any later, unaligned fragment fits.
   */
  private int packetRegistersNeeded() {
    long first = Math.min(remaining, maxFragmentLength);
    return first >= length ? pagesSpanned(pageOffset, length) : pagesSpanned(pageSize - 1, first);
  }

  private int pagesOfNextFragment() {
    long fragment = Math.min(remaining, maxFragmentLength);
    return pagesSpanned(currentPageOffset(), fragment);
  }

  // ---- Arbitration ---------------------------------------------------------------------------

  private void startAllocation(int registers, boolean reservation) {
    allocatingReservation = reservation;
    holding = adapter;
    requestedRegisters = registers;
    lockRequest = ++requestSeq;
    allocation = Allocation.WAIT_LOCK;
    acknowledge = settings.grants().covers(MessagePath.GRANTS);
    requestedAtMicros = clock.nowMicros();
    holding
        .lock()
        .tell(new AdapterLockMessage.AcquireAdapter(
            lockRequest, immediate, settings.requester(), getContext().getSelf().narrow(), acknowledge));
  }

  private Behavior<TransactionMessage> onAdapterGranted(AdapterReply.AdapterGranted granted) {
    long grant = granted.requestId();
    if (allocation != Allocation.WAIT_LOCK || grant != lockRequest) {
      if (owedLock != null && owedLock.remove(grant)) {
        // Granted after the request was given up (cancel race, release): hand it straight back.
        holding.lock().tell(new AdapterLockMessage.ReleaseAdapter(grant, getContext().getSelf().narrow()));
      }
      // Otherwise a second copy of a grant taken already, or the grant of a lock that crashed since: ignored.
      return this;
    }
    if (grantWithheld(granted, grant, "adapter lock ", granted.adapterId())) {
      return this;
    }
    if (acknowledge) {
      holding.lock().tell(new AdapterLockMessage.AdapterGrantReceived(grant, getContext().getSelf().narrow()));
    }
    lockHeld = true;
    lockGrantedAtMicros = clock.nowMicros();
    peers.observer().adapterLockWait(holding.adapterId(), handle.deviceId(), lockGrantedAtMicros - requestedAtMicros);
    allocation = Allocation.WAIT_REGISTERS;
    poolRequest = ++requestSeq;
    holding
        .pool()
        .tell(
            new MapRegisterMessage.AllocateMapRegisters(
                poolRequest, requestedRegisters, immediate, allocatingReservation, settings.requester(),
                getContext().getSelf().narrow(), acknowledge));
    return this;
  }

  private Behavior<TransactionMessage> onRegistersGranted(MapRegisterReply.MapRegistersGranted granted) {
    long grant = granted.requestId();
    if (allocation != Allocation.WAIT_REGISTERS || grant != poolRequest) {
      if (owedPool != null && owedPool.remove(grant)) {
        holding.pool().tell(new MapRegisterMessage.FreeMapRegisters(grant, getContext().getSelf().narrow()));
      }
      // Otherwise a second copy of a grant taken already, or the grant of a pool that crashed since: ignored.
      return this;
    }
    if (grantWithheld(granted, grant, "map registers ", granted.adapterId())) {
      return this;
    }
    if (acknowledge) {
      holding.pool().tell(new MapRegisterMessage.MapRegistersGrantReceived(grant, getContext().getSelf().narrow()));
    }
    allocation = Allocation.NONE;
    peers
        .observer()
        .mapRegisterWait(holding.adapterId(), handle.deviceId(), granted.count(), clock.nowMicros() - lockGrantedAtMicros);
    traceInstant("MapRegistersGranted", Map.of("adapter", holding.adapterId(), "count", Integer.toString(granted.count())));
    return adapterControl(grant, granted.count(), granted.base());
  }

  /**
   * The grants path of the fault plan (DESIGN §10): the grant of the request this transaction waits
   * for passes its gate once, on its first arrival — a redelivery or a second copy is not drawn
   * again, so a fault costs at most one redelivery timeout per grant. DROP loses it (the arbiter
   * sends it again, as it is not acknowledged); DELAY brings the same message back later;
   * DUPLICATE takes it and delivers a second copy, which is ignored.
   *
   * @return true if the grant is not to be taken now (dropped or delayed)
   */
  private boolean grantWithheld(TransactionMessage grant, long requestId, String arbiter, String adapterId) {
    if (requestId == grantDrawn) {
      return false;
    }
    grantDrawn = requestId;
    long now = clock.nowMicros();
    Injection injection = settings.grants().decide(MessagePath.GRANTS, now);
    if (injection == null) {
      return false;
    }
    peers.observer().faultInjected(
        injection.faultId(), handle.deviceId(), MessagePath.GRANTS.planName() + " " + injection.action().planName() + " "
            + arbiter + adapterId, now);
    switch (injection.action()) {
      case DROP:
        return true;
      case DELAY:
        getContext().scheduleOnce(clock.toReal(injection.delay()), getContext().getSelf(), grant);
        return true;
      case DUPLICATE:
      default:
        getContext().getSelf().tell(grant);
        return false;
    }
  }

  /**
   * The adapter-control routine (§3.4 step 4, §5): runs holding the adapter. For a reservation it
   * calls EvtReserveDma; otherwise it stages the fragment and calls EvtProgramDma. Packet and
   * scatter-gather give the adapter back when the callback returns; the map registers stay.
   */
  private Behavior<TransactionMessage> adapterControl(long grant, int count, int base) {
    TransactionDdi waiting = awaitingAllocation;
    awaitingAllocation = null;
    // Packet and scatter-gather release the adapter after the routine; System keeps the channel (KeepObject).
    releaseLockOnReturn = !profile.isSystem();
    stagingFromDmaCompleted = false;
    if (allocatingReservation) {
      reservationGrant = grant;
      reservedCount = count;
      reservationBase = base;
      reservationGrantedAtMicros = clock.nowMicros();
      invoke(new DriverCallback.EvtReserveDma(handle, getContext().getSelf().narrow()));
      if (state == TransactionState.TRANSFER) {
        // Executed while the reservation was pending: the transfer starts once EvtReserveDma ran.
        stageFragment();
      }
    } else {
      registerGrant = grant;
      registerCount = count;
      registerBase = base;
      registersGrantedAtMicros = clock.nowMicros();
      stageFragment();
    }
    if (waiting != null) {
      reply(waiting, NtStatus.STATUS_SUCCESS);
    }
    return this;
  }

  private Behavior<TransactionMessage> onAdapterUnavailable(AdapterReply.AdapterUnavailable refused) {
    if (allocation != Allocation.WAIT_LOCK || refused.requestId() != lockRequest) {
      return this;
    }
    return allocationFailed(refused.status());
  }

  private Behavior<TransactionMessage> onRegistersUnavailable(MapRegisterReply.MapRegistersUnavailable refused) {
    if (allocation != Allocation.WAIT_REGISTERS || refused.requestId() != poolRequest) {
      return this;
    }
    releaseLock();
    return allocationFailed(refused.status());
  }

  /**
   * §4.5 / §5 / §6.1: the allocation ends without a grant (refused, or cancelled); the transaction
   * is TransferFailed and a waiting Execute or AllocateResources returns {@code status}.
   */
  private Behavior<TransactionMessage> allocationFailed(NtStatus status) {
    allocation = Allocation.NONE;
    state = TransactionState.TRANSFER_FAILED;
    if (allocatingReservation) {
      reservedCount = 0;
      reservationGrant = 0;
    }
    releaseSlot();
    TransactionDdi waiting = awaitingAllocation;
    awaitingAllocation = null;
    if (waiting != null) {
      reply(waiting, status);
    }
    return this;
  }

  private void releaseLock() {
    if (lockHeld) {
      lockHeld = false;
      // Read the clock before the release: the span must end before the next holder's begins.
      long releasedAtMicros = clock.nowMicros();
      holding.lock().tell(new AdapterLockMessage.ReleaseAdapter(lockRequest, getContext().getSelf().narrow()));
      if (peers.trace().enabled()) {
        peers.trace().span("AdapterLockHeld", holding.adapterId(), lockGrantedAtMicros, releasedAtMicros,
            Map.of("device", handle.deviceId(), "transaction", handle.toString()));
      }
    }
  }

  private void freeTransferRegisters() {
    if (registerGrant != 0) {
      traceRegistersHeld(registersGrantedAtMicros, registerCount, false);
      holding.pool().tell(new MapRegisterMessage.FreeMapRegisters(registerGrant, getContext().getSelf().narrow()));
      registerGrant = 0;
      registerCount = 0;
    }
  }

  /** A span on the adapter's track for as long as this transaction held its map registers. */
  private void traceRegistersHeld(long fromMicros, int count, boolean reservation) {
    if (peers.trace().enabled()) {
      peers.trace().span("MapRegistersHeld", holding.adapterId(), fromMicros, clock.nowMicros(),
          Map.of("device", handle.deviceId(), "transaction", handle.toString(), "registers", Integer.toString(count),
              "reservation", Boolean.toString(reservation)));
    }
  }

  private void releaseSlot() {
    if (slotHeld) {
      slotHeld = false;
      peers.packetSlot().release();
    }
  }

  /** Gives back whatever a pending allocation holds or waits for. */
  private void abandonAllocation() {
    if (allocation == Allocation.WAIT_LOCK) {
      owedLock = owe(owedLock, lockRequest);
      holding.lock().tell(new AdapterLockMessage.CancelAdapterRequest(lockRequest, getContext().getSelf().narrow()));
    } else if (allocation == Allocation.WAIT_REGISTERS) {
      owedPool = owe(owedPool, poolRequest);
      holding.pool().tell(new MapRegisterMessage.CancelMapRegisterRequest(poolRequest, getContext().getSelf().narrow()));
      releaseLock();
    }
    allocation = Allocation.NONE;
  }

  private static HashSet<Long> owe(HashSet<Long> owed, long request) {
    HashSet<Long> set = owed == null ? new HashSet<>(2) : owed;
    set.add(request);
    return set;
  }

  /**
   * A lock restarted after a crash asks what this transaction holds of it and waits for (DESIGN
   * §10). A waiting request gets a new id: a grant the crashed lock sent for the old one (delayed
   * on the way) is then ignored, and only the rebuilt lock's grant counts. A request whose cancel
   * the crashed lock never answered is withdrawn here, as cancelled: the rebuilt lock will not
   * hear of it. Requests given up earlier are no longer owed back: the rebuilt lock never granted them.
   */
  private Behavior<TransactionMessage> onReportAdapterHolding(AdapterReply.ReportAdapterHolding query) {
    List<Long> held = List.of();
    List<AdapterLockMessage.LockWait> waiting = List.of();
    if (holding != null && holding.adapterId().equals(query.adapterId())) {
      owedLock = null;
      if (lockHeld) {
        held = List.of(lockRequest);
      }
      if (allocation == Allocation.WAIT_LOCK) {
        if (awaitingCancel != null) {
          cancelAnswered(true);
        } else {
          lockRequest = ++requestSeq;
          waiting = List.of(new AdapterLockMessage.LockWait(lockRequest, immediate, acknowledge, requestedAtMicros));
        }
      }
    }
    query.replyTo().tell(new AdapterLockMessage.AdapterHolding(
        query.rebuild(), getContext().getSelf().narrow(), settings.requester(), held, waiting));
    return this;
  }

  /** As {@link #onReportAdapterHolding}, for the map-register pool: its grants held (reservation too) and the request waiting. */
  private Behavior<TransactionMessage> onReportMapRegisterHolding(MapRegisterReply.ReportMapRegisterHolding query) {
    List<MapRegisterMessage.RegistersHeld> held = new ArrayList<>(2);
    List<MapRegisterMessage.RegistersWait> waiting = List.of();
    if (holding != null && holding.adapterId().equals(query.adapterId())) {
      owedPool = null;
      if (reservationGrant != 0) {
        held.add(new MapRegisterMessage.RegistersHeld(reservationGrant, reservedCount, reservationBase, true));
      }
      if (registerGrant != 0 && registerGrant != reservationGrant) {
        held.add(new MapRegisterMessage.RegistersHeld(registerGrant, registerCount, registerBase, false));
      }
      if (allocation == Allocation.WAIT_REGISTERS) {
        if (awaitingCancel != null) {
          releaseLock();
          cancelAnswered(true);
        } else {
          poolRequest = ++requestSeq;
          waiting = List.of(new MapRegisterMessage.RegistersWait(
              poolRequest, requestedRegisters, immediate, allocatingReservation, acknowledge, lockGrantedAtMicros));
        }
      }
    }
    query.replyTo().tell(new MapRegisterMessage.MapRegisterHolding(
        query.rebuild(), getContext().getSelf().narrow(), settings.requester(), held, waiting));
    return this;
  }

  private Behavior<TransactionMessage> onRegistersNotHeld(MapRegisterReply.MapRegistersNotHeld notHeld) {
    return violation(
        "FreeMapRegisters", "E6-0x05", "§8.4", BugCheck.DRIVER_VERIFIER_DMA_VIOLATION, 0x05,
        "map registers freed twice (request " + notHeld.requestId() + ")");
  }

  // ---- Staging and EvtProgramDma (§3.4) ------------------------------------------------------

  /**
   * Maps the next fragment and calls EvtProgramDma for it. System: the cancelled flag ends staging
   * with STATUS_CANCELLED, and EvtDmaTransactionConfigureDmaChannel comes first when registered.
   */
  private void stageFragment() {
    if (profile.isSystem() && cancelled) {
      stagingCancelled();
      return;
    }
    long fragment = Math.min(remaining, maxFragmentLength);
    if (reservedCount > 0 && !profile.isScatterGather()) {
      // §3.4 packet step 5: clipped to what the reserved registers can map from the current page offset.
      long byReservation = (long) (reservedCount - 1) * pageSize + (pageSize - currentPageOffset());
      fragment = Math.min(fragment, byReservation);
    }
    if (fragment <= 0) {
      violation(
          "StageTransfer", "E6-0x21", "§8.4", BugCheck.DRIVER_VERIFIER_DMA_VIOLATION, 0x21,
          "zero-length mapping (maximum fragment length " + maxFragmentLength + ")");
      return;
    }
    int pages = pagesSpanned(currentPageOffset(), fragment);
    int elements = profile.isScatterGather() ? pages : 1;
    int registers = profile.isScatterGather() ? registerCount : pages;
    currentLength = fragment;
    remaining -= fragment;
    ScatterGatherList sg = new ScatterGatherList(transferred, fragment, elements, registers);
    if (profile.isSystem() && channelConfigurationRegistered) {
      awaitingChannelConfiguration = sg;
      invoke(new DriverCallback.EvtDmaTransactionConfigureDmaChannel(handle, sg.offset(), sg.length(),
          getContext().getSelf().narrow()));
      return;
    }
    programDma(sg);
  }

  /** EvtProgramDma for a mapped fragment; a System fragment is mapped on the controller from here on. */
  private void programDma(ScatterGatherList sg) {
    if (profile.isSystem()) {
      systemTransfer = SystemTransfer.RUNNING;
    }
    invoke(new DriverCallback.EvtProgramDma(handle, direction, sg, getContext().getSelf().narrow()));
  }

  /**
   * §6.2: staging after StopSystemTransfer. From the adapter-control path KMDF synthesizes
   * EvtDmaTransactionDmaTransferComplete(DmaCancelled) and the transaction stays in Transfer; from
   * DmaCompleted* that call returns TRUE with STATUS_CANCELLED (handled there).
   */
  private void stagingCancelled() {
    currentLength = 0;
    if (!stagingFromDmaCompleted && transferCompleteRegistered) {
      invoke(new DriverCallback.EvtDmaTransactionDmaTransferComplete(
          handle, direction, DmaCompletionStatus.DMA_CANCELLED, getContext().getSelf().narrow()));
    }
  }

  /** The system DMA controller moves the fragment EvtProgramDma set up; its completion routine follows. */
  private void startControllerTransfer() {
    long serial = ++controllerSerial;
    Duration modeled = settings.controller().transferTime(currentLength);
    if (modeled.isZero()) {
      getContext().getSelf().tell(new ControllerDone(serial));
    } else {
      controllerCompletion = getContext().scheduleOnce(clock.toReal(modeled), getContext().getSelf(), new ControllerDone(serial));
    }
  }

  private Behavior<TransactionMessage> onControllerDone(ControllerDone done) {
    if (done.serial() != controllerSerial || systemTransfer != SystemTransfer.RUNNING) {
      return this;
    }
    systemTransfer = SystemTransfer.FINISHED;
    controllerCompletion = null;
    if (transferCompleteRegistered) {
      // The HAL's completion routine is set only with the callback (§3.4); otherwise the device tells the driver.
      invoke(new DriverCallback.EvtDmaTransactionDmaTransferComplete(
          handle, direction, DmaCompletionStatus.DMA_COMPLETE, getContext().getSelf().narrow()));
    }
    return this;
  }

  private void cancelControllerTransfer() {
    if (controllerCompletion != null) {
      controllerCompletion.cancel();
      controllerCompletion = null;
    }
    controllerSerial++;
    systemTransfer = SystemTransfer.NOT_MAPPED;
  }

  // ---- DmaCompleted* (§3.5) ------------------------------------------------------------------

  private Behavior<TransactionMessage> onDmaCompleted(TransactionDdi.WdfDmaTransactionDmaCompleted call) {
    return dmaCompleted(call, Completion.FULL, 0);
  }

  private Behavior<TransactionMessage> onDmaCompletedWithLength(
      TransactionDdi.WdfDmaTransactionDmaCompletedWithLength call) {
    return dmaCompleted(call, Completion.PARTIAL, call.length());
  }

  private Behavior<TransactionMessage> onDmaCompletedFinal(TransactionDdi.WdfDmaTransactionDmaCompletedFinal call) {
    return dmaCompleted(call, Completion.ABORT, call.finalLength());
  }

  private Behavior<TransactionMessage> dmaCompleted(TransactionDdi call, Completion type, long driverLength) {
    if (state != TransactionState.TRANSFER) {
      return fatal(call, "K3", "DmaCompleted* when not in Transfer");
    }
    if (allocation != Allocation.NONE) {
      // No fragment is programmed (it is still being allocated): nothing is mapped to flush.
      return violation(call, "E6-0x16", "§8.4", BugCheck.DRIVER_VERIFIER_DMA_VIOLATION, 0x16,
          "DmaCompleted* with no fragment programmed");
    }
    if (driverLength < 0 || driverLength > currentLength) {
      // Step 2: a length beyond the fragment ends the transaction (TRUE) with STATUS_INVALID_PARAMETER.
      return finish(call, NtStatus.STATUS_INVALID_PARAMETER);
    }
    // Step 3.
    if (type == Completion.FULL) {
      transferred += currentLength;
    } else {
      transferred += driverLength;
      remaining += currentLength - driverLength;
      currentLength = driverLength;
    }
    // Step 4: a scatter-gather fragment's registers go back at once (PutScatterGatherList).
    if (profile.isScatterGather()) {
      freeTransferRegisters();
    }
    // Step 5.
    if (singleTransfer && remaining > 0) {
      return finish(call, NtStatus.STATUS_WDF_TOO_MANY_TRANSFERS);
    }
    if (remaining == 0 || type == Completion.ABORT) {
      return finish(call, NtStatus.STATUS_SUCCESS);
    }
    if (profile.isScatterGather()) {
      // Every scatter-gather fragment re-enters arbitration; its EvtProgramDma comes when granted.
      int registers = pagesOfNextFragment();
      currentLength = 0;
      startAllocation(registers, false);
    } else {
      if (profile.isSystem()) {
        systemTransfer = SystemTransfer.NOT_MAPPED;
        if (cancelled) {
          // §6.2: staging sees the flag; this call ends the transaction with STATUS_CANCELLED.
          return finish(call, NtStatus.STATUS_CANCELLED);
        }
      }
      // Packet and system: the same map registers; the next EvtProgramDma is sent before this call returns.
      stagingFromDmaCompleted = true;
      stageFragment();
    }
    return reply(call, NtStatus.STATUS_MORE_PROCESSING_REQUIRED, false);
  }

  /** Step 6: the transaction ends; TRUE with {@code status}. */
  private Behavior<TransactionMessage> finish(TransactionDdi call, NtStatus status) {
    state = status.isSuccess() ? TransactionState.TRANSFER_COMPLETED : TransactionState.TRANSFER_FAILED;
    releaseTransferResources();
    currentLength = 0;
    return reply(call, status, true);
  }

  /**
   * Non-forced release of what the transfer holds: a reservation survives (§3.4 packet step 8).
   * System: FreeAdapterChannel gives the channel back with the registers, unless reserved.
   */
  private void releaseTransferResources() {
    abandonAllocation();
    if (profile.isSystem()) {
      cancelControllerTransfer();
      cancelled = false;
    }
    if (reservedCount == 0) {
      freeTransferRegisters();
      if (profile.isSystem()) {
        releaseLock();
      }
    } else if (registerGrant != reservationGrant) {
      freeTransferRegisters();
    }
    releaseSlot();
  }

  // ---- Release, delete (§3.3) ----------------------------------------------------------------

  private Behavior<TransactionMessage> onRelease(TransactionDdi.WdfDmaTransactionRelease call) {
    if (state == TransactionState.RELEASED) {
      // A second Release: a warning trace in KMDF, STATUS_SUCCESS (the docs' STATUS_INVALID_DEVICE_STATE is not what the source does).
      return reply(call, NtStatus.STATUS_SUCCESS);
    }
    if (state == TransactionState.TRANSFER) {
      if (settings.verifier().kmdfVerifierOn() && settings.kmdfMinorVersion() >= 11) {
        return fatal(call, "K4", "Release while in Transfer");
      }
      // Without the verifier the transfer's resources are torn down.
      releaseTransferResources();
    } else if (reservedCount == 0) {
      releaseTransferResources();
    }
    reset();
    state = TransactionState.RELEASED;
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private Behavior<TransactionMessage> onDelete(TransactionDdi.WdfObjectDelete call) {
    if (state == TransactionState.TRANSFER
        && settings.verifier().kmdfVerifierOn()
        && settings.kmdfMinorVersion() >= 9) {
      return fatal(call, "K5", "WdfObjectDelete while in Transfer");
    }
    // Dispose force-frees everything, the reservation included.
    releaseTransferResources();
    freeReservation();
    state = TransactionState.DELETED;
    reply(call, NtStatus.STATUS_SUCCESS);
    return Behaviors.stopped();
  }

  // ---- Reservation (§5) ----------------------------------------------------------------------

  private Behavior<TransactionMessage> onAllocateResources(TransactionDdi.WdfDmaTransactionAllocateResources call) {
    if (!dmaV3 || profile.isScatterGather()) {
      return reply(call, NtStatus.STATUS_INVALID_DEVICE_REQUEST);
    }
    if (call.direction() == null || call.requiredMapRegisters() < 0) {
      return reply(call, NtStatus.STATUS_INVALID_PARAMETER);
    }
    int count = call.requiredMapRegisters();
    if (count == 0) {
      if (state != TransactionState.INITIALIZED) {
        return fatal(call, "K8", "AllocateResources(0) when not Initialized");
      }
      count = profile.isSystem() ? (adapter == null ? 0 : adapter.mapRegisters()) : pagesSpanned(pageOffset, length);
    } else {
      // The state is checked before the reservation (FxDmaPacketTransaction::ReserveAdapter): Reserved is K9.
      if (state != TransactionState.CREATED
          && state != TransactionState.INITIALIZED
          && state != TransactionState.RELEASED) {
        return fatal(call, "K9", "AllocateResources(n>0) outside Created, Initialized, Released");
      }
    }
    if (reservedCount > 0) {
      return fatal(call, "K10", "AllocateResources while a reservation is still held");
    }
    AdapterArbiters chosen = adapterFor(call.direction());
    if (chosen == null) {
      return nullAdapter(call);
    }
    // The initialization is discarded; the reservation takes the EvtProgramDma slot.
    direction = call.direction();
    adapter = chosen;
    length = 0;
    remaining = 0;
    transferred = 0;
    currentLength = 0;
    state = TransactionState.RESERVED;
    if (count > chosen.mapRegisters()) {
      // The HAL refuses more registers than the adapter has (§4.5).
      state = TransactionState.TRANSFER_FAILED;
      return reply(call, NtStatus.STATUS_INSUFFICIENT_RESOURCES);
    }
    reservedCount = count;
    startAllocation(count, true);
    if (immediate) {
      awaitingAllocation = call;
      return this;
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private Behavior<TransactionMessage> onFreeResources(TransactionDdi.WdfDmaTransactionFreeResources call) {
    if (!dmaV3 || profile.isScatterGather()) {
      // A verifier break in KMDF; nothing happens.
      return reply(call, NtStatus.STATUS_SUCCESS);
    }
    if (state == TransactionState.CREATED
        || state == TransactionState.TRANSFER
        || state == TransactionState.INVALID) {
      return fatal(call, "K11", "FreeResources in Created or Transfer");
    }
    freeReservation();
    reset();
    state = TransactionState.RELEASED;
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private void freeReservation() {
    if (allocatingReservation && allocation != Allocation.NONE) {
      abandonAllocation();
    }
    if (reservationGrant != 0) {
      traceRegistersHeld(reservationGrantedAtMicros, reservedCount, true);
      holding.pool().tell(new MapRegisterMessage.FreeMapRegisters(reservationGrant, getContext().getSelf().narrow()));
      if (registerGrant == reservationGrant) {
        registerGrant = 0;
      }
      reservationGrant = 0;
    }
    reservedCount = 0;
    allocatingReservation = false;
    if (profile.isSystem()) {
      // The reserved system channel goes with the registers (§5 FreeResources → FreeAdapterChannel).
      releaseLock();
    }
  }

  // ---- Cancel (§6.1) -------------------------------------------------------------------------

  private Behavior<TransactionMessage> onCancel(TransactionDdi.WdfDmaTransactionCancel call) {
    if (!dmaV3) {
      // A verifier break; FALSE, nothing done.
      return reply(call, NtStatus.STATUS_SUCCESS, false);
    }
    if (state == TransactionState.CREATED || state == TransactionState.RELEASED) {
      return fatal(call, "K6", "Cancel in Created or Released");
    }
    if (state == TransactionState.TRANSFER_COMPLETED || state == TransactionState.TRANSFER_FAILED) {
      if (reservedCount == 0) {
        // The adapter pointer was cleared when the transaction finished: KMDF dereferences NULL.
        return violation(call, "E6-0x19", "§3.2 Cancel row, §8.4", BugCheck.DRIVER_VERIFIER_DMA_VIOLATION, 0x19,
            "Cancel after the transaction finished: NULL adapter");
      }
      return reply(call, NtStatus.STATUS_SUCCESS, false);
    }
    if (allocation == Allocation.WAIT_LOCK) {
      awaitingCancel = call;
      holding.lock().tell(new AdapterLockMessage.CancelAdapterRequest(lockRequest, getContext().getSelf().narrow()));
      return this;
    }
    if (allocation == Allocation.WAIT_REGISTERS) {
      awaitingCancel = call;
      holding.pool().tell(new MapRegisterMessage.CancelMapRegisterRequest(poolRequest, getContext().getSelf().narrow()));
      return this;
    }
    // Nothing pending: the adapter-control routine already ran (or there was no allocation).
    return reply(call, NtStatus.STATUS_SUCCESS, false);
  }

  private Behavior<TransactionMessage> onAdapterRequestCancelled(AdapterReply.AdapterRequestCancelled answer) {
    if (answer.cancelled() && owedLock != null) {
      owedLock.remove(answer.requestId());
    }
    return cancelAnswered(answer.requestId() == lockRequest && answer.cancelled());
  }

  private Behavior<TransactionMessage> onRegisterRequestCancelled(MapRegisterReply.MapRegisterRequestCancelled answer) {
    if (answer.cancelled() && owedPool != null) {
      owedPool.remove(answer.requestId());
    }
    boolean cancelled = answer.requestId() == poolRequest && answer.cancelled();
    if (cancelled) {
      releaseLock();
    }
    return cancelAnswered(cancelled);
  }

  private Behavior<TransactionMessage> cancelAnswered(boolean cancelled) {
    TransactionDdi call = awaitingCancel;
    awaitingCancel = null;
    if (call == null) {
      return this;
    }
    if (cancelled) {
      // TRUE: the adapter-control routine will not run; the driver completes the transaction.
      allocationFailed(NtStatus.STATUS_CANCELLED);
    }
    return reply(call, NtStatus.STATUS_SUCCESS, cancelled);
  }

  // ---- Setters (§3.3) ------------------------------------------------------------------------

  private Behavior<TransactionMessage> onSetMaximumLength(TransactionDdi.WdfDmaTransactionSetMaximumLength call) {
    if (adapter == null) {
      // Before Initialize/AllocateResources (or after Release) KMDF reads a NULL adapter.
      return nullAdapter(call);
    }
    if (call.maximumLength() < adapter.maximumFragmentLength()) {
      // Only lowers; larger values are ignored; 0 is accepted (and maps nothing later).
      maxFragmentLength = Math.max(0, call.maximumLength());
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private Behavior<TransactionMessage> onSetImmediateExecution(
      TransactionDdi.WdfDmaTransactionSetImmediateExecution call) {
    if (dmaV3) {
      // Set in every state (a verifier break in some, but the flag is still set).
      immediate = call.immediate();
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private Behavior<TransactionMessage> onSetSingleTransfer(
      TransactionDdi.WdfDmaTransactionSetSingleTransferRequirement call) {
    if (dmaV3
        && (state == TransactionState.CREATED
            || state == TransactionState.RELEASED
            || state == TransactionState.RESERVED)) {
      singleTransfer = call.required();
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  /** System profiles only (else a verifier break and nothing happens); Release does not clear it (§3.1). */
  private Behavior<TransactionMessage> onSetTransferCompleteCallback(
      TransactionDdi.WdfDmaTransactionSetTransferCompleteCallback call) {
    if (profile.isSystem()) {
      transferCompleteRegistered = call.registered();
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  private Behavior<TransactionMessage> onSetChannelConfigurationCallback(
      TransactionDdi.WdfDmaTransactionSetChannelConfigurationCallback call) {
    if (profile.isSystem()) {
      channelConfigurationRegistered = call.registered();
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  /**
   * §6.2: sets the cancelled flag and cancels the mapped transfer. A running transfer completes at
   * once with DmaCancelled; one not mapped yet is stopped by the next staging. A transfer the HAL
   * already finished (or none at all) is K12 with the verifier on.
   */
  private Behavior<TransactionMessage> onStopSystemTransfer(TransactionDdi.WdfDmaTransactionStopSystemTransfer call) {
    if (!profile.isSystem()) {
      return reply(call, NtStatus.STATUS_SUCCESS);
    }
    boolean stopped =
        state != TransactionState.TRANSFER || cancelled || systemTransfer == SystemTransfer.FINISHED;
    if (stopped) {
      if (settings.verifier().kmdfVerifierOn() && settings.kmdfMinorVersion() >= 11) {
        return fatal(call, "K12", "StopSystemTransfer when the transfer is already stopped");
      }
      return reply(call, NtStatus.STATUS_SUCCESS);
    }
    cancelled = true;
    if (systemTransfer == SystemTransfer.RUNNING) {
      cancelControllerTransfer();
      systemTransfer = SystemTransfer.FINISHED;
      if (transferCompleteRegistered) {
        invoke(new DriverCallback.EvtDmaTransactionDmaTransferComplete(
            handle, direction, DmaCompletionStatus.DMA_CANCELLED, getContext().getSelf().narrow()));
      }
    }
    return reply(call, NtStatus.STATUS_SUCCESS);
  }

  // ---- Callbacks -----------------------------------------------------------------------------

  private void invoke(DriverCallback callback) {
    if (pending != null) {
      queuedCallbacks.add(callback);
      return;
    }
    long serial = ++callbackSerial;
    pending =
        PendingCallback.send(
            getContext(), peers.driver(), callback, serial, settings.realDeadline(), new DeadlinePassed(serial), clock);
  }

  private Behavior<TransactionMessage> onCallbackReturn(CallbackReturn returned) {
    if (pending == null || !pending.answeredBy(returned)) {
      // Late (after its deadline) or repeated: the callback it returns from is over.
      return this;
    }
    CallbackOutcome outcome = pending.returned(returned.status(), clock, peers.trace());
    pending = null;
    lastCallbackResult = returned.result();
    return afterCallback(outcome);
  }

  private Behavior<TransactionMessage> onDeadlinePassed(DeadlinePassed deadline) {
    if (pending == null || pending.serial() != deadline.serial()) {
      return this;
    }
    CallbackOutcome outcome = pending.expired(clock, peers.trace());
    pending = null;
    // Transaction callbacks run at DISPATCH_LEVEL; one that never returns trips the DPC watchdog.
    violation(
        outcome.kind().kmdfName(), "HANG", "DESIGN §4", DPC_WATCHDOG_VIOLATION, 0,
        outcome.kind().kmdfName() + " did not return within the deadline");
    return afterCallback(outcome);
  }

  private Behavior<TransactionMessage> afterCallback(CallbackOutcome outcome) {
    if (outcome.kind() == CallbackKind.EVT_DMA_TRANSACTION_CONFIGURE_DMA_CHANNEL) {
      afterChannelConfiguration(outcome);
    } else if (outcome.kind() == CallbackKind.EVT_PROGRAM_DMA
        && profile.isSystem()
        && state == TransactionState.TRANSFER
        && systemTransfer == SystemTransfer.RUNNING) {
      // The controller moves the data whether or not a completion callback is registered; a
      // StopSystemTransfer during EvtProgramDma already completed it with DmaCancelled (§6.3).
      startControllerTransfer();
    }
    if (releaseLockOnReturn
        && (outcome.kind() == CallbackKind.EVT_PROGRAM_DMA || outcome.kind() == CallbackKind.EVT_RESERVE_DMA)) {
      // Packet and scatter-gather: the adapter is released when the adapter-control routine returns.
      releaseLockOnReturn = false;
      releaseLock();
    }
    DriverCallback next = queuedCallbacks.poll();
    if (next != null) {
      invoke(next);
    }
    return this;
  }

  /**
   * Device removal deletes the transaction: Dispose force-frees everything, the reservation included;
   * a transaction still in Transfer is bug check K5 with the verifier on (§3.3 WdfObjectDelete, §6.4).
   */
  private Behavior<TransactionMessage> onDispose(Dispose dispose) {
    if (state == TransactionState.TRANSFER) {
      peers.observer().mapRegistersLeaked(adapterIdOrNone(), registerCount);
      if (settings.verifier().kmdfVerifierOn() && settings.kmdfMinorVersion() >= 9) {
        raise("WdfObjectDelete", "K5", "§8.1 K5, §6.4", BugCheck.WDF_VIOLATION, BugCheck.WDF_DMA_FATAL_ERROR,
            "the transaction is deleted with its device while in Transfer");
      }
    }
    releaseTransferResources();
    freeReservation();
    state = TransactionState.DELETED;
    dispose.replyTo().tell(new Disposed(handle.id()));
    return Behaviors.stopped();
  }

  /**
   * Stopped without Dispose: its device crashed and went down with everything. What the transaction
   * held is reclaimed by the arbiters when they see it die; the run counts it as leaked.
   */
  private Behavior<TransactionMessage> onPostStop(PostStop signal) {
    if (state == TransactionState.DELETED) {
      return this;
    }
    int held = (registerGrant != 0 && registerGrant != reservationGrant ? registerCount : 0)
        + (reservationGrant != 0 ? reservedCount : 0);
    if (held > 0) {
      peers.observer().mapRegistersLeaked(adapterIdOrNone(), held);
    }
    return this;
  }

  private String adapterIdOrNone() {
    return holding == null ? "-" : holding.adapterId();
  }

  /** §3.3: TRUE → map and call EvtProgramDma; FALSE → the driver stopped the transfer: no mapping. */
  private void afterChannelConfiguration(CallbackOutcome outcome) {
    ScatterGatherList sg = awaitingChannelConfiguration;
    awaitingChannelConfiguration = null;
    if (sg == null || outcome.hung() || !lastCallbackResult || state != TransactionState.TRANSFER) {
      return;
    }
    if (cancelled) {
      // StopSystemTransfer came while the channel was being configured: the mapping sees the flag.
      stagingCancelled();
      return;
    }
    programDma(sg);
  }

  // ---- Violations ----------------------------------------------------------------------------

  /** A check of §8.1 fires on {@code call}: WDF_VIOLATION 0x10D, WDF_DMA_FATAL_ERROR, with the state. */
  private Behavior<TransactionMessage> fatal(TransactionDdi call, String rule, String detail) {
    return violation(call, rule, "§8.1 " + rule + ", " + SECTION_MATRIX, BugCheck.WDF_VIOLATION, BugCheck.WDF_DMA_FATAL_ERROR, detail);
  }

  private Behavior<TransactionMessage> nullAdapter(TransactionDdi call) {
    return violation(call, "E6-0x19", "§1.5 note, §8.4", BugCheck.DRIVER_VERIFIER_DMA_VIOLATION, 0x19,
        "no adapter for " + profile.wdfName() + " (system profile not configured, or no Initialize)");
  }

  private Behavior<TransactionMessage> violation(
      TransactionDdi call, String rule, String section, int code, int subcode, String detail) {
    BugCheck bugCheck = raise(call.ddi(), rule, section, code, subcode, detail);
    if (settings.verifier().onViolation() == OnViolation.RECORD) {
      call.replyTo().tell(ddiReturn(call, NtStatus.STATUS_INVALID_DEVICE_STATE, false, bugCheck));
    }
    return this;
  }

  private Behavior<TransactionMessage> violation(
      String event, String rule, String section, int code, int subcode, String detail) {
    raise(event, rule, section, code, subcode, detail);
    return this;
  }

  private BugCheck raise(String event, String rule, String section, int code, int subcode, String detail) {
    BugCheck bugCheck =
        new BugCheck(code, subcode, rule, section, event, handle.deviceId(), handle.enabler().index(), handle.id(),
            state, detail);
    peers.device().tell(new BugCheckRaised(bugCheck));
    traceInstant("BugCheck", Map.of("rule", rule, "ddi", event, "state", state.kmdfName()));
    return bugCheck;
  }

  // ---- Helpers -------------------------------------------------------------------------------

  /** §3.1 Reset: what Release, FreeResources and a failed Initialize clear. Reservations stay. */
  private void reset() {
    direction = DmaDirection.READ_FROM_DEVICE;
    length = 0;
    pageOffset = 0;
    transferred = 0;
    remaining = 0;
    currentLength = 0;
    maxFragmentLength = 0;
    singleTransfer = (settings.enabler().config().flags() & DmaEnablerConfigFlags.REQUIRE_SINGLE_TRANSFER) != 0;
    immediate = false;
    if (reservedCount == 0) {
      adapter = null;
    }
  }

  private AdapterArbiters adapterFor(DmaDirection dir) {
    return dir == DmaDirection.READ_FROM_DEVICE ? settings.read() : settings.write();
  }

  private int currentPageOffset() {
    return (int) ((pageOffset + transferred) % pageSize);
  }

  /** Pages a buffer of {@code bytes} touches when it starts {@code offset} bytes into a page. */
  int pagesSpanned(long offset, long bytes) {
    return (int) ((offset % pageSize + bytes + pageSize - 1) / pageSize);
  }

  private Behavior<TransactionMessage> reply(TransactionDdi call, NtStatus status) {
    return reply(call, status, false);
  }

  private Behavior<TransactionMessage> reply(TransactionDdi call, NtStatus status, boolean value) {
    call.replyTo().tell(ddiReturn(call, status, value, null));
    if (peers.trace().enabled()) {
      traceInstant(call.ddi(), Map.of("status", status.hex(), "state", state.kmdfName()));
    }
    return this;
  }

  private TransactionDdiReturn ddiReturn(TransactionDdi call, NtStatus status, boolean value, BugCheck bugCheck) {
    return new TransactionDdiReturn(handle, call.ddi(), status, value, transferred, currentLength, state, bugCheck);
  }

  private void traceInstant(String name, Map<String, String> args) {
    if (peers.trace().enabled()) {
      Map<String, String> all = new java.util.HashMap<>(args);
      all.put("device", handle.deviceId());
      all.put("enabler", Integer.toString(handle.enabler().index()));
      all.put("transaction", Long.toString(handle.id()));
      peers.trace().instant(name, handle.deviceId(), clock.nowMicros(), all);
    }
  }
}
