package org.dmaemu.driver;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.dmaemu.fault.Injection;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.hardware.CompletedTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.hardware.TransferAborted;
import org.dmaemu.protocol.transaction.DmaCompletionStatus;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.transaction.TransactionView;
import org.dmaemu.transaction.DmaTransaction;
import org.dmaemu.time.NodeClock;
import org.dmaemu.time.Seeds;
import org.dmaemu.workload.ArrivalPattern;
import org.dmaemu.workload.IoWorkload;

/**
 * The reference DMA drivers (reference §9): one enabler, a fixed set of DMA transactions created
 * in EvtDriverDeviceAdd and reused through WdfDmaTransactionRelease, and the I/O requests of its
 * {@link IoWorkload} while self-managed I/O runs: a closed loop keeps a number of them in flight;
 * open and on/off loops take Poisson arrivals into a queue that the free transactions drain.
 * Sizes, directions and arrival gaps come from the device's own stream (run seed, device id), apart
 * from the stream that answers callbacks, so power requests arriving mid-I/O change no request.
 *
 * <ul>
 *   <li>{@link Mode#SCATTER_GATHER}: the PLX9x5x flow (§9.2, §9.3) — Initialize, Execute,
 *       EvtProgramDma programs the engine, the ISR queues the DPC, the DPC calls DmaCompleted; TRUE
 *       → Release and complete the request.
 *   <li>{@link Mode#PACKET}: the same with a packet enabler (§9.4). With DMA v2 a second Execute on
 *       the device fails with STATUS_WDF_BUSY (§4.4): the driver releases and retries the request
 *       when another request of the device has finished.
 *   <li>{@link Mode#RESERVING_PACKET}: each transaction first reserves its map registers
 *       (AllocateResources → EvtReserveDma, §5), then loops Initialize/Execute on the reservation,
 *       and frees it in EvtDeviceSelfManagedIoCleanup.
 *   <li>{@link Mode#SYSTEM}: a System or SystemDuplex enabler (§4.6). The enabler, its
 *       ConfigureSystemProfile per direction and the transactions are made in
 *       EvtDevicePrepareHardware; each transaction registers EvtDmaTransactionDmaTransferComplete,
 *       and the system DMA controller's completion drives DmaCompleted (DmaCompletedFinal for a
 *       cancelled or failed transfer). A fragment programmed while self-managed I/O suspends is
 *       stopped with StopSystemTransfer (§6.2).
 * </ul>
 *
 * The DMA engine arrives with EvtDevicePrepareHardware. Writes go to engine channel 0, reads to
 * channel 1 (PLX's DMA0/DMA1). Self-managed I/O suspend waits for the requests in flight, as
 * KMDF's power-managed queues wait for their requests (§2.2 step 2). Power callbacks are answered
 * by the driver's {@link CallbackRule}s.
 *
 * <p>Surprise removal (§6.4): removed hardware never interrupts again, and the framework does not
 * end DMA transactions for the driver. In EvtDeviceSurpriseRemoval the driver stops taking requests
 * and ends each transfer it had programmed with DmaCompletedFinal, then Release; a fragment still
 * waiting for its EvtProgramDma is ended the same way when that callback comes. Those requests fail
 * with STATUS_NO_SUCH_DEVICE; requests still queued are cancelled in EvtDeviceSelfManagedIoCleanup.
 * A System-profile device keeps this path out: its transfers run on the platform's DMA controller,
 * which is still there, and complete.
 *
 * <p>The watchdog (a real driver's DPC-timeout timer, in modeled time): a transaction whose
 * programmed fragment shows no interrupt, or whose DDI call shows no return, within
 * {@link Settings#watchdog()} is given up. A programmed fragment is reset on the engine
 * (AbortTransfer) and ended with DmaCompletedFinal (§3.5), a system transfer is stopped with
 * StopSystemTransfer and ended from its DmaCancelled completion (§6.2); a call whose return was lost
 * is settled by the transaction's state (what {@code !wdfdmatransaction} shows — the one fact the
 * lost return would have carried), ended as §3.2 allows in that state. Then Release, and the
 * request fails with STATUS_IO_TIMEOUT. An interrupt, completion or return that comes after is for
 * a call or fragment that is over, and is left alone. Returns are matched to calls in order: a
 * transaction answers its calls one by one, in the order made.
 *
 * <p>Message faults act on the DDI_REPLIES path here, as the driver receives a return (DESIGN §10):
 * dropped, delayed, or handled twice (the second time it answers a call already over).
 *
 * <p>The I/O-path callbacks are answered by the driver itself, but their {@link CallbackRule}s
 * still act. A failed EvtProgramDma programs nothing, returns FALSE (which KMDF ignores) and ends
 * the transfer itself with DmaCompletedFinal (§3.3, §9.2 R-err) — a System transfer is stopped
 * first (StopSystemTransfer, §6.2) and ended from its DmaCancelled completion — then Release; the
 * request fails with the rule's status. A failed EvtInterruptIsr does not claim the interrupt: its
 * completions reach no DPC, and the watchdog ends their transfers as it ends a lost interrupt's. A
 * hang of any of them returns nothing and does none of the callback's work: the transaction's
 * callbacks run at DISPATCH_LEVEL, where the framework's deadline is a DPC_WATCHDOG_VIOLATION; a
 * hung ISR or DPC is given up by the interrupt and the transfers it held are the watchdog's. The
 * VOID ones (EvtReserveDma, EvtInterruptDpc, EvtDmaTransactionDmaTransferComplete) cannot fail.
 */
public final class DmaIoDriver extends AbstractBehavior<DriverMessage> {

  public enum Mode {
    SCATTER_GATHER,
    PACKET,
    RESERVING_PACKET,
    SYSTEM;

    /**
     * The transaction and interrupt callbacks this flow receives. Every mode also gets the
     * device's PnP and power callbacks and its enabler's registered ones; none registers
     * EvtDmaTransactionConfigureDmaChannel, and a System device has no engine to interrupt.
     */
    public Set<CallbackKind> ioCallbacks() {
      switch (this) {
        case RESERVING_PACKET:
          return EnumSet.of(
              CallbackKind.EVT_RESERVE_DMA, CallbackKind.EVT_PROGRAM_DMA, CallbackKind.EVT_INTERRUPT_ISR,
              CallbackKind.EVT_INTERRUPT_DPC);
        case SYSTEM:
          return EnumSet.of(CallbackKind.EVT_PROGRAM_DMA, CallbackKind.EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE);
        default:
          return EnumSet.of(CallbackKind.EVT_PROGRAM_DMA, CallbackKind.EVT_INTERRUPT_ISR, CallbackKind.EVT_INTERRUPT_DPC);
      }
    }
  }

