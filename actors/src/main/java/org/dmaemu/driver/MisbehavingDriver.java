package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.WdfDmaTransactionCreate;
import org.dmaemu.time.NodeClock;

/**
 * A driver that breaks one rule of the verifier catalogue (reference §8) on purpose, to show that
 * the emulator turns every misuse into a bug-check record and never into an exception.
 *
 * <p>Everywhere else it is a correct driver: it creates its enabler and its transactions in
 * EvtDriverDeviceAdd and answers every power callback with success. It misbehaves once, when
 * self-managed I/O starts (after it has answered EvtDeviceSelfManagedIoInit), or at the point the
 * misuse needs: in EvtProgramDma for a transfer in flight, in EvtReserveDma for a reservation. A
 * misuse that is a state left behind for removal (a reservation, a transfer) is put in place inside
 * EvtDeviceSelfManagedIoInit, which returns only once it is, so that the device can be removed as
 * soon as it has started. The driver never programs the hardware.
 */
public final class MisbehavingDriver extends AbstractBehavior<DriverMessage> {

  /** One misuse per value; each names the rule the reference expects it to hit. */
  public enum Fault {
    /** §8.1 K1: Initialize on an Initialized transaction. */
    INITIALIZE_TWICE,
    /** §8.1 K2: Execute on a Created transaction. */
    EXECUTE_WITHOUT_INITIALIZE,
    /** §8.1 K3: DmaCompleted on an Initialized transaction that was never executed. */
    DMA_COMPLETED_WHEN_NOT_IN_TRANSFER,
    /** §8.1 K4: EvtProgramDma returns without programming the hardware; then Release. */
    RELEASE_DURING_TRANSFER,
    /** §8.1 K5: EvtProgramDma returns without programming the hardware; then WdfObjectDelete. */
    DELETE_DURING_TRANSFER,
    /** §8.1 K6: Cancel on a Created transaction (DMA v3). */
    CANCEL_IN_CREATED,
    /** §8.1 K8: AllocateResources(0) on a Created transaction: nothing to count the registers from. */
    ALLOCATE_RESOURCES_ZERO_UNINITIALIZED,
    /** §8.1 K9: AllocateResources(1) from EvtProgramDma, while the transfer runs. */
    ALLOCATE_RESOURCES_DURING_TRANSFER,
    /**
     * §8.1 K9 (the state check comes before the reservation check, dma/fxdmatransactionpacket.cpp
     * :189-201 before :206-216): AllocateResources(1) twice in a row, the second in Reserved.
     */
    ALLOCATE_RESOURCES_WHILE_RESERVED,
    /**
     * §8.1 K10: AllocateResources(1), EvtReserveDma, Release (the reservation survives it, §3.1),
     * AllocateResources(1) again from Released.
     */
    ALLOCATE_RESOURCES_TWICE,
    /** §8.1 K11: FreeResources on a Created transaction. */
    FREE_RESOURCES_IN_CREATED,
    /** §8.1 K12: StopSystemTransfer on a system-profile transaction with no transfer running. */
    STOP_SYSTEM_TRANSFER_NOT_RUNNING,
    /** §8.1 K14: WdfDmaTransactionCreate with a handle that is no enabler of the device. */
    CREATE_TRANSACTION_ON_BAD_ENABLER,
    /** §8.1 K14 as the reference states it: WdfDmaTransactionCreate with a NULL enabler handle. */
    CREATE_TRANSACTION_ON_NULL_ENABLER,
    /** §1.5 note, §8.4 0x19: Initialize on a system-profile enabler never configured (NULL adapter). */
    INITIALIZE_ON_UNCONFIGURED_SYSTEM,
    /** §3.3 SetMaximumLength row, §8.4 0x19: SetMaximumLength before Initialize reads a NULL adapter. */
    SET_MAXIMUM_LENGTH_BEFORE_INITIALIZE,
    /** §3.2 Cancel row, §8.4 0x19: Cancel after the transaction finished, without a reservation. */
    CANCEL_AFTER_COMPLETION,
    /**
     * §8.4 0x16: a second DmaCompleted between two scatter-gather fragments, while the next fragment
     * still waits for the adapter (held by a second transaction whose EvtProgramDma has not
     * returned): nothing is mapped to flush.
     */
    DMA_COMPLETED_BETWEEN_SG_FRAGMENTS,
    /** §3.3 SetMaximumLength (no lower bound), §8.4 0x21: SetMaximumLength(0), then Execute maps zero bytes. */
    ZERO_MAXIMUM_LENGTH,
    /** Map registers reserved and never given back with FreeResources before the device is removed. */
    LEAK_RESERVATION_AT_REMOVAL,
    /** §6.4, §8.1 K5: a transfer left in flight (never completed) when the device is removed. */
    TRANSFER_AT_REMOVAL,
    /** EvtProgramDma never returns: DPC_WATCHDOG_VIOLATION 0x133. */
    HANG_IN_PROGRAM_DMA;

