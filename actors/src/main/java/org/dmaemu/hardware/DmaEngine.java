package org.dmaemu.hardware;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.driver.CallbackOutcome;
import org.dmaemu.driver.PendingCallback;
import org.dmaemu.fault.FaultObserver;
import org.dmaemu.fault.Injection;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.protocol.hardware.BusReply;
import org.dmaemu.protocol.hardware.CompletedTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.hardware.TransferAborted;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * The emulated device hardware (reference §9.2 R5-R8, §9.3 W5-W6): a bus-master DMA engine whose
 * channels the driver programs from EvtProgramDma, and the interrupt line it raises when a
 * transfer is done. The interrupt runs the driver's EvtInterruptIsr with what the status registers
 * show; an ISR that calls WdfInterruptQueueDpcForIsr gets its EvtInterruptDpc once it returned.
 *
 * <p>Timing: each channel runs one transfer at a time, in the order programmed. A transfer starts
 * when it is programmed or when its channel finishes the one before, whichever is later; it ends
 * {@code latency + length / bytesPerMicrosecond} of modeled time after its start. Modeled time is
 * converted to real time by the node's {@link NodeClock}.
 *
 * <p>With a {@link Bus} ({@link HardwareSettings#bus()}): after the latency the channel asks the bus
 * for the transfer (one {@code OccupyBus} of its length), and the data moves once the bus is
 * granted. The transfer ends when both are over: the bus occupancy ({@code header + length / bus
 * width}) and the engine's own data time ({@code length / bytesPerMicrosecond}) from the grant. So
 * the slower of engine and bus governs, and engines that share a bus share its bandwidth: a bus
 * rate limit binds. A channel's next transfer starts when its transfer before has ended. The
 * bus's answer is its grant: it passes the engine's grants gate (DESIGN §10) once, and while that
 * gate can act on it the engine confirms every answer, so that the bus sends a lost one again.
 *
 * <p>Interrupt model: one driver callback is outstanding at a time. Completions are latched in the
 * interrupt status; the ISR reads and clears the whole latch, so completions that arrive while a
 * callback runs are delivered together in one later ISR (a level-triggered line re-asserting).
 * An ISR goes before a queued DPC (DIRQL preempts DISPATCH). Simplification: a running DPC is not
 * interrupted; completions during it wait for its return, so ISR and DPC never overlap.
 *
 * <p>Message faults on the INTERRUPTS path (DESIGN §10) act where a finished transfer raises the
 * line, one decision per transfer: DROP loses the interrupt (the transfer is done, nobody is told:
 * only the driver's watchdog ends it); DELAY raises it the fault's modeled delay later; DUPLICATE
 * raises it twice, the second time with nothing left in the status, so the second ISR reads an
 * empty status and claims nothing. Each injection is reported to the device's observer.
 */
public final class DmaEngine extends AbstractBehavior<DmaEngineMessage> {

  /** Asks for the engine's counters (tests, diagnostics). */
  public record GetEngineStatistics(ActorRef<EngineStatistics> replyTo) implements DmaEngineMessage {}

  /**
   * The engine's counters since it started.
   *
   * @param ignoredPrograms ProgramTransfer calls dropped as driver bugs (bad channel, length ≤ 0)
   * @param latched completions in the interrupt status that no ISR has read yet
   * @param dpcRequestsCoalesced WdfInterruptQueueDpcForIsr calls for a DPC that was already queued
   *     (KMDF returns FALSE for them)
   * @param unrecognizedInterrupts ISRs that returned FALSE although the status showed completions
   * @param interruptsDropped completions whose interrupt a fault lost
   * @param interruptsDelayed completions whose interrupt a fault put off
   * @param interruptsDuplicated completions whose interrupt a fault raised twice
   * @param emptyIsrs ISRs run with nothing in the status (a repeated interrupt, or a delayed one
   *     whose transfer the driver had aborted)
   * @param transfersAborted transfers dropped by AbortTransfer before they showed a completion
   */
  public record EngineStatistics(
      long transfersProgrammed,
      long ignoredPrograms,
      long transfersCompleted,
      long bytesTransferred,
      int latched,
      long isrCalls,
      long dpcCalls,
      long dpcRequestsCoalesced,
      long unrecognizedInterrupts,
      long hungIsrs,
      long hungDpcs,
      long interruptsDropped,
      long interruptsDelayed,
      long interruptsDuplicated,
      long emptyIsrs,
      long transfersAborted)
      implements CborSerializable {}

  /**
   * The device is surprise-removed (reference §6.4): from now on the engine completes no transfer
   * and raises no interrupt. What was programmed is dropped; a transfer that already asked the bus
   * keeps its bus time (the bus cannot know), and its grant is ignored.
   */
  public enum Unplug implements DmaEngineMessage {
    INSTANCE
  }

  /** Channel {@code channel}'s oldest transfer is done; one instance per channel, reused. */
  private record TransferDone(int channel) implements DmaEngineMessage, NoSerializationVerificationNeeded {}

  private record DeadlinePassed(long serial) implements DmaEngineMessage, NoSerializationVerificationNeeded {}

  /** Channel {@code channel}'s latency is over: it asks the bus. One instance per channel, reused. */
  private record BusRequestDue(int channel) implements DmaEngineMessage, NoSerializationVerificationNeeded {}

  /** Channel {@code channel}'s data time, counted from the bus grant, is over. One instance per channel, reused. */
  private record DataDone(int channel) implements DmaEngineMessage, NoSerializationVerificationNeeded {}

  /** A delayed interrupt is due: the {@code key}-th one put off. */
  private record LateInterrupt(long key) implements DmaEngineMessage, NoSerializationVerificationNeeded {}

  /** A transfer on a channel without a bus, stamped when programmed; an aborted one raises no completion. */
  private static final class Booked {
    final CompletedTransfer transfer;
    boolean aborted;

    Booked(CompletedTransfer transfer) {
      this.transfer = transfer;
    }
  }

  /** A transfer programmed on a channel behind a bus, not started yet: it starts when its channel is free. */
  private record Queued(DmaEngineMessage.ProgramTransfer program, long programmedAtNanos) {}

  /** A transfer on a channel behind a bus: started, waiting for or holding the bus. */
  private static final class BusTransfer {
    final DmaEngineMessage.ProgramTransfer program;
    final long startNanos;
    /** Modeled time the latency is over and the channel asks the bus. */
    final long readyNanos;
    final long requestId;
    boolean asked;
    long endNanos = -1;
    boolean aborted;

    BusTransfer(DmaEngineMessage.ProgramTransfer program, long startNanos, long readyNanos, long requestId) {
      this.program = program;
      this.startNanos = startNanos;
      this.readyNanos = readyNanos;
      this.requestId = requestId;
    }
  }

  private final String deviceId;
  private final Requester requester;
  private final HardwareSettings settings;
  private final ActorRef<DriverMessage> driver;
  private final Duration realDeadline;
  private final TraceSink trace;
  private final NodeClock clock;
  private final ActorRef<CallbackReturn> self;
  private final MessageGate gate;
  private final FaultObserver observer;
  /** The last bus request whose answer passed the grants gate: an answer is gated once. */
  private long busAnswerDrawn;

  // Per channel: transfers programmed and not yet done, oldest first, already stamped with their
  // modeled start and end (all known when programmed); and the modeled time the channel is free.
  private final ArrayDeque<Booked>[] inFlight;
  private final long[] channelFreeNanos;
  private final TransferDone[] doneMessages;

  // With a bus: per channel, transfers programmed and not started, and the one running.
  private final ActorRef<BusMessage> bus;
  private final ArrayDeque<Queued>[] notStarted;
  private final BusTransfer[] running;
  private final BusRequestDue[] busRequestMessages;
  private final DataDone[] dataDoneMessages;
  private long busRequests;

  // The interrupt status register: completions no ISR has read yet.
  private final ArrayList<CompletedTransfer> latch = new ArrayList<>();
  // Interrupts to raise with nothing in the status: repeated ones, and delayed ones whose transfer was aborted.
  private int emptyAssertions;
  // Delayed interrupts not raised yet, by key; null once the driver aborted the transfer.
  private final Map<Long, CompletedTransfer> late = new HashMap<>();
  private long lateKeys;

  // The one callback outstanding, and whether it is the ISR (else the DPC).
  private PendingCallback pending;
  private boolean pendingIsIsr;
  /** The outstanding ISR was given completions: FALSE from it is the driver's bug. */
  private boolean pendingIsrHadStatus;
  private long serial;
  private boolean dpcQueued;

  private long programmed;
  private long ignored;
  private long completed;
  private long bytes;
  private long isrCalls;
  private long dpcCalls;
  private long dpcCoalesced;
  private long unrecognized;
  private long hungIsrs;
  private long hungDpcs;
  private long interruptsDropped;
  private long interruptsDelayed;
  private long interruptsDuplicated;
  private long emptyIsrs;
  private long transfersAborted;
  private boolean unplugged;

  /** The engine of a device of the default group (priority 0, weight 1 on the bus). */
  public static Behavior<DmaEngineMessage> create(
      String deviceId,
      HardwareSettings settings,
      ActorRef<DriverMessage> driver,
      Duration realCallbackDeadline,
      TraceSink trace) {
    return create(Requester.ofDevice(deviceId), settings, driver, realCallbackDeadline, trace);
  }

  /** @param device the engine's device as the bus's policy sees it; its id names the engine in callbacks and the trace */
  public static Behavior<DmaEngineMessage> create(
      Requester device,
      HardwareSettings settings,
      ActorRef<DriverMessage> driver,
      Duration realCallbackDeadline,
      TraceSink trace) {
    return create(device, settings, driver, realCallbackDeadline, trace, MessageGate.NONE, FaultObserver.NONE);
  }

  /**
   * @param gate the engine's gate: its INTERRUPTS faults act on each finished transfer's interrupt, its
   *     GRANTS faults on the bus's answers
   * @param observer where each injection is reported (the device's observer)
   */
  public static Behavior<DmaEngineMessage> create(
      Requester device,
      HardwareSettings settings,
      ActorRef<DriverMessage> driver,
      Duration realCallbackDeadline,
      TraceSink trace,
      MessageGate gate,
      FaultObserver observer) {
    return Behaviors.setup(
        context -> new DmaEngine(context, device, settings, driver, realCallbackDeadline, trace, gate, observer));
  }

  @SuppressWarnings("unchecked")
  private DmaEngine(
      ActorContext<DmaEngineMessage> context,
      Requester device,
      HardwareSettings settings,
      ActorRef<DriverMessage> driver,
      Duration realDeadline,
      TraceSink trace,
      MessageGate gate,
      FaultObserver observer) {
    super(context);
    this.gate = gate;
    this.observer = observer;
    this.deviceId = device.deviceId();
    this.requester = device;
    this.settings = settings;
    this.driver = driver;
    this.realDeadline = realDeadline;
    this.trace = trace;
    this.clock = NodeClock.get(context.getSystem());
    this.self = context.getSelf().narrow();
    int n = settings.channels();
    this.inFlight = new ArrayDeque[n];
    this.channelFreeNanos = new long[n];
    this.doneMessages = new TransferDone[n];
    for (int c = 0; c < n; c++) {
      inFlight[c] = new ArrayDeque<>();
      doneMessages[c] = new TransferDone(c);
    }
    this.bus = settings.bus() == null ? null : settings.bus().ref();
    this.notStarted = new ArrayDeque[bus == null ? 0 : n];
    this.running = new BusTransfer[bus == null ? 0 : n];
    this.busRequestMessages = new BusRequestDue[bus == null ? 0 : n];
    this.dataDoneMessages = new DataDone[bus == null ? 0 : n];
    for (int c = 0; c < notStarted.length; c++) {
      notStarted[c] = new ArrayDeque<>();
      busRequestMessages[c] = new BusRequestDue(c);
      dataDoneMessages[c] = new DataDone(c);
    }
  }

  @Override
  public Receive<DmaEngineMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(DmaEngineMessage.ProgramTransfer.class, this::onProgramTransfer)
        .onMessage(TransferDone.class, this::onTransferDone)
        .onMessage(BusRequestDue.class, this::onBusRequestDue)
        .onMessage(BusReply.BusTransferDone.class, this::onBusTransferDone)
        .onMessage(DataDone.class, this::onDataDone)
        .onMessage(LateInterrupt.class, this::onLateInterrupt)
        .onMessage(DmaEngineMessage.AbortTransfer.class, this::onAbortTransfer)
        .onMessage(DmaEngineMessage.WdfInterruptQueueDpcForIsr.class, this::onQueueDpcForIsr)
        .onMessage(CallbackReturn.class, this::onCallbackReturn)
        .onMessage(DeadlinePassed.class, this::onDeadlinePassed)
        .onMessage(GetEngineStatistics.class, this::onGetStatistics)
        .onMessageEquals(Unplug.INSTANCE, this::onUnplug)
        .build();
  }

  private Behavior<DmaEngineMessage> onUnplug() {
    unplugged = true;
    for (int c = 0; c < inFlight.length; c++) {
      inFlight[c].clear();
    }
    for (int c = 0; c < notStarted.length; c++) {
      notStarted[c].clear();
      running[c] = null;
    }
    latch.clear();
    late.clear();
    emptyAssertions = 0;
    dpcQueued = false;
    return this;
  }

  private Behavior<DmaEngineMessage> onProgramTransfer(DmaEngineMessage.ProgramTransfer program) {
    if (unplugged) {
      // Writes to registers of a device that is gone go nowhere.
      return this;
    }
    int channel = program.channel();
    if (channel < 0 || channel >= inFlight.length || program.length() <= 0) {
      // A driver bug: real hardware would do something undefined. For now the write is dropped;
      // a later verifier rule turns this into a violation record for the device.
      ignored++;
      getContext().getLog().warn(
          "{}: ProgramTransfer ignored (driver bug): channel {} of {}, length {}, transaction {}",
          deviceId, channel, inFlight.length, program.length(), program.transaction());
      return this;
    }
    programmed++;
    if (bus != null) {
      notStarted[channel].addLast(new Queued(program, clock.nowMicros() * 1000L));
      if (running[channel] == null) {
        startOnBus(channel);
      }
      return this;
    }
    long nowNanos = clock.nowMicros() * 1000L;
    long startNanos = Math.max(nowNanos, channelFreeNanos[channel]);
    long endNanos = startNanos + settings.transferNanos(program.length());
    channelFreeNanos[channel] = endNanos;
    inFlight[channel].addLast(new Booked(
        new CompletedTransfer(program.transaction(), channel, program.length(), startNanos / 1000L, endNanos / 1000L)));
    long delayNanos = endNanos - nowNanos;
    if (delayNanos <= 0) {
      getContext().getSelf().tell(doneMessages[channel]);
    } else {
      // All TransferDone messages of a channel are alike: whichever arrives first takes the oldest
      // transfer, so timers of one tick firing out of order cannot reorder a channel.
      getContext().scheduleOnce(clock.toReal(Duration.ofNanos(delayNanos)), getContext().getSelf(), doneMessages[channel]);
    }
    return this;
  }

  private Behavior<DmaEngineMessage> onTransferDone(TransferDone done) {
    Booked booked = inFlight[done.channel()].pollFirst();
    if (booked == null || booked.aborted) {
      return this;
    }
    return complete(booked.transfer);
  }

  // ---- Transfers behind a bus ----------------------------------------------------------------

  /**
   * Starts the channel's next transfer, if any, in modeled time: when it was programmed or when the
   * transfer before it ended, whichever is later (as without a bus).
   */
  private void startOnBus(int channel) {
    Queued next = notStarted[channel].pollFirst();
    if (next == null) {
      return;
    }
    long startNanos = Math.max(next.programmedAtNanos(), channelFreeNanos[channel]);
    BusTransfer transfer =
        new BusTransfer(next.program(), startNanos, startNanos + settings.latency().toNanos(), ++busRequests);
    running[channel] = transfer;
    schedule(transfer.readyNanos - clock.nowMicros() * 1000L, busRequestMessages[channel]);
  }

  private Behavior<DmaEngineMessage> onBusRequestDue(BusRequestDue due) {
    BusTransfer transfer = running[due.channel()];
    if (transfer == null || transfer.asked) {
      return this;
    }
    transfer.asked = true;
    // Bus answers that can be lost on the way here (the gate covers grants) are confirmed, so that
    // the bus re-sends a lost one. Asked per request: a fault injected live may start covering grants.
    bus.tell(new BusMessage.OccupyBus(
        transfer.requestId, transfer.program.length(), transfer.readyNanos / 1000L, requester,
        getContext().getSelf().narrow(), gate.covers(MessagePath.GRANTS)));
    return this;
  }

  private Behavior<DmaEngineMessage> onBusTransferDone(BusReply.BusTransferDone done) {
    for (int c = 0; c < running.length; c++) {
      BusTransfer transfer = running[c];
      if (transfer != null && transfer.requestId == done.requestId() && transfer.endNanos < 0) {
        if (busAnswerWithheld(done)) {
          return this;
        }
        confirm(done);
        long dataEndNanos = done.grantedAtMicros() * 1000L + settings.dataNanos(transfer.program.length());
        transfer.endNanos = Math.max(done.doneAtMicros() * 1000L, dataEndNanos);
        schedule(transfer.endNanos - clock.nowMicros() * 1000L, dataDoneMessages[c]);
        return this;
      }
    }
    // A second copy, or the answer for a transfer dropped since (unplugged): confirmed, not taken.
    confirm(done);
    return this;
  }

  /** Confirms an answer, when answers can be lost (then the bus may be waiting for this). */
  private void confirm(BusReply.BusTransferDone done) {
    if (gate.covers(MessagePath.GRANTS)) {
      bus.tell(new BusMessage.BusTransferDoneReceived(done.requestId(), getContext().getSelf().narrow()));
    }
  }

  /**
   * The grants gate (DESIGN §10) on the bus's answer: drawn once per request, on its first arrival.
   * DROP loses it (the bus sends it again), DELAY brings it back later, DUPLICATE delivers a second
   * copy, which finds the transfer's end already set and is ignored.
   */
  private boolean busAnswerWithheld(BusReply.BusTransferDone done) {
    if (done.requestId() == busAnswerDrawn) {
      return false;
    }
    busAnswerDrawn = done.requestId();
    long now = clock.nowMicros();
    Injection injection = gate.decide(MessagePath.GRANTS, now);
    if (injection == null) {
      return false;
    }
    observer.faultInjected(injection.faultId(), deviceId,
        MessagePath.GRANTS.planName() + " " + injection.action().planName() + " bus " + done.busId(), now);
    switch (injection.action()) {
      case DROP:
        return true;
      case DELAY:
        getContext().scheduleOnce(clock.toReal(injection.delay()), getContext().getSelf(), done);
        return true;
      case DUPLICATE:
      default:
        getContext().getSelf().tell(done);
        return false;
    }
  }

  private Behavior<DmaEngineMessage> onDataDone(DataDone done) {
    int channel = done.channel();
    BusTransfer transfer = running[channel];
    if (transfer == null || transfer.endNanos < 0) {
      return this;
    }
    running[channel] = null;
    channelFreeNanos[channel] = transfer.endNanos;
    DmaEngineMessage.ProgramTransfer program = transfer.program;
    startOnBus(channel);
    if (transfer.aborted) {
      return this;
    }
    return complete(new CompletedTransfer(
        program.transaction(), channel, program.length(), transfer.startNanos / 1000L, transfer.endNanos / 1000L));
  }

  private void schedule(long delayNanos, DmaEngineMessage message) {
    if (delayNanos <= 0) {
      getContext().getSelf().tell(message);
    } else {
      getContext().scheduleOnce(clock.toReal(Duration.ofNanos(delayNanos)), getContext().getSelf(), message);
    }
  }

  // ---- Completion and the interrupt ----------------------------------------------------------

  private Behavior<DmaEngineMessage> complete(CompletedTransfer transfer) {
    completed++;
    bytes += transfer.bytes();
    if (trace.enabled()) {
      trace.span(
          "DmaTransfer",
          deviceId,
          transfer.startMicros(),
          transfer.endMicros(),
          Map.of(
              "device", deviceId,
              "transaction", String.valueOf(transfer.transaction()),
              "channel", Integer.toString(transfer.channel()),
              "bytes", Long.toString(transfer.bytes())));
    }
    return raise(transfer);
  }

  /** The finished transfer raises the interrupt line, unless a fault loses, delays or repeats that. */
  private Behavior<DmaEngineMessage> raise(CompletedTransfer transfer) {
    long now = clock.nowMicros();
    Injection injection = gate.decide(MessagePath.INTERRUPTS, now);
    if (injection == null) {
      latch.add(transfer);
      return dispatchNext();
    }
    observer.faultInjected(injection.faultId(), deviceId, "interrupts " + injection.action().planName(), now);
    switch (injection.action()) {
      case DROP:
        // A lost interrupt: the status never shows the transfer, so no ISR will report it.
        interruptsDropped++;
        return this;
      case DELAY:
        interruptsDelayed++;
        long key = ++lateKeys;
        late.put(key, transfer);
        getContext().scheduleOnce(clock.toReal(injection.delay()), getContext().getSelf(), new LateInterrupt(key));
        return this;
      case DUPLICATE:
      default:
        interruptsDuplicated++;
        latch.add(transfer);
        emptyAssertions++;
        return dispatchNext();
    }
  }

  private Behavior<DmaEngineMessage> onLateInterrupt(LateInterrupt due) {
    if (unplugged || !late.containsKey(due.key())) {
      return this;
    }
    CompletedTransfer transfer = late.remove(due.key());
    if (transfer == null) {
      // The driver aborted the transfer meanwhile and cleared its status: the line shows nothing.
      emptyAssertions++;
    } else {
      latch.add(transfer);
    }
    return dispatchNext();
  }

  private Behavior<DmaEngineMessage> onAbortTransfer(DmaEngineMessage.AbortTransfer abort) {
    TransactionHandle tx = abort.transaction();
    int dropped = 0;
    for (ArrayDeque<Booked> channel : inFlight) {
      for (Booked booked : channel) {
        if (!booked.aborted && booked.transfer.transaction().equals(tx)) {
          booked.aborted = true;
          dropped++;
        }
      }
    }
    for (int c = 0; c < notStarted.length; c++) {
      int before = notStarted[c].size();
      notStarted[c].removeIf(q -> q.program().transaction().equals(tx));
      dropped += before - notStarted[c].size();
      BusTransfer transfer = running[c];
      if (transfer != null && !transfer.aborted && transfer.program.transaction().equals(tx)) {
        // It keeps the bus time it asked for (the bus cannot take it back); it just shows nothing.
        transfer.aborted = true;
        dropped++;
      }
    }
    int before = latch.size();
    latch.removeIf(t -> t.transaction().equals(tx));
    dropped += before - latch.size();
    for (Map.Entry<Long, CompletedTransfer> entry : late.entrySet()) {
      if (entry.getValue() != null && entry.getValue().transaction().equals(tx)) {
        entry.setValue(null);
        dropped++;
      }
    }
    transfersAborted += dropped;
    abort.replyTo().tell(new TransferAborted(tx, dropped));
    return this;
  }

  private Behavior<DmaEngineMessage> onQueueDpcForIsr(DmaEngineMessage.WdfInterruptQueueDpcForIsr queue) {
    if (unplugged) {
      return this;
    }
    if (queue.interruptIndex() != settings.interruptIndex()) {
      // A driver bug (the DPC of an interrupt this engine does not raise); a later verifier rule
      // records it. Dropped here.
      getContext().getLog().warn(
          "{}: WdfInterruptQueueDpcForIsr ignored (driver bug): interrupt {}, the engine raises {}",
          deviceId, queue.interruptIndex(), settings.interruptIndex());
      return this;
    }
    if (dpcQueued) {
      // KMDF returns FALSE: the DPC is already in the queue and runs once for both requests.
      dpcCoalesced++;
      return this;
    }
    // Queued also while a DPC runs: that one has left the DPC queue, so this one runs after it.
    dpcQueued = true;
    return dispatchNext();
  }

  private Behavior<DmaEngineMessage> onCallbackReturn(CallbackReturn returned) {
    if (pending == null || !pending.answeredBy(returned)) {
      // A return after its deadline passed (the hang was already counted), or a repeated one.
      getContext().getLog().debug("{}: late or repeated callback return ignored", deviceId);
      return this;
    }
    if (pendingIsIsr && pendingIsrHadStatus && !returned.result()) {
      // The status showed completions; an ISR that does not recognize them is a driver bug.
      unrecognized++;
    }
    pending.returned(returned.status(), clock, trace);
    pending = null;
    return dispatchNext();
  }

  private Behavior<DmaEngineMessage> onDeadlinePassed(DeadlinePassed deadline) {
    if (pending == null || pending.serial() != deadline.serial()) {
      return this;
    }
    CallbackOutcome outcome = pending.expired(clock, trace);
    if (pendingIsIsr) {
      hungIsrs++;
    } else {
      hungDpcs++;
    }
    // A later verifier rule records the hang as a violation; the engine goes on with what waits.
    getContext().getLog().warn(
        "{}: {} for interrupt {} did not return within {} (hang)",
        deviceId, outcome.kind().kmdfName(), settings.interruptIndex(), realDeadline);
    pending = null;
    return dispatchNext();
  }

  private Behavior<DmaEngineMessage> onGetStatistics(GetEngineStatistics get) {
    get.replyTo().tell(
        new EngineStatistics(
            programmed, ignored, completed, bytes, latch.size(), isrCalls, dpcCalls, dpcCoalesced, unrecognized,
            hungIsrs, hungDpcs, interruptsDropped, interruptsDelayed, interruptsDuplicated, emptyIsrs,
            transfersAborted));
    return this;
  }

  /** Starts the next callback if none is outstanding: the ISR first, then a queued DPC. */
  private Behavior<DmaEngineMessage> dispatchNext() {
    if (pending != null) {
      return this;
    }
    if (!latch.isEmpty()) {
      isrCalls++;
      // The ISR reads and clears the status: the record copies the latch.
      invoke(new DriverCallback.EvtInterruptIsr(deviceId, settings.interruptIndex(), latch, self), true);
      pendingIsrHadStatus = true;
      latch.clear();
    } else if (emptyAssertions > 0) {
      // The line is asserted again with nothing in the status (§9.2 R7: the ISR finds nothing of its own).
      emptyAssertions--;
      isrCalls++;
      emptyIsrs++;
      invoke(new DriverCallback.EvtInterruptIsr(deviceId, settings.interruptIndex(), List.of(), self), true);
      pendingIsrHadStatus = false;
    } else if (dpcQueued) {
      dpcQueued = false;
      dpcCalls++;
      invoke(new DriverCallback.EvtInterruptDpc(deviceId, settings.interruptIndex(), self), false);
    }
    return this;
  }

  private void invoke(DriverCallback callback, boolean isr) {
    long id = ++serial;
    pendingIsIsr = isr;
    pending = PendingCallback.send(getContext(), driver, callback, id, realDeadline, new DeadlinePassed(id), clock);
  }
}