  /** The callbacks the driver returns from itself, at once: its rules decide only whether they fail or hang. */
  static final Set<CallbackKind> ANSWERED_BY_DRIVER = EnumSet.of(
      CallbackKind.EVT_PROGRAM_DMA, CallbackKind.EVT_RESERVE_DMA, CallbackKind.EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE,
      CallbackKind.EVT_INTERRUPT_ISR, CallbackKind.EVT_INTERRUPT_DPC);

  /**
   * @param transactions DMA transactions the driver creates: the most requests in flight at once
   * @param workload when requests arrive, their sizes and directions, and when the I/O ends
   * @param reservedRegisters RESERVING_PACKET: map registers each transaction reserves (at least
   *     1: the count is derived only from an initialized buffer, and these reserve before any)
   * @param watchdog modeled time a programmed fragment may go without its interrupt, or a DDI call
   *     without its return, before the driver gives the request up; {@code null}: half the device's
   *     callback deadline (0.5 s by default, thousands of times the largest fragment's transfer), so
   *     that a stuck request has ended before the deadline of a self-managed I/O suspend that waits
   *     for it. A system transfer gets the callback deadline on top: its completion is a callback
   *     whose own deadline passes first.
   */
  public record Settings(
      Mode mode,
      DmaEnablerConfig enabler,
      int transactions,
      IoWorkload workload,
      int reservedRegisters,
      List<CallbackRule> rules,
      long runSeed,
      Duration watchdog) {

    /** Settings with the default watchdog. */
    public Settings(
        Mode mode,
        DmaEnablerConfig enabler,
        int transactions,
        IoWorkload workload,
        int reservedRegisters,
        List<CallbackRule> rules,
        long runSeed) {
      this(mode, enabler, transactions, workload, reservedRegisters, rules, runSeed, null);
    }

    public Settings {
      if (transactions < 1) {
        throw new IllegalArgumentException("transactions must be at least 1, got " + transactions);
      }
      if (workload == null) {
        throw new IllegalArgumentException("a DMA driver needs a workload");
      }
      if (workload.pattern() instanceof ArrivalPattern.Closed closed && closed.outstanding() > transactions) {
        throw new IllegalArgumentException(
            "a closed loop of " + closed.outstanding() + " outstanding requests needs as many transactions, got " + transactions);
      }
      if (reservedRegisters < 0) {
        throw new IllegalArgumentException("reserved registers must not be negative");
      }
      if (mode == Mode.RESERVING_PACKET && reservedRegisters < 1) {
        // AllocateResources(0) outside Initialized is bug check K8 (reference §8.1).
        throw new IllegalArgumentException("a reserving driver needs reserved registers >= 1, got " + reservedRegisters);
      }
      rules = List.copyOf(rules);
      for (CallbackRule rule : rules) {
        if (rule.action() == CallbackRule.Action.DELAY && ANSWERED_BY_DRIVER.contains(rule.kind())) {
          // A modeled think time there would be transfer time; the driver has no such delay.
          throw new IllegalArgumentException("the DMA driver returns from " + rule.kind().kmdfName() + " at once: "
              + "a DELAY rule cannot apply to it");
        }
      }
      if (watchdog != null && (watchdog.isZero() || watchdog.isNegative())) {
        throw new IllegalArgumentException("the watchdog must be positive, got " + watchdog);
      }
    }

    public DriverModel model(IoObserver observer) {
      return context -> DmaIoDriver.create(this, observer, context);
    }

    public Settings withWatchdog(Duration modeled) {
      return new Settings(mode, enabler, transactions, workload, reservedRegisters, rules, runSeed, modeled);
    }

    /** The watchdog for a device whose callback deadline is {@code callbackDeadline}. */
    public Duration watchdogFor(Duration callbackDeadline) {
      return watchdog != null ? watchdog : callbackDeadline.dividedBy(2);
    }
  }

  /** Where one transaction's request stands. */
  private enum SlotState {
    IDLE,
    RESERVING,
    INITIALIZING,
    EXECUTING,
    RELEASING,
    WAITING_FOR_RETRY
  }

  private static final class Slot {
    TransactionHandle tx;
    SlotState state = SlotState.IDLE;
    boolean reserved;
    /** The reservation was refused: this transaction carries no I/O. */
    boolean unusable;
    boolean retryAfterRelease;
    Request request;
    long programMicros;
    /** A fragment is programmed on the engine and no DmaCompleted* for it has been sent yet. */
    boolean programmed;
    /** The ISR read the programmed fragment's completion; its DPC has not run yet. */
    boolean completionSeen;
    /** System: a fragment is on the controller and its completion callback has not come. */
    boolean systemRunning;
    /** System: the watchdog stopped the transfer (StopSystemTransfer). */
    boolean stopSent;
    long bytes;
    NtStatus status;
    /** A failed EvtProgramDma ended the request's transfer: the request fails with this status. */
    NtStatus failure;
    /**
     * The fault that ends the request, when the driver saw it act on this request: its EvtProgramDma
     * failed, or an ISR or DPC that a fault failed or hung left its transfer to the watchdog.
     */
    String abortedBy;
    /** DDI calls made on the transaction, and returns received from it (each return answers the call of its number). */
    long callsMade;
    long returnsReceived;
    /** Calls whose return the slot waits for, by number. */
    final TreeMap<Long, String> awaiting = new TreeMap<>();
    /** Modeled time the slot started waiting for an interrupt, a completion or a return; -1: not waiting. */
    long watchSince = -1;
    /** The watchdog gave the request up: it ends with STATUS_IO_TIMEOUT. */
    boolean timedOut;
    Recovery recovery = Recovery.NONE;
    /** The calls whose returns the watchdog gave up on, while it asks the transaction's state. */
    final Set<String> lost = new HashSet<>(2);
  }

  /** Where the watchdog's recovery of a slot stands. */
  private enum Recovery {
    NONE,
    /** The engine is resetting the transaction's transfers (AbortTransfer). */
    ABORTING,
    /** The transaction is asked for its state. */
    INSPECTING
  }

  /** An I/O request: drawn when it arrives, run on a free transaction. */
  private record Request(long sequence, DmaDirection direction, long size, long arrivalMicros) {}

  /** Open-loop arrivals due. */
  private enum Arrive implements DriverMessage {
    INSTANCE
  }

  /** The watchdog's timer: some slot's wait may be over. */
  private enum WatchdogDue implements DriverMessage {
    INSTANCE
  }

  /** A DDI return a fault put off, with the number of the call it answers. */
  private record DelayedReturn(long call, TransactionDdiReturn r) implements DriverMessage, NoSerializationVerificationNeeded {}