    /** The misuse is a state the device is removed with, rather than a call. */
    public boolean leavesStateForRemoval() {
      return this == LEAK_RESERVATION_AT_REMOVAL || this == TRANSFER_AT_REMOVAL;
    }
  }

  /** Sees the return of the misusing call (WdfDmaTransactionCreate's or a transaction DDI's). */
  @FunctionalInterface
  public interface Observer {
    Observer NONE = (deviceId, returned) -> {};

    /**
     * The misusing call returned: under {@code on-violation = record} with the bug check; under
     * {@code crash-device} it never returns. Called on the driver's thread.
     */
    void misuseReturned(String deviceId, DriverMessage returned);
  }

  /**
   * @param enabler the one enabler EvtDriverDeviceAdd creates; {@link #forFault} picks one the
   *     fault works with
   * @param runSeed the seed of the driver's random stream (its {@link RuleBook}: success always)
   */
  public record Settings(Fault fault, DmaEnablerConfig enabler, long runSeed) {
    public Settings {
      if (fault == null || enabler == null) {
        throw new IllegalArgumentException("a misbehaving driver needs a fault and an enabler");
      }
    }

    /**
     * A system enabler for the system-profile faults, a scatter-gather enabler of one-page
     * fragments for the fault between fragments, and a DMA v3 packet enabler (reservation and
     * Cancel need v3) for the others.
     */
    public static Settings forFault(Fault fault, long runSeed) {
      return new Settings(fault, enablerFor(fault), runSeed);
    }

    private static DmaEnablerConfig enablerFor(Fault fault) {
      switch (fault) {
        case STOP_SYSTEM_TRANSFER_NOT_RUNNING:
        case INITIALIZE_ON_UNCONFIGURED_SYSTEM:
          return DmaEnablerConfig.init(DmaProfile.SYSTEM, PAGE);
        case DMA_COMPLETED_BETWEEN_SG_FRAGMENTS:
          return DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, PAGE);
        default:
          return DmaEnablerConfig.init(DmaProfile.PACKET, 16 * PAGE).withWdmDmaVersionOverride(3);
      }
    }

    public DriverModel model() {
      return model(Observer.NONE);
    }

