package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.hardware.CompletedTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.transaction.DmaCompletionStatus;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.time.NodeClock;

/**
 * The reference DMA drivers (reference §9): one enabler, a fixed set of DMA transactions created
 * in EvtDriverDeviceAdd and reused through WdfDmaTransactionRelease, and a stream of I/O requests
 * (sizes and directions drawn from the device's seeded stream) while self-managed I/O runs.
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
 */
public final class DmaIoDriver extends AbstractBehavior<DriverMessage> {

  public enum Mode {
    SCATTER_GATHER,
    PACKET,
    RESERVING_PACKET,
    SYSTEM
  }

  /**
   * @param outstanding transactions, hence requests in flight at once
   * @param minBytes smallest request, bytes
   * @param maxBytes largest request, bytes (uniform between)
   * @param readFraction share of requests that read from the device
   * @param requests requests per device over the run
   * @param reservedRegisters RESERVING_PACKET: map registers each transaction reserves (at least
   *     1: the count is derived only from an initialized buffer, and these reserve before any)
   */
  public record Settings(
      Mode mode,
      DmaEnablerConfig enabler,
      int outstanding,
      long minBytes,
      long maxBytes,
      double readFraction,
      long requests,
      int reservedRegisters,
      List<CallbackRule> rules,
      long runSeed) {

    public Settings {
      if (outstanding < 1) {
        throw new IllegalArgumentException("outstanding must be at least 1, got " + outstanding);
      }
      if (minBytes < 1 || maxBytes < minBytes) {
        throw new IllegalArgumentException("request sizes must satisfy 1 <= min <= max, got " + minBytes + ".." + maxBytes);
      }
      if (!(readFraction >= 0 && readFraction <= 1)) {
        throw new IllegalArgumentException("read fraction must be in [0, 1], got " + readFraction);
      }
      if (requests < 0 || reservedRegisters < 0) {
        throw new IllegalArgumentException("requests and reserved registers must not be negative");
      }
      if (mode == Mode.RESERVING_PACKET && reservedRegisters < 1) {
        // AllocateResources(0) outside Initialized is bug check K8 (reference §8.1).
        throw new IllegalArgumentException("a reserving driver needs reserved registers >= 1, got " + reservedRegisters);
      }
      rules = List.copyOf(rules);
    }

    public DriverModel model(IoObserver observer) {
      return context -> DmaIoDriver.create(this, observer, context);
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
    boolean retryAfterRelease;
    DmaDirection direction;
    long size;
    long startMicros;
    long bytes;
    NtStatus status;
  }

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
  private boolean running;
  private long issued;
  private int inFlight;

  public static Behavior<DriverMessage> create(Settings settings, IoObserver observer, DriverContext context) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new DmaIoDriver(ctx, timers, settings, observer, context)));
  }

  private DmaIoDriver(
      ActorContext<DriverMessage> context,
      TimerScheduler<DriverMessage> timers,
      Settings settings,
      IoObserver observer,
      DriverContext driverContext) {
    super(context);
    this.settings = settings;
    this.driverContext = driverContext;
    this.observer = observer;
    this.clock = NodeClock.get(context.getSystem());
    this.rules = new RuleBook(settings.rules(), settings.runSeed(), driverContext, timers, clock);
    this.setup = new DmaObjectsSetup(driverContext, context.getSelf(), rules);
    this.slots = new Slot[settings.outstanding()];
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
        .onMessage(DriverCallback.EvtProgramDma.class, this::onProgramDma)
        .onMessage(DriverCallback.EvtReserveDma.class, this::onReserveDma)
        .onMessage(DriverCallback.EvtInterruptIsr.class, this::onIsr)
        .onMessage(DriverCallback.EvtInterruptDpc.class, this::onDpc)
        .onMessage(DriverCallback.EvtDmaTransactionDmaTransferComplete.class, this::onTransferComplete)
        .onMessage(DriverCallback.class, this::onOtherCallback)
        .onMessage(EnablerCreateResult.class, this::onEnablerCreated)
        .onMessage(TransactionCreateResult.class, this::onTransactionCreated)
        .onMessage(TransactionDdiReturn.class, this::onDdiReturn)
        .onMessage(RuleBook.DelayedReturn.class, this::onDelayedReturn)
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
        slots[i].tx.ref().tell(
            new TransactionDdi.WdfDmaTransactionSetTransferCompleteCallback(true, getContext().getSelf().narrow()));
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
      for (Slot slot : slots) {
        startSlot(slot);
      }
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
    // The device is going away: give the reservations back (§5 FreeResources).
    for (Slot slot : slots) {
      if (slot.reserved && slot.tx != null) {
        slot.reserved = false;
        freesInFlight++;
        slot.tx.ref().tell(new TransactionDdi.WdfDmaTransactionFreeResources(getContext().getSelf().narrow()));
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

  private Behavior<DriverMessage> onOtherCallback(DriverCallback callback) {
    rules.answer(callback);
    return this;
  }

  private Behavior<DriverMessage> onDelayedReturn(RuleBook.DelayedReturn delayed) {
    RuleBook.deliver(delayed);
    return this;
  }

  // ---- Requests ------------------------------------------------------------------------------

  private void startSlot(Slot slot) {
    if (slot.tx == null || slot.state != SlotState.IDLE) {
      return;
    }
    if (settings.mode() == Mode.RESERVING_PACKET && !slot.reserved) {
      slot.state = SlotState.RESERVING;
      slot.tx.ref().tell(
          new TransactionDdi.WdfDmaTransactionAllocateResources(
              DmaDirection.READ_FROM_DEVICE, settings.reservedRegisters(), getContext().getSelf().narrow()));
      return;
    }
    issue(slot);
  }

  /** The next request on this slot's transaction, if the run wants more. */
  private void issue(Slot slot) {
    if (!running || issued >= settings.requests()) {
      slot.state = SlotState.IDLE;
      return;
    }
    issued++;
    inFlight++;
    var random = rules.random();
    slot.size = settings.minBytes() == settings.maxBytes()
        ? settings.minBytes()
        : settings.minBytes() + random.nextLong(settings.maxBytes() - settings.minBytes() + 1);
    slot.direction = random.nextDouble() < settings.readFraction() ? DmaDirection.READ_FROM_DEVICE : DmaDirection.WRITE_TO_DEVICE;
    slot.startMicros = clock.nowMicros();
    initialize(slot);
  }

  private void initialize(Slot slot) {
    slot.state = SlotState.INITIALIZING;
    slot.tx.ref().tell(
        new TransactionDdi.WdfDmaTransactionInitialize(slot.direction, slot.size, 0, getContext().getSelf().narrow()));
  }

  private Behavior<DriverMessage> onProgramDma(DriverCallback.EvtProgramDma program) {
    if (settings.mode() == Mode.SYSTEM) {
      // The system DMA controller moves the data; the device side needs no programming here.
      if (!running) {
        // Suspending: stop the fragment now (§6.2); its completion comes as DmaCancelled.
        program.transaction().ref().tell(
            new TransactionDdi.WdfDmaTransactionStopSystemTransfer(getContext().getSelf().narrow()));
      }
      program.replyTo().tell(CallbackReturn.SUCCESS);
      return this;
    }
    // Program the channel: one DMA descriptor chain per fragment (§9.2 R5).
    int channel = program.direction() == DmaDirection.READ_FROM_DEVICE ? READ_CHANNEL : WRITE_CHANNEL;
    engine.tell(
        new DmaEngineMessage.ProgramTransfer(
            program.transaction(), program.direction(), program.sgList().offset(), program.sgList().length(), channel));
    program.replyTo().tell(CallbackReturn.SUCCESS);
    return this;
  }

  private Behavior<DriverMessage> onReserveDma(DriverCallback.EvtReserveDma reserve) {
    Slot slot = slotOf(reserve.transaction());
    reserve.replyTo().tell(CallbackReturn.SUCCESS);
    slot.reserved = true;
    issue(slot);
    return this;
  }

  private Behavior<DriverMessage> onIsr(DriverCallback.EvtInterruptIsr isr) {
    // Read and clear the status; the work is done in the DPC (§9.2 R7).
    latched.addAll(isr.completed());
    engine.tell(new DmaEngineMessage.WdfInterruptQueueDpcForIsr(isr.interruptIndex()));
    isr.replyTo().tell(CallbackReturn.ofBoolean(true));
    return this;
  }

  private Behavior<DriverMessage> onDpc(DriverCallback.EvtInterruptDpc dpc) {
    // §9.2 R9 / §9.3 W7: DmaCompleted for each finished transfer.
    for (CompletedTransfer done : latched) {
      done.transaction().ref().tell(new TransactionDdi.WdfDmaTransactionDmaCompleted(getContext().getSelf().narrow()));
    }
    latched.clear();
    dpc.replyTo().tell(CallbackReturn.SUCCESS);
    return this;
  }

  /** §6.3: the system DMA controller finished: DmaCompleted, or DmaCompletedFinal if it was cancelled or failed. */
  private Behavior<DriverMessage> onTransferComplete(DriverCallback.EvtDmaTransactionDmaTransferComplete complete) {
    complete.replyTo().tell(CallbackReturn.SUCCESS);
    TransactionDdi next =
        complete.status() == DmaCompletionStatus.DMA_COMPLETE
            ? new TransactionDdi.WdfDmaTransactionDmaCompleted(getContext().getSelf().narrow())
            : new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, getContext().getSelf().narrow());
    complete.transaction().ref().tell(next);
    return this;
  }

  private Behavior<DriverMessage> onDdiReturn(TransactionDdiReturn r) {
    Slot slot = slotOf(r.transaction());
    switch (r.ddi()) {
      case "WdfDmaTransactionInitialize":
        return onInitialized(slot, r);
      case "WdfDmaTransactionExecute":
        return onExecuted(slot, r);
      case "WdfDmaTransactionDmaCompleted":
      case "WdfDmaTransactionDmaCompletedFinal":
        return onDmaCompletedReturn(slot, r);
      case "WdfDmaTransactionRelease":
        return onReleased(slot);
      case "WdfDmaTransactionAllocateResources":
        return onAllocateResourcesReturn(slot, r);
      case "WdfDmaTransactionFreeResources":
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
    slot.tx.ref().tell(new TransactionDdi.WdfDmaTransactionExecute(getContext().getSelf().narrow()));
    return this;
  }

  private Behavior<DriverMessage> onExecuted(Slot slot, TransactionDdiReturn r) {
    if (r.status().isSuccess()) {
      return this;
    }
    // §9.2 R6: on failure Release, then complete (or, for STATUS_WDF_BUSY, retry later: §4.4).
    slot.retryAfterRelease = r.status() == NtStatus.STATUS_WDF_BUSY;
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
    slot.status = r.status();
    slot.bytes = r.bytesTransferred();
    release(slot);
    return this;
  }

  private void release(Slot slot) {
    slot.state = SlotState.RELEASING;
    slot.tx.ref().tell(new TransactionDdi.WdfDmaTransactionRelease(getContext().getSelf().narrow()));
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
    observer.requestCompleted(
        driverContext.deviceId(), slot.direction, slot.bytes, slot.status, clock.nowMicros() - slot.startMicros);
    slot.state = SlotState.IDLE;
    retryWaiting();
    issue(slot);
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
      // No reservation: this transaction carries no I/O.
      slot.state = SlotState.IDLE;
      slot.reserved = false;
      observer.requestCompleted(driverContext.deviceId(), DmaDirection.READ_FROM_DEVICE, 0, r.status(), 0);
    }
    return this;
  }

  private Slot slotOf(TransactionHandle tx) {
    // Transactions are numbered from 1 in creation order by their enabler.
    return slots[(int) tx.id() - 1];
  }
}