  /** A transaction's state, asked by the watchdog. */
  private record Inspected(TransactionView view) implements DriverMessage, NoSerializationVerificationNeeded {}

  // The DDIs whose returns the driver acts on, as TransactionDdiReturn names them.
  private static final String INITIALIZE = "WdfDmaTransactionInitialize";
  private static final String EXECUTE = "WdfDmaTransactionExecute";
  private static final String DMA_COMPLETED = "WdfDmaTransactionDmaCompleted";
  private static final String DMA_COMPLETED_FINAL = "WdfDmaTransactionDmaCompletedFinal";
  private static final String RELEASE = "WdfDmaTransactionRelease";
  private static final String ALLOCATE_RESOURCES = "WdfDmaTransactionAllocateResources";
  private static final String FREE_RESOURCES = "WdfDmaTransactionFreeResources";

  /** The most requests an open-loop driver queues; more fail at once with STATUS_INSUFFICIENT_RESOURCES. */
  static final int MAX_QUEUED = 4096;

  // "WORK": the purpose of the device's workload stream (sizes, directions, arrival times).
  private static final long WORKLOAD_STREAM = 0x57_4F_52_4BL;

  private static final int WRITE_CHANNEL = 0;
  private static final int READ_CHANNEL = 1;

  private final Settings settings;
  private final DriverContext driverContext;
  private final IoObserver observer;
  private final RuleBook rules;
  private final NodeClock clock;
  private final Slot[] slots;
  private final List<CompletedTransfer> latched = new ArrayList<>(2);
  private ActorRef<DmaEngineMessage> engine;
  private final DmaObjectsSetup setup;
  private DriverCallback pendingSuspend;
  /** EvtDeviceSelfManagedIoCleanup returns once every FreeResources has (KMDF's call is synchronous). */
  private DriverCallback pendingCleanup;
  private int freesInFlight;
  private final TimerScheduler<DriverMessage> timers;
  private final IoWorkload workload;
  private final SplittableRandom workloadRandom;
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  /** Slots a closed loop keeps busy: its outstanding count; every slot for open loops. */
  private final int activeSlots;
  private boolean running;
  private int inFlight;
  private long submitted;
  /** Clock time of the first I/O start; arrival times and the duration count from here. */
  private long ioStartMicros = -1;
  /** Open loops: the next arrival in the Poisson process's own time (burst time for on/off). */
  private double poissonMicros;
  private boolean arrivalsEnded;
  private boolean finishReported;
  /** EvtDeviceSurpriseRemoval came: the engine is gone, no transfer of it completes. */
  private boolean hardwareGone;
  private final MessageGate ddiGate;
  private final long watchdogMicros;
  private final long systemWatchdogMicros;
  /** When the watchdog's timer fires; -1: not set. */
  private long watchdogDueMicros = -1;
  private final ActorRef<TransactionView> inspections;