    public DriverModel model(Observer observer) {
      return context -> MisbehavingDriver.create(this, observer, context);
    }
  }

  /** A DDI call, given where its return goes. */
  private interface Ddi extends Function<ActorRef<TransactionDdiReturn>, TransactionDdi> {}

  private static final int PAGE = 4096;
  private static final Consumer<TransactionHandle> NOTHING = tx -> {};
  private static final Ddi EXECUTE = TransactionDdi.WdfDmaTransactionExecute::new;
  private static final Ddi DMA_COMPLETED = TransactionDdi.WdfDmaTransactionDmaCompleted::new;

  private final Settings settings;
  private final DriverContext driverContext;
  private final Observer observer;
  private final RuleBook rules;
  private final List<TransactionHandle> transactions = new ArrayList<>(2);
  /** Per transaction, its calls not returned yet, in order: true for the misuse. */
  private final Map<Long, ArrayDeque<Boolean>> callsInFlight = new HashMap<>();
  private final DmaObjectsSetup setup;
  /** EvtDeviceSelfManagedIoInit, kept while a state for removal is put in place. */
  private DriverCallback pendingStart;
  /** A callback kept unanswered until the misuse has returned. */
  private DriverCallback held;
  /** What the driver does once a transaction's EvtProgramDma has returned; once. */
  private Consumer<TransactionHandle> whenProgrammed = NOTHING;
  /** What the driver does once a transaction's EvtReserveDma has returned; once. */
  private Consumer<TransactionHandle> whenReserved = NOTHING;
  private boolean secondExecuted;

  public static Behavior<DriverMessage> create(Settings settings, Observer observer, DriverContext context) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new MisbehavingDriver(ctx, timers, settings, observer, context)));
  }

  private MisbehavingDriver(
      ActorContext<DriverMessage> context,
      TimerScheduler<DriverMessage> timers,
      Settings settings,
      Observer observer,
      DriverContext driverContext) {
    super(context);
    this.settings = settings;
    this.driverContext = driverContext;
    this.observer = observer;
    this.rules = new RuleBook(List.of(), settings.runSeed(), driverContext, timers, NodeClock.get(context.getSystem()));
    this.setup = new DmaObjectsSetup(driverContext, context.getSelf(), rules);
  }

  @Override
  public Receive<DriverMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(DriverCallback.EvtDriverDeviceAdd.class, this::onDeviceAdd)
        .onMessage(DriverCallback.EvtDeviceSelfManagedIoInit.class, this::onSelfManagedIoInit)
        .onMessage(DriverCallback.EvtProgramDma.class, this::onProgramDma)
        .onMessage(DriverCallback.EvtReserveDma.class, this::onReserveDma)
        .onMessage(DriverCallback.class, this::onOtherCallback)
        .onMessage(EnablerCreateResult.class, this::onEnablerCreated)
        .onMessage(TransactionCreateResult.class, this::onTransactionCreated)
        .onMessage(TransactionDdiReturn.class, this::onDdiReturn)
        .onMessage(RuleBook.DelayedReturn.class, this::onDelayedReturn)
        .build();
  }

  // ---- EvtDriverDeviceAdd: the enabler and the transactions, as a correct driver --------------

  private Behavior<DriverMessage> onDeviceAdd(DriverCallback.EvtDriverDeviceAdd add) {
    setup.start(add, settings.enabler(), transactionsWanted(), transactions::addAll);
    return this;
  }

  private Behavior<DriverMessage> onEnablerCreated(EnablerCreateResult result) {
    setup.onEnablerCreated(result);
    return this;
  }

  private Behavior<DriverMessage> onTransactionCreated(TransactionCreateResult result) {
    if (setup.running()) {
      setup.onTransactionCreated(result);
      return this;
    }
    // After EvtDriverDeviceAdd only the misuse creates a transaction.
    boolean misuse = settings.fault() == Fault.CREATE_TRANSACTION_ON_BAD_ENABLER
        || settings.fault() == Fault.CREATE_TRANSACTION_ON_NULL_ENABLER;
    return misuse ? misuseReturned(result) : this;
  }

  /** One transaction; two where a second one must hold the adapter. */
  private int transactionsWanted() {
    return settings.fault() == Fault.DMA_COMPLETED_BETWEEN_SG_FRAGMENTS ? 2 : 1;
  }

  // ---- Callbacks -----------------------------------------------------------------------------

  private Behavior<DriverMessage> onSelfManagedIoInit(DriverCallback.EvtDeviceSelfManagedIoInit init) {
    if (settings.fault().leavesStateForRemoval()) {
      pendingStart = init;
    } else {
      rules.answer(init);
    }
    misbehave();
    return this;
  }

  private Behavior<DriverMessage> onProgramDma(DriverCallback.EvtProgramDma program) {
    switch (settings.fault()) {
      case HANG_IN_PROGRAM_DMA:
        // Never returns, like a DISPATCH_LEVEL routine spinning on a register that never changes.
        return this;
      case DMA_COMPLETED_BETWEEN_SG_FRAGMENTS:
        return programBetweenFragments(program);
      default:
        // Returns without programming the hardware: the transfer stays in flight.
        program.replyTo().tell(CallbackReturn.SUCCESS);
        Consumer<TransactionHandle> next = whenProgrammed;
        whenProgrammed = NOTHING;
        next.accept(program.transaction());
        return this;
    }
  }

  private Behavior<DriverMessage> onReserveDma(DriverCallback.EvtReserveDma reserve) {
    reserve.replyTo().tell(CallbackReturn.SUCCESS);
    Consumer<TransactionHandle> next = whenReserved;
    whenReserved = NOTHING;
    next.accept(reserve.transaction());
    return this;
  }

  private Behavior<DriverMessage> onOtherCallback(DriverCallback callback) {
    rules.answer(callback);
    return this;
  }

  private Behavior<DriverMessage> onDelayedReturn(RuleBook.DelayedReturn delayed) {
    rules.deliver(delayed);
    return this;
  }

  // ---- The misuses, one method each ----------------------------------------------------------

  private void misbehave() {
    switch (settings.fault()) {
      case INITIALIZE_TWICE -> initializeTwice();
      case EXECUTE_WITHOUT_INITIALIZE -> misuse(first(), EXECUTE);
      case DMA_COMPLETED_WHEN_NOT_IN_TRANSFER -> dmaCompletedWhenNotInTransfer();
      case RELEASE_DURING_TRANSFER -> startTransfer(tx -> misuse(tx, TransactionDdi.WdfDmaTransactionRelease::new));
      case DELETE_DURING_TRANSFER -> startTransfer(tx -> misuse(tx, TransactionDdi.WdfObjectDelete::new));
      case CANCEL_IN_CREATED -> misuse(first(), TransactionDdi.WdfDmaTransactionCancel::new);
      case ALLOCATE_RESOURCES_ZERO_UNINITIALIZED -> misuse(first(), allocateResources(0));
      case ALLOCATE_RESOURCES_DURING_TRANSFER -> startTransfer(tx -> misuse(tx, allocateResources(1)));
      case ALLOCATE_RESOURCES_WHILE_RESERVED -> allocateResourcesWhileReserved();
      case ALLOCATE_RESOURCES_TWICE -> allocateResourcesTwice();
      case FREE_RESOURCES_IN_CREATED -> misuse(first(), TransactionDdi.WdfDmaTransactionFreeResources::new);
      case STOP_SYSTEM_TRANSFER_NOT_RUNNING -> misuse(first(), TransactionDdi.WdfDmaTransactionStopSystemTransfer::new);
      case CREATE_TRANSACTION_ON_BAD_ENABLER -> createTransaction(new EnablerHandle(driverContext.deviceId(), 7));
      case CREATE_TRANSACTION_ON_NULL_ENABLER -> createTransaction(null);
      case INITIALIZE_ON_UNCONFIGURED_SYSTEM -> misuse(first(), initialize(PAGE));
      case SET_MAXIMUM_LENGTH_BEFORE_INITIALIZE -> misuse(first(), setMaximumLength(PAGE / 2));
      case CANCEL_AFTER_COMPLETION -> cancelAfterCompletion();
      case DMA_COMPLETED_BETWEEN_SG_FRAGMENTS -> dmaCompletedBetweenFragments();
      case ZERO_MAXIMUM_LENGTH -> zeroMaximumLength();
      case LEAK_RESERVATION_AT_REMOVAL -> leakReservationAtRemoval();
      case TRANSFER_AT_REMOVAL -> startTransfer(tx -> answerStart());
      case HANG_IN_PROGRAM_DMA -> startTransfer(NOTHING);
    }
  }

  private void initializeTwice() {
    call(first(), initialize(PAGE));
    misuse(first(), initialize(PAGE));
  }

  private void dmaCompletedWhenNotInTransfer() {
    call(first(), initialize(PAGE));
    misuse(first(), DMA_COMPLETED);
  }

  private void allocateResourcesWhileReserved() {
    call(first(), allocateResources(1));
    misuse(first(), allocateResources(1));
  }

  private void allocateResourcesTwice() {
    call(first(), allocateResources(1));
    whenReserved = tx -> {
      call(tx, TransactionDdi.WdfDmaTransactionRelease::new);
      misuse(tx, allocateResources(1));
    };
  }

  private void cancelAfterCompletion() {
    // As if the hardware had finished at once: the only fragment completes and the transaction ends.
    startTransfer(tx -> {
      call(tx, DMA_COMPLETED);
      misuse(tx, TransactionDdi.WdfDmaTransactionCancel::new);
    });
  }

  private void dmaCompletedBetweenFragments() {
    call(first(), initialize(2 * PAGE));
    call(second(), initialize(PAGE));
    call(first(), EXECUTE);
  }

  /**
   * The first transaction's first fragment is programmed, then the second transaction is executed;
   * its EvtProgramDma is kept, so it holds the adapter. The first transaction's DmaCompleted (FALSE)
   * sends its next fragment to wait for the adapter, and a second DmaCompleted comes while nothing
   * is mapped. The kept callback returns once the misuse has.
   */
  private Behavior<DriverMessage> programBetweenFragments(DriverCallback.EvtProgramDma program) {
    if (program.transaction().id() == second().id() && held == null) {
      held = program;
      call(first(), DMA_COMPLETED);
      misuse(first(), DMA_COMPLETED);
      return this;
    }
    program.replyTo().tell(CallbackReturn.SUCCESS);
    if (!secondExecuted) {
      secondExecuted = true;
      call(second(), EXECUTE);
    }
    return this;
  }

  private void zeroMaximumLength() {
    // KMDF accepts 0 (no lower bound, §3.3); staging then maps zero bytes.
    call(first(), initialize(PAGE));
    call(first(), setMaximumLength(0));
    call(first(), EXECUTE);
  }

  private void leakReservationAtRemoval() {
    call(first(), allocateResources(1));
    whenReserved = tx -> answerStart();
  }

  /** Initialize and Execute the first transaction; {@code inTransfer} runs when EvtProgramDma has returned. */
  private void startTransfer(Consumer<TransactionHandle> inTransfer) {
    whenProgrammed = inTransfer;
    call(first(), initialize(PAGE));
    call(first(), EXECUTE);
  }

  private void answerStart() {
    DriverCallback start = pendingStart;
    pendingStart = null;
    if (start != null) {
      rules.answer(start);
    }
  }

  // ---- Calls ---------------------------------------------------------------------------------

  private TransactionHandle first() {
    return transactions.get(0);
  }

  private TransactionHandle second() {
    return transactions.get(1);
  }

  private void createTransaction(EnablerHandle enabler) {
    driverContext.device().tell(new WdfDmaTransactionCreate(enabler, false, getContext().getSelf().narrow()));
  }

  private void call(TransactionHandle tx, Ddi ddi) {
    send(tx, ddi, false);
  }

  private void misuse(TransactionHandle tx, Ddi ddi) {
    send(tx, ddi, true);
  }

  private void send(TransactionHandle tx, Ddi ddi, boolean misuse) {
    // A transaction answers its calls in order, so the returns can be matched to the calls.
    callsInFlight.computeIfAbsent(tx.id(), id -> new ArrayDeque<>(4)).add(misuse);
    tx.ref().tell(ddi.apply(getContext().getSelf().narrow()));
  }

  private Behavior<DriverMessage> onDdiReturn(TransactionDdiReturn returned) {
    ArrayDeque<Boolean> calls = callsInFlight.get(returned.transaction().id());
    if (calls != null && Boolean.TRUE.equals(calls.poll())) {
      return misuseReturned(returned);
    }
    return this;
  }

  private Behavior<DriverMessage> misuseReturned(DriverMessage returned) {
    observer.misuseReturned(driverContext.deviceId(), returned);
    DriverCallback kept = held;
    held = null;
    if (kept != null) {
      kept.replyTo().tell(CallbackReturn.SUCCESS);
    }
    return this;
  }

  private static Ddi initialize(long length) {
    return r -> new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, length, 0, r);
  }

  private static Ddi allocateResources(int registers) {
    return r -> new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, registers, r);
  }

  private static Ddi setMaximumLength(long length) {
    return r -> new TransactionDdi.WdfDmaTransactionSetMaximumLength(length, r);
  }
}