  public static Behavior<DriverMessage> create(Settings settings, IoObserver observer, DriverContext context) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> {
          CallbackInbox inbox = CallbackInbox.counting(
              context.gate("driver-" + context.requestOrdinal() + "/callbacks"), observer, context.deviceId(),
              NodeClock.get(ctx.getSystem()));
          return inbox.around(new DmaIoDriver(ctx, timers, settings, observer, context, inbox));
        }));
  }

  private DmaIoDriver(
      ActorContext<DriverMessage> context,
      TimerScheduler<DriverMessage> timers,
      Settings settings,
      IoObserver observer,
      DriverContext driverContext,
      CallbackInbox inbox) {
    super(context);
    this.settings = settings;
    this.driverContext = driverContext;
    this.observer = observer;
    this.clock = NodeClock.get(context.getSystem());
    this.rules = new RuleBook(settings.rules(), settings.runSeed(), driverContext, timers, clock, observer, inbox);
    this.ddiGate = driverContext.gate("driver-" + driverContext.requestOrdinal() + "/ddi-replies");
    Duration watchdog = settings.watchdogFor(driverContext.callbackDeadline());
    this.watchdogMicros = Math.max(1, watchdog.toNanos() / 1000);
    this.systemWatchdogMicros = watchdogMicros + driverContext.callbackDeadline().toNanos() / 1000;
    this.inspections = context.messageAdapter(TransactionView.class, Inspected::new);
    this.setup = new DmaObjectsSetup(driverContext, context.getSelf(), rules);
    this.timers = timers;
    this.workload = settings.workload();
    this.workloadRandom = new SplittableRandom(Seeds.derive(settings.runSeed(), driverContext.deviceId(), WORKLOAD_STREAM));
    this.slots = new Slot[settings.transactions()];
    this.activeSlots =
        workload.pattern() instanceof ArrivalPattern.Closed closed ? closed.outstanding() : slots.length;
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot();
    }
  }

  @Override
  public Receive<DriverMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(DriverCallback.EvtDriverDeviceAdd.class, this::onDeviceAdd)
        .onMessage(DriverCallback.EvtDevicePrepareHardware.class, this::onPrepareHardware)
        .onMessage(DriverCallback.EvtDeviceSelfManagedIoInit.class, this::onSelfManagedIoStart)
        .onMessage(DriverCallback.EvtDeviceSelfManagedIoRestart.class, this::onSelfManagedIoStart)
        .onMessage(DriverCallback.EvtDeviceSelfManagedIoSuspend.class, this::onSelfManagedIoSuspend)
        .onMessage(DriverCallback.EvtDeviceSelfManagedIoCleanup.class, this::onSelfManagedIoCleanup)
        .onMessage(DriverCallback.EvtDeviceSurpriseRemoval.class, this::onSurpriseRemoval)
        .onMessage(DriverCallback.EvtProgramDma.class, this::onProgramDma)
        .onMessage(DriverCallback.EvtReserveDma.class, this::onReserveDma)
        .onMessage(DriverCallback.EvtInterruptIsr.class, this::onIsr)
        .onMessage(DriverCallback.EvtInterruptDpc.class, this::onDpc)
        .onMessage(DriverCallback.EvtDmaTransactionDmaTransferComplete.class, this::onTransferComplete)
        .onMessage(DriverCallback.class, this::onOtherCallback)
        .onMessage(EnablerCreateResult.class, this::onEnablerCreated)
        .onMessage(TransactionCreateResult.class, this::onTransactionCreated)
        .onMessage(TransactionDdiReturn.class, this::onDdiReturn)
        .onMessage(DelayedReturn.class, this::onDelayedDdiReturn)
        .onMessage(TransferAborted.class, this::onTransferAborted)
        .onMessage(Inspected.class, this::onInspected)
        .onMessage(RuleBook.DelayedReturn.class, this::onDelayedReturn)
        .onMessageEquals(Arrive.INSTANCE, this::onArrive)
        .onMessageEquals(WatchdogDue.INSTANCE, this::onWatchdogDue)
        .build();
  }

  // ---- EvtDriverDeviceAdd: the enabler and the transactions (§9.1) ---------------------------

  private Behavior<DriverMessage> onDeviceAdd(DriverCallback.EvtDriverDeviceAdd add) {
    if (settings.mode() == Mode.SYSTEM) {
      // A System enabler needs its DMA resources: everything is made in EvtDevicePrepareHardware.
      rules.answer(add);
    } else {
      setup.start(add, settings.enabler(), slots.length, this::keepTransactions);
    }
    return this;
  }

  private void keepTransactions(List<TransactionHandle> transactions) {
    for (int i = 0; i < slots.length; i++) {
      slots[i].tx = transactions.get(i);
      if (settings.mode() == Mode.SYSTEM) {
        call(slots[i], new TransactionDdi.WdfDmaTransactionSetTransferCompleteCallback(true, getContext().getSelf().narrow()), false);
      }
    }
  }

  private Behavior<DriverMessage> onEnablerCreated(EnablerCreateResult result) {
    setup.onEnablerCreated(result);
    return this;
  }

  private Behavior<DriverMessage> onTransactionCreated(TransactionCreateResult result) {
    setup.onTransactionCreated(result);
    return this;
  }

  // ---- Power callbacks that start and stop I/O -----------------------------------------------

  private Behavior<DriverMessage> onPrepareHardware(DriverCallback.EvtDevicePrepareHardware prepare) {
    engine = prepare.hardware();
    if (settings.mode() == Mode.SYSTEM && slots[0].tx == null) {
      setup.start(prepare, settings.enabler(), slots.length, true, this::keepTransactions);
    } else {
      rules.answer(prepare);
    }
    return this;
  }

  private Behavior<DriverMessage> onSelfManagedIoStart(DriverCallback start) {
    NtStatus status = rules.answer(start);
    if (status != null && status.isSuccess() && (engine != null || settings.mode() == Mode.SYSTEM)) {
      running = true;
      if (ioStartMicros < 0) {
        ioStartMicros = clock.nowMicros();
        if (!(workload.pattern() instanceof ArrivalPattern.Closed)) {
          scheduleNextArrival();
        }
      }
      for (int i = 0; i < activeSlots; i++) {
        startSlot(slots[i]);
      }
      // The arrivals may have ended while the I/O was suspended: nothing else would say so.
      reportFinishedIfDone();
    }
    return this;
  }

  private Behavior<DriverMessage> onSelfManagedIoSuspend(DriverCallback suspend) {
    running = false;
    pendingSuspend = suspend;
    return answerSuspendIfIdle();
  }

  private Behavior<DriverMessage> answerSuspendIfIdle() {
    if (pendingSuspend != null && inFlight == 0) {
      DriverCallback suspend = pendingSuspend;
      pendingSuspend = null;
      rules.answer(suspend);
    }
    return this;
  }

  private Behavior<DriverMessage> onSelfManagedIoCleanup(DriverCallback cleanup) {
    // No more I/O: requests still queued are cancelled, as KMDF purges a power-managed queue.
    endArrivals();
    while (!queue.isEmpty()) {
      end(queue.poll(), 0, NtStatus.STATUS_CANCELLED, null);
    }
    reportFinishedIfDone();
    // The device is going away: give the reservations back (§5 FreeResources).
    for (Slot slot : slots) {
      if (slot.reserved && slot.tx != null) {
        slot.reserved = false;
        freesInFlight++;
        call(slot, new TransactionDdi.WdfDmaTransactionFreeResources(getContext().getSelf().narrow()), true);
      }
    }
    pendingCleanup = cleanup;
    return answerCleanupIfFreed();
  }

  private Behavior<DriverMessage> answerCleanupIfFreed() {
    if (pendingCleanup != null && freesInFlight == 0) {
      DriverCallback cleanup = pendingCleanup;
      pendingCleanup = null;
      rules.answer(cleanup);
    }
    return this;
  }

  /** §6.4: the hardware is gone; the transfers it was running are ended here, since no interrupt will. */
  private Behavior<DriverMessage> onSurpriseRemoval(DriverCallback.EvtDeviceSurpriseRemoval removal) {
    running = false;
    if (settings.mode() != Mode.SYSTEM) {
      hardwareGone = true;
      // Completions the ISR latched have no DPC to come: their transfers are ended below with the rest.
      latched.clear();
      for (Slot slot : slots) {
        if (slot.programmed) {
          abandonTransfer(slot);
        }
      }
    }
    rules.answer(removal);
    return this;
  }

  /** Ends a transfer the hardware will never finish: DmaCompletedFinal with nothing transferred. */
  private void abandonTransfer(Slot slot) {
    slot.programmed = false;
    // The removal ends the request (STATUS_NO_SUCH_DEVICE), whatever the watchdog was doing.
    slot.recovery = Recovery.NONE;
    slot.timedOut = false;
    call(slot, new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, getContext().getSelf().narrow()), true);
  }

  private Behavior<DriverMessage> onOtherCallback(DriverCallback callback) {
    rules.answer(callback);
    return this;
  }

  private Behavior<DriverMessage> onDelayedReturn(RuleBook.DelayedReturn delayed) {
    rules.deliver(delayed);
    return this;
  }

  // ---- Requests ------------------------------------------------------------------------------

  private void startSlot(Slot slot) {
    if (slot.tx == null || slot.state != SlotState.IDLE || slot.unusable) {
      return;
    }
    if (settings.mode() == Mode.RESERVING_PACKET && !slot.reserved) {
      slot.state = SlotState.RESERVING;
      call(slot,
          new TransactionDdi.WdfDmaTransactionAllocateResources(
              DmaDirection.READ_FROM_DEVICE, settings.reservedRegisters(), getContext().getSelf().narrow()),
          true);
      return;
    }
    issue(slot);
  }

  /** The next request on this slot's transaction, if there is one. */
  private void issue(Slot slot) {
    Request next = running ? nextRequest() : null;
    if (next == null) {
      slot.state = SlotState.IDLE;
      return;
    }
    slot.request = next;
    slot.bytes = 0;
    slot.status = null;
    slot.failure = null;
    slot.abortedBy = null;
    slot.timedOut = false;
    inFlight++;
    initialize(slot);
  }

  /** A queued request (open loops), or a new one (closed loops), or none. */
  private Request nextRequest() {
    if (!(workload.pattern() instanceof ArrivalPattern.Closed)) {
      return queue.poll();
    }
    long now = clock.nowMicros();
    return mayArrive(now) ? arrive(now) : null;
  }

  /** Whether a request may still arrive at clock time {@code micros}; ends the arrivals if not. */
  private boolean mayArrive(long micros) {
    if (arrivalsEnded) {
      return false;
    }
    boolean more = (workload.requests() == 0 || submitted < workload.requests())
        && micros - ioStartMicros < workload.durationMicros();
    if (!more) {
      endArrivals();
    }
    return more;
  }

  /** A new request, arriving at clock time {@code micros}: its size, then its direction, from the device's stream. */
  private Request arrive(long micros) {
    long size = workload.sizes().draw(workloadRandom);
    DmaDirection direction =
        workloadRandom.nextDouble() < workload.readFraction() ? DmaDirection.READ_FROM_DEVICE : DmaDirection.WRITE_TO_DEVICE;
    Request request = new Request(submitted++, direction, size, micros);
    observer.requestSubmitted(driverContext.deviceId(), request.sequence(), direction, size);
    return request;
  }

  // ---- Open loops: Poisson arrivals --------------------------------------------------------

  /**
   * Draws the gap to the next arrival and sets the timer. The timer may fire late (the scheduler
   * ticks), so {@link #onArrive} takes every arrival due by then, each with its own arrival time:
   * the rate is the workload's whatever the tick.
   */
  private void scheduleNextArrival() {
    poissonMicros += nextGap();
    long at = nextArrivalClockMicros();
    if (!mayArriveAt(at)) {
      endArrivals();
      reportFinishedIfDone();
      return;
    }
    timers.startSingleTimer(Arrive.INSTANCE, clock.toReal(Duration.ofNanos(Math.max(0, at - clock.nowMicros()) * 1000)));
  }

  /** An exponential gap, in microseconds of the Poisson process's time. */
  private double nextGap() {
    double rate = workload.pattern() instanceof ArrivalPattern.Open open
        ? open.perSecond()
        : ((ArrivalPattern.OnOff) workload.pattern()).perSecond();
    return -Math.log(1.0 - workloadRandom.nextDouble()) * 1_000_000.0 / rate;
  }

  /** The clock time of the next arrival: on/off patterns place burst time inside the bursts. */
  private long nextArrivalClockMicros() {
    long t = (long) poissonMicros;
    if (workload.pattern() instanceof ArrivalPattern.OnOff onOff) {
      long on = onOff.on().toNanos() / 1000;
      long period = on + onOff.off().toNanos() / 1000;
      t = (t / on) * period + t % on;
    }
    return ioStartMicros + t;
  }

  private boolean mayArriveAt(long clockMicros) {
    return !arrivalsEnded
        && (workload.requests() == 0 || submitted < workload.requests())
        && clockMicros - ioStartMicros < workload.durationMicros();
  }

  private Behavior<DriverMessage> onArrive() {
    long now = clock.nowMicros();
    long at = nextArrivalClockMicros();
    while (at <= now && mayArriveAt(at)) {
      Request request = arrive(at);
      if (queue.size() >= MAX_QUEUED) {
        end(request, 0, NtStatus.STATUS_INSUFFICIENT_RESOURCES, null);
      } else {
        queue.add(request);
      }
      poissonMicros += nextGap();
      at = nextArrivalClockMicros();
    }
    if (mayArriveAt(at)) {
      timers.startSingleTimer(Arrive.INSTANCE, clock.toReal(Duration.ofNanos(Math.max(0, at - now) * 1000)));
    } else {
      endArrivals();
    }
    if (running) {
      for (int i = 0; i < activeSlots && !queue.isEmpty(); i++) {
        if (slots[i].state == SlotState.IDLE) {
          startSlot(slots[i]);
        }
      }
    }
    reportFinishedIfDone();
    return this;
  }

  private void endArrivals() {
    if (!arrivalsEnded) {
      arrivalsEnded = true;
      timers.cancel(Arrive.INSTANCE);
    }
  }

  /** Tells the observer once: no request will arrive, none is queued, none is in flight. */
  private void reportFinishedIfDone() {
    if (arrivalsEnded && queue.isEmpty() && inFlight == 0 && !finishReported) {
      finishReported = true;
      observer.ioFinished(driverContext.deviceId(), submitted);
    }
  }

  /**
   * Reports the end of a request; a failed one that {@code faultId} ended (the driver saw that fault
   * act on it) is aborted by that fault, whatever else acted on the device since.
   */
  private void end(Request request, long bytes, NtStatus status, String faultId) {
    long now = clock.nowMicros();
    IoObserver.RequestEnd end = new IoObserver.RequestEnd(
        driverContext.deviceId(),
        request.sequence(),
        request.direction(),
        bytes,
        status,
        now - request.arrivalMicros(),
        request.arrivalMicros() - ioStartMicros);
    observer.requestCompleted(faultId != null && !status.isSuccess() ? end.abortedBy(faultId) : end);
  }

  private void initialize(Slot slot) {
    slot.state = SlotState.INITIALIZING;
    call(slot,
        new TransactionDdi.WdfDmaTransactionInitialize(
            slot.request.direction(), slot.request.size(), 0, getContext().getSelf().narrow()),
        true);
  }

  private Behavior<DriverMessage> onProgramDma(DriverCallback.EvtProgramDma program) {
    Slot programmedSlot = slotOf(program.transaction());
    programmedSlot.programMicros = clock.nowMicros();
    CallbackRule rule = rules.decide(program);
    if (hangs(rule)) {
      // Never returns: the transaction's deadline makes it a DPC_WATCHDOG_VIOLATION (DISPATCH_LEVEL, §3.3).
      return this;
    }
    if (fails(rule)) {
      blame(programmedSlot, rule);
      return failProgramDma(programmedSlot, program, rule.status());
    }
    if (hardwareGone) {
      // Nothing to program: the fragment is ended as soon as EvtProgramDma has returned.
      rules.reply(program, CallbackReturn.SUCCESS);
      abandonTransfer(programmedSlot);
      return this;
    }
    if (settings.mode() == Mode.SYSTEM) {
      // The system DMA controller moves the data; the device side needs no programming here.
      programmedSlot.systemRunning = true;
      programmedSlot.stopSent = !running;
      if (!running) {
        // Suspending: stop the fragment now (§6.2); its completion comes as DmaCancelled.
        call(programmedSlot, new TransactionDdi.WdfDmaTransactionStopSystemTransfer(getContext().getSelf().narrow()), false);
      }
      rules.reply(program, CallbackReturn.SUCCESS);
      watch(programmedSlot);
      return this;
    }
    // Program the channel: one DMA descriptor chain per fragment (§9.2 R5).
    programmedSlot.programmed = true;
    programmedSlot.completionSeen = false;
    int channel = program.direction() == DmaDirection.READ_FROM_DEVICE ? READ_CHANNEL : WRITE_CHANNEL;
    engine.tell(
        new DmaEngineMessage.ProgramTransfer(
            program.transaction(), program.direction(), program.sgList().offset(), program.sgList().length(), channel));
    rules.reply(program, CallbackReturn.SUCCESS);
    watch(programmedSlot);
    return this;
  }

  /**
   * §3.3: EvtProgramDma failed. Nothing is programmed; the callback returns FALSE, which KMDF
   * ignores, so the driver ends the transfer itself with DmaCompletedFinal (§9.2 R-err), then
   * Release, and the request fails with {@code status}. A System fragment is already mapped on the
   * controller: it is stopped first (§6.2) and ended from its DmaCancelled completion.
   */
  private Behavior<DriverMessage> failProgramDma(Slot slot, DriverCallback.EvtProgramDma program, NtStatus status) {
    slot.failure = status;
    slot.programmed = false;
    if (settings.mode() == Mode.SYSTEM) {
      slot.systemRunning = true;
      slot.stopSent = true;
      call(slot, new TransactionDdi.WdfDmaTransactionStopSystemTransfer(getContext().getSelf().narrow()), false);
      rules.reply(program, CallbackReturn.ofBoolean(false));
      watch(slot);
      return this;
    }
    // Returned first: a DmaCompleted* recorded before the callback's span would complete a fragment never programmed.
    rules.reply(program, CallbackReturn.ofBoolean(false));
    call(slot, new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, getContext().getSelf().narrow()), true);
    return this;
  }

  /** The request on {@code slot} ends by {@code rule}'s fault, unless a fault was blamed for it first. */
  private static void blame(Slot slot, CallbackRule rule) {
    if (slot.request != null && slot.abortedBy == null && rule.faultId() != null) {
      slot.abortedBy = rule.faultId();
    }
  }

  private static boolean hangs(CallbackRule rule) {
    return rule != null && rule.action() == CallbackRule.Action.HANG;
  }

  private static boolean fails(CallbackRule rule) {
    return rule != null && rule.action() == CallbackRule.Action.FAIL;
  }

  private Behavior<DriverMessage> onReserveDma(DriverCallback.EvtReserveDma reserve) {
    if (hangs(rules.decide(reserve))) {
      // The reservation is never used: the slot stays with the callback (a DPC_WATCHDOG_VIOLATION, §5).
      return this;
    }
    Slot slot = slotOf(reserve.transaction());
    rules.reply(reserve, CallbackReturn.SUCCESS);
    slot.reserved = true;
    issue(slot);
    return this;
  }

  private Behavior<DriverMessage> onIsr(DriverCallback.EvtInterruptIsr isr) {
    CallbackRule rule = rules.decide(isr);
    if (hangs(rule) || fails(rule)) {
      for (CompletedTransfer done : isr.completed()) {
        blame(slotOf(done.transaction()), rule);
      }
    }
    if (hangs(rule)) {
      // The engine gives the ISR up at its deadline; the completions it was shown reach no DPC.
      return this;
    }
    if (fails(rule)) {
      // Not claimed (§9.2 R7): nothing latched, no DPC. The status was read and cleared with the
      // interrupt, so the transfers it showed are the watchdog's, as a lost interrupt's are.
      rules.reply(isr, CallbackReturn.ofBoolean(false));
      return this;
    }
    if (hardwareGone) {
      // Raised before the removal; its transfers were ended in EvtDeviceSurpriseRemoval.
      rules.reply(isr, CallbackReturn.ofBoolean(true));
      return this;
    }
    if (isr.completed().isEmpty()) {
      // The status shows nothing of this device's (a repeated interrupt): the ISR claims nothing (§9.2 R7).
      rules.reply(isr, CallbackReturn.ofBoolean(false));
      return this;
    }
    // Read and clear the status; the work is done in the DPC (§9.2 R7). A completion of a transfer
    // the watchdog gave up on is read and cleared like the others, and left alone.
    long now = clock.nowMicros();
    boolean work = false;
    for (CompletedTransfer done : isr.completed()) {
      Slot slot = slotOf(done.transaction());
      // Only the fragment programmed now: a transfer of an earlier one started before it was programmed.
      if (slot.programmed && !slot.completionSeen && slot.recovery != Recovery.ABORTING
          && done.startMicros() >= slot.programMicros) {
        slot.completionSeen = true;
        latched.add(done);
        work = true;
        observer.programToInterrupt(driverContext.deviceId(), now - slot.programMicros);
      }
    }
    if (work) {
      engine.tell(new DmaEngineMessage.WdfInterruptQueueDpcForIsr(isr.interruptIndex()));
    }
    rules.reply(isr, CallbackReturn.ofBoolean(true));
    return this;
  }

  private Behavior<DriverMessage> onDpc(DriverCallback.EvtInterruptDpc dpc) {
    CallbackRule rule = rules.decide(dpc);
    if (hangs(rule)) {
      // The hung DPC keeps what the ISR latched for it: those transfers are the watchdog's.
      for (CompletedTransfer done : latched) {
        blame(slotOf(done.transaction()), rule);
      }
      latched.clear();
      return this;
    }
    // §9.2 R9 / §9.3 W7: DmaCompleted for each finished transfer.
    for (CompletedTransfer done : latched) {
      Slot slot = slotOf(done.transaction());
      slot.programmed = false;
      call(slot, new TransactionDdi.WdfDmaTransactionDmaCompleted(getContext().getSelf().narrow()), true);
    }
    latched.clear();
    rules.reply(dpc, CallbackReturn.SUCCESS);
    return this;
  }

  /** §6.3: the system DMA controller finished: DmaCompleted, or DmaCompletedFinal if it was cancelled or failed. */
  private Behavior<DriverMessage> onTransferComplete(DriverCallback.EvtDmaTransactionDmaTransferComplete complete) {
    Slot slot = slotOf(complete.transaction());
    if (hangs(rules.decide(complete))) {
      // The transfer is over and no DmaCompleted* follows: the request stays with the hung callback
      // (a DPC_WATCHDOG_VIOLATION). Not the watchdog's: stopping a finished transfer is K12 (§6.2).
      slot.systemRunning = false;
      return this;
    }
    rules.reply(complete, CallbackReturn.SUCCESS);
    slot.systemRunning = false;
    slot.stopSent = false;
    observer.programToInterrupt(driverContext.deviceId(), clock.nowMicros() - slot.programMicros);
    TransactionDdi next =
        complete.status() == DmaCompletionStatus.DMA_COMPLETE
            ? new TransactionDdi.WdfDmaTransactionDmaCompleted(getContext().getSelf().narrow())
            : new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, getContext().getSelf().narrow());
    call(slot, next, true);
    return this;
  }

  private Behavior<DriverMessage> onDdiReturn(TransactionDdiReturn r) {
    Slot slot = slotOf(r.transaction());
    long number = ++slot.returnsReceived;
    long now = clock.nowMicros();
    Injection injection = ddiGate.decide(MessagePath.DDI_REPLIES, now);
    if (injection == null) {
      return settle(slot, number, r);
    }
    observer.faultInjected(
        injection.faultId(), driverContext.deviceId(), "ddi-replies " + injection.action().planName() + " " + r.ddi(), now);
    switch (injection.action()) {
      case DROP:
        return this;
      case DELAY:
        getContext().scheduleOnce(clock.toReal(injection.delay()), getContext().getSelf(), new DelayedReturn(number, r));
        return this;
      case DUPLICATE:
      default:
        settle(slot, number, r);
        return settle(slot, number, r);
    }
  }

  private Behavior<DriverMessage> onDelayedDdiReturn(DelayedReturn delayed) {
    return settle(slotOf(delayed.r().transaction()), delayed.call(), delayed.r());
  }

  /** A return of call {@code number}: acted on if the slot still waits for it, else left alone. */
  private Behavior<DriverMessage> settle(Slot slot, long number, TransactionDdiReturn r) {
    if (slot.awaiting.remove(number) == null) {
      // A call that needs no return, or one that is over: answered twice, or given up by the watchdog.
      return this;
    }
    Behavior<DriverMessage> next = onReturn(slot, r);
    watch(slot);
    return next;
  }

  private Behavior<DriverMessage> onReturn(Slot slot, TransactionDdiReturn r) {
    switch (r.ddi()) {
      case INITIALIZE:
        return onInitialized(slot, r);
      case EXECUTE:
        return onExecuted(slot, r);
      case DMA_COMPLETED:
      case DMA_COMPLETED_FINAL:
        return onDmaCompletedReturn(slot, r);
      case RELEASE:
        return onReleased(slot);
      case ALLOCATE_RESOURCES:
        return onAllocateResourcesReturn(slot, r);
      case FREE_RESOURCES:
        freesInFlight--;
        return answerCleanupIfFreed();
      default:
        return this;
    }
  }

  private Behavior<DriverMessage> onInitialized(Slot slot, TransactionDdiReturn r) {
    if (!r.status().isSuccess()) {
      // A failed Initialize leaves the transaction Released: the request fails.
      slot.status = r.status();
      slot.bytes = 0;
      return requestDone(slot);
    }
    slot.state = SlotState.EXECUTING;
    // Its return matters when Execute fails; when it succeeds, EvtProgramDma follows the grant.
    call(slot, new TransactionDdi.WdfDmaTransactionExecute(getContext().getSelf().narrow()), true);
    return this;
  }

  private Behavior<DriverMessage> onExecuted(Slot slot, TransactionDdiReturn r) {
    if (r.status().isSuccess()) {
      return this;
    }
    // §9.2 R6: on failure Release, then complete (or, for STATUS_WDF_BUSY, retry later: §4.4).
    slot.retryAfterRelease = r.status() == NtStatus.STATUS_WDF_BUSY && !slot.timedOut;
    slot.status = r.status();
    slot.bytes = 0;
    release(slot);
    return this;
  }

  private Behavior<DriverMessage> onDmaCompletedReturn(Slot slot, TransactionDdiReturn r) {
    if (!r.value()) {
      // FALSE: the next fragment is staged; its EvtProgramDma comes.
      return this;
    }
    if (slot.failure != null) {
      slot.status = slot.failure;
    } else {
      slot.status = hardwareGone && DMA_COMPLETED_FINAL.equals(r.ddi()) ? NtStatus.STATUS_NO_SUCH_DEVICE : r.status();
    }
    slot.bytes = r.bytesTransferred();
    release(slot);
    return this;
  }

  private void release(Slot slot) {
    slot.state = SlotState.RELEASING;
    call(slot, new TransactionDdi.WdfDmaTransactionRelease(getContext().getSelf().narrow()), true);
  }

  private Behavior<DriverMessage> onReleased(Slot slot) {
    if (slot.state != SlotState.RELEASING) {
      return this;
    }
    if (slot.retryAfterRelease) {
      slot.retryAfterRelease = false;
      slot.state = SlotState.WAITING_FOR_RETRY;
      retryWaitingIfAlone();
      return this;
    }
    return requestDone(slot);
  }

  /** A request ends: report it, start the next on this transaction, retry those refused as busy. */
  private Behavior<DriverMessage> requestDone(Slot slot) {
    inFlight--;
    end(slot.request, slot.bytes, slot.timedOut ? NtStatus.STATUS_IO_TIMEOUT : slot.status, slot.abortedBy);
    slot.request = null;
    slot.state = SlotState.IDLE;
    slot.timedOut = false;
    slot.failure = null;
    slot.abortedBy = null;
    // Whatever the request still waited for is over with it.
    slot.awaiting.clear();
    slot.programmed = false;
    slot.systemRunning = false;
    slot.stopSent = false;
    watch(slot);
    retryWaiting();
    issue(slot);
    reportFinishedIfDone();
    return answerSuspendIfIdle();
  }

  private void retryWaiting() {
    for (Slot waiting : slots) {
      if (waiting.state == SlotState.WAITING_FOR_RETRY) {
        initialize(waiting);
      }
    }
  }

  /** A busy refusal with nothing else executing: the slot that was busy freed already; retry now. */
  private void retryWaitingIfAlone() {
    for (Slot other : slots) {
      if (other.state == SlotState.EXECUTING || other.state == SlotState.INITIALIZING) {
        return;
      }
    }
    retryWaiting();
  }

  private Behavior<DriverMessage> onAllocateResourcesReturn(Slot slot, TransactionDdiReturn r) {
    if (!r.status().isSuccess()) {
      // No reservation: this transaction carries no I/O. Without any usable transaction, the
      // requests that arrive fail with the reservation's status.
      slot.state = SlotState.IDLE;
      slot.reserved = false;
      slot.unusable = true;
      getContext().getLog().warn(
          "{}: WdfDmaTransactionAllocateResources failed with {}; transaction {} carries no I/O",
          driverContext.deviceId(), r.status(), slot.tx.id());
      if (noUsableSlot()) {
        endArrivals();
        while (!queue.isEmpty()) {
          end(queue.poll(), 0, r.status(), null);
        }
        reportFinishedIfDone();
      }
    }
    return this;
  }

  private boolean noUsableSlot() {
    for (int i = 0; i < activeSlots; i++) {
      if (!slots[i].unusable) {
        return false;
      }
    }
    return true;
  }

  // ---- DDI calls and the watchdog --------------------------------------------------------------

  /**
   * Makes a DDI call on the slot's transaction. Every call is numbered (its return is the
   * transaction's return of that number); with {@code awaited} the slot waits for the return, and
   * the watchdog watches that wait.
   */
  private void call(Slot slot, TransactionDdi ddi, boolean awaited) {
    long number = ++slot.callsMade;
    if (awaited) {
      slot.awaiting.put(number, ddi.ddi());
    }
    slot.tx.ref().tell(ddi);
    watch(slot);
  }

  /**
   * (Re)starts the slot's watch from now if it waits for something only the framework or the
   * hardware can give — a return, an interrupt, a system completion — and stops it otherwise
   * (waiting for arbitration, idle, or being recovered).
   */
  private void watch(Slot slot) {
    boolean waiting = slot.recovery == Recovery.NONE
        && (!slot.awaiting.isEmpty() || slot.programmed || slot.systemRunning);
    if (!waiting) {
      slot.watchSince = -1;
      return;
    }
    slot.watchSince = clock.nowMicros();
    long end = slot.watchSince + limitOf(slot);
    if (watchdogDueMicros < 0 || end < watchdogDueMicros) {
      scheduleWatchdog(end);
    }
  }

  private long limitOf(Slot slot) {
    return slot.systemRunning ? systemWatchdogMicros : watchdogMicros;
  }

  private void scheduleWatchdog(long atMicros) {
    watchdogDueMicros = atMicros;
    timers.startSingleTimer(
        WatchdogDue.INSTANCE, clock.toReal(Duration.ofNanos(Math.max(0, atMicros - clock.nowMicros()) * 1000)));
  }

  private Behavior<DriverMessage> onWatchdogDue() {
    watchdogDueMicros = -1;
    long now = clock.nowMicros();
    long next = Long.MAX_VALUE;
    for (Slot slot : slots) {
      if (slot.watchSince < 0) {
        continue;
      }
      long end = slot.watchSince + limitOf(slot);
      if (now >= end) {
        expire(slot);
      }
      if (slot.watchSince >= 0) {
        next = Math.min(next, slot.watchSince + limitOf(slot));
      }
    }
    if (next != Long.MAX_VALUE) {
      scheduleWatchdog(next);
    }
    return this;
  }

  /** The slot waited too long: the DPC-timeout path for a transfer, the transaction's state for a lost return. */
  private void expire(Slot slot) {
    slot.watchSince = -1;
    slot.timedOut = slot.request != null;
    if (slot.programmed) {
      getContext().getLog().info("{}: no interrupt for transaction {} within {} us: the transfer is reset and ended",
          driverContext.deviceId(), slot.tx.id(), watchdogMicros);
      // The DPC must not complete what the reset ends; the ISR leaves its completions alone from now on.
      latched.removeIf(done -> done.transaction().equals(slot.tx));
      slot.recovery = Recovery.ABORTING;
      engine.tell(new DmaEngineMessage.AbortTransfer(slot.tx, getContext().getSelf().narrow()));
      return;
    }
    if (slot.systemRunning && !slot.stopSent) {
      getContext().getLog().info("{}: system transfer of transaction {} not complete within {} us: stopped",
          driverContext.deviceId(), slot.tx.id(), systemWatchdogMicros);
      // §6.2: the running transfer completes at once with DmaCancelled; DmaCompletedFinal follows from there.
      slot.stopSent = true;
      call(slot, new TransactionDdi.WdfDmaTransactionStopSystemTransfer(getContext().getSelf().narrow()), false);
      return;
    }
    getContext().getLog().info("{}: no return of {} from transaction {} within {} us: its state decides",
        driverContext.deviceId(), slot.awaiting.values(), slot.tx.id(), watchdogMicros);
    slot.lost.clear();
    slot.lost.addAll(slot.awaiting.values());
    slot.awaiting.clear();
    slot.systemRunning = false;
    slot.recovery = Recovery.INSPECTING;
    slot.tx.ref().tell(new DmaTransaction.Inspect(inspections));
  }

  /** The engine reset the transaction's transfers: §3.5 DmaCompletedFinal ends the transaction (TRUE), then Release. */
  private Behavior<DriverMessage> onTransferAborted(TransferAborted aborted) {
    Slot slot = slotOf(aborted.transaction());
    if (slot.recovery != Recovery.ABORTING) {
      return this;
    }
    slot.recovery = Recovery.NONE;
    slot.programmed = false;
    call(slot, new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, getContext().getSelf().narrow()), true);
    return this;
  }

  /** The state of a transaction whose return was lost: end it as §3.2 allows there, or go on waiting. */
  private Behavior<DriverMessage> onInspected(Inspected inspected) {
    TransactionView view = inspected.view();
    Slot slot = slots[(int) view.id() - 1];
    if (slot.recovery != Recovery.INSPECTING) {
      return this;
    }
    slot.recovery = Recovery.NONE;
    if (slot.lost.remove(FREE_RESOURCES)) {
      // FreeResources leaves the transaction Released whatever it held (§3.2): the cleanup may go on.
      freesInFlight--;
      answerCleanupIfFreed();
    }
    boolean reserving = slot.lost.remove(ALLOCATE_RESOURCES);
    slot.lost.clear();
    switch (view.state()) {
      case INITIALIZED:
      case TRANSFER_COMPLETED:
      case TRANSFER_FAILED:
        if (reserving && view.state() == TransactionState.TRANSFER_FAILED && slot.request == null) {
          // The reservation was refused (§5): as onAllocateResourcesReturn does with a failure.
          slot.state = SlotState.IDLE;
          slot.unusable = true;
          return this;
        }
        // §3.2: Release is allowed in each of these states.
        slot.bytes = view.transferred();
        slot.retryAfterRelease = false;
        release(slot);
        return this;
      case RESERVED:
      case TRANSFER:
        // The lost return was a success: EvtReserveDma or EvtProgramDma comes when the grant does.
        slot.timedOut = false;
        watch(slot);
        return this;
      case CREATED:
      case RELEASED:
      default:
        // Nothing held: the request ends here.
        if (slot.request != null) {
          return requestDone(slot);
        }
        if (reserving) {
          slot.state = SlotState.IDLE;
          slot.unusable = true;
        }
        return this;
    }
  }

  private Slot slotOf(TransactionHandle tx) {
    // Transactions are numbered from 1 in creation order by their enabler.
    return slots[(int) tx.id() - 1];
  }
}
