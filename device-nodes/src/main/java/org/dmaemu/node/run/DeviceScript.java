package org.dmaemu.node.run;

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
import java.util.List;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.metrics.DeviceMeter;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.time.NodeClock;

/**
 * The PnP manager's script for one device: sends each request when the previous one's result
 * arrives; at the end asks the device for its state (its bug checks), reports a {@link
 * DeviceOutcome} and stops. A failed, hung, rejected or crashed request ends the script — the
 * device is left where that request put it.
 *
 * <p>A DMA device's driver starts its I/O when StartDevice succeeds (EvtDeviceSelfManagedIoInit).
 * By default the script sends the next request only once every request of that I/O has ended. A
 * {@link PowerSchedule} sends power requests while the I/O runs instead: a D3 → D0 cycle every so
 * often (the driver suspends its I/O in EvtDeviceSelfManagedIoSuspend and resumes it in …Restart),
 * and a surprise removal (the hardware is gone: transfers in flight never complete and the driver
 * ends them itself). Request sizes and arrival times come from a stream of their own in the driver,
 * so power requests arriving mid-I/O change no request; which requests a removal cuts short does
 * depend on timing.
 *
 * <p>While it waits for the I/O the script asks the device for its state now and then: a bug check
 * can crash the device between requests, which no PnP result reports, and a crashed device ends the
 * script. If no request ends for the quiet limit, the I/O counts as stalled (an emulator bug) and
 * the script goes on.
 */
public final class DeviceScript extends AbstractBehavior<DeviceScript.Command> {

  public sealed interface Command extends CborSerializable {}

  private record WrappedPnpResult(PnpResult result) implements Command {}

  private record WrappedSnapshot(DeviceSnapshot snapshot) implements Command {}

  private record WrappedIoEnded(DeviceMeter.IoEnded ended) implements Command {}

  private enum CheckIo implements Command {
    INSTANCE
  }

  /** The schedule's next D3 → D0 cycle is due. */
  private enum CycleDue implements Command {
    INSTANCE
  }

  /** The schedule's surprise removal is due. */
  private enum SurpriseDue implements Command {
    INSTANCE
  }

  /** A power cycle of the fault plan is due. */
  private record FaultCycleDue(String faultId) implements Command {}

  /**
   * A surprise removal or power cycle injected into the running run ({@code dmaemu inject}), due
   * {@code afterMicros} of modeled time from now. Like a planned one, it acts only while the device
   * does I/O.
   */
  public record InjectEvent(Fault.DeviceEventKind kind, String faultId, long afterMicros) implements Command {}

  /** An injected surprise removal is due. */
  private record LiveSurpriseDue(String faultId) implements Command {}

  /**
   * The DMA device's I/O.
   *
   * @param meter the device's meter: how many requests ended
   * @param kind the device's kind, for the outcome
   * @param checkEvery how often the script asks the device's state while it waits
   * @param quietLimit how long no request may end before the script gives the I/O up as stalled
   */
  public record Io(DeviceMeter meter, String kind, Duration checkEvery, Duration quietLimit) {}

  /** The rule of a transaction's bug check for a callback that did not return (DPC_WATCHDOG_VIOLATION). */
  private static final String HANG_RULE = "HANG";

  private final String deviceId;
  private final ActorRef<DeviceMessage> device;
  private final List<ScriptStep> steps;
  private final ActorRef<DeviceOutcome> reportTo;
  private final Io io;
  private final PowerSchedule schedule;
  private final NodeClock clock;
  private final TimerScheduler<Command> timers;
  private final ActorRef<PnpResult> resultAdapter;
  private final ActorRef<DeviceSnapshot> snapshotAdapter;
  /** The next step of {@code steps} to send. */
  private int position;
  /** The request sent last; its result is awaited while {@code requestPending}. */
  private ScriptStep sent;
  private boolean requestPending;
  /** The last request that succeeded was SetDevicePower(D3): its D0 comes next, whatever else is due. */
  private boolean inLowPower;
  private boolean cycleDue;
  /** Power cycles of the fault plan due and not run yet, by fault id. */
  private final ArrayDeque<String> faultCyclesDue = new ArrayDeque<>();
  /** A fault's power cycle runs: its D3 and D0 are not steps of the script. */
  private boolean inFaultCycle;
  private String faultCycle;
  private boolean surpriseDue;
  private boolean surpriseSent;
  /** The injected fault whose surprise removal is due, if it came before the schedule's. */
  private String liveSurprise;
  private boolean reachedD0;
  private int cyclesCompleted;
  private int requests;
  private long callbacks;
  private boolean ioStarted;
  private boolean waitingForIo;
  private long endedAtLastCheck;
  /** Real time of the last check that saw a request end (or of the start of the wait). */
  private long progressNanos;
  /**
   * State checks asked for and not answered yet. The device answers in order, so while this is
   * positive the next snapshot answers a check, not the final GetDeviceState.
   */
  private int checksInFlight;
  /** The request that ended the script, while the final snapshot is asked for. */
  private ScriptStep lastStep;
  private PnpResult lastResult;

  /** @param io the DMA device's I/O, or {@code null} for a power-only device */
  public static Behavior<Command> create(
      String deviceId,
      ActorRef<DeviceMessage> device,
      List<ScriptStep> steps,
      ActorRef<DeviceOutcome> reportTo,
      Io io) {
    return create(deviceId, device, steps, reportTo, io, PowerSchedule.NONE);
  }

  /**
   * @param io the DMA device's I/O, or {@code null} for a power-only device
   * @param schedule power requests during the I/O; ignored without I/O
   */
  public static Behavior<Command> create(
      String deviceId,
      ActorRef<DeviceMessage> device,
      List<ScriptStep> steps,
      ActorRef<DeviceOutcome> reportTo,
      Io io,
      PowerSchedule schedule) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(
            timers -> new DeviceScript(context, timers, deviceId, device, steps, reportTo, io, schedule)));
  }

  private DeviceScript(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String deviceId,
      ActorRef<DeviceMessage> device,
      List<ScriptStep> steps,
      ActorRef<DeviceOutcome> reportTo,
      Io io,
      PowerSchedule schedule) {
    super(context);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a script needs at least one step");
    }
    this.deviceId = deviceId;
    this.device = device;
    this.steps = steps;
    this.reportTo = reportTo;
    this.io = io;
    this.schedule = io == null ? PowerSchedule.NONE : schedule;
    this.clock = NodeClock.get(context.getSystem());
    this.timers = timers;
    this.resultAdapter = context.messageAdapter(PnpResult.class, WrappedPnpResult::new);
    this.snapshotAdapter = context.messageAdapter(DeviceSnapshot.class, WrappedSnapshot::new);
    if (io != null) {
      // Before the first request: no I/O can end before the script listens.
      io.meter().notifyWhenEnded(context.messageAdapter(DeviceMeter.IoEnded.class, WrappedIoEnded::new));
    }
    send(steps.get(0));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedPnpResult.class, this::onPnpResult)
        .onMessage(WrappedIoEnded.class, this::onIoEnded)
        .onMessageEquals(CheckIo.INSTANCE, this::onCheckIo)
        .onMessageEquals(CycleDue.INSTANCE, this::onCycleDue)
        .onMessageEquals(SurpriseDue.INSTANCE, this::onSurpriseDue)
        .onMessage(FaultCycleDue.class, this::onFaultCycleDue)
        .onMessage(InjectEvent.class, this::onInjectEvent)
        .onMessage(LiveSurpriseDue.class, this::onLiveSurpriseDue)
        .onMessage(WrappedSnapshot.class, this::onSnapshot)
        .build();
  }

  private void send(ScriptStep step) {
    sent = step;
    requestPending = true;
    device.tell(step.command(resultAdapter));
  }

  private Behavior<Command> onPnpResult(WrappedPnpResult wrapped) {
    PnpResult result = wrapped.result();
    ScriptStep step = sent;
    requestPending = false;
    requests++;
    callbacks += result.callbacksInvoked();
    if (result.outcome() != PnpOutcome.SUCCEEDED || step == ScriptStep.SURPRISE_REMOVE) {
      // A surprise-removed device is gone: nothing follows its removal.
      return finish(step, result);
    }
    lastResult = result;
    inLowPower = step == ScriptStep.TO_D3;
    if (step.entersD0()) {
      reachedD0 = true;
      if (step == ScriptStep.TO_D0) {
        cyclesCompleted++;
      }
    }
    if (inFaultCycle) {
      inFaultCycle = step == ScriptStep.TO_D3;
      if (!inFaultCycle) {
        io.meter().faultOver(faultCycle);
      }
      return proceed();
    }
    position++;
    if (step == ScriptStep.START && io != null) {
      // EvtDeviceSelfManagedIoInit succeeded: the driver runs its requests now.
      ioStarted = true;
      armSchedule();
      return awaitIo();
    }
    if (step == ScriptStep.TO_D0 && waitingForIo) {
      // The next cycle counts from the end of this one.
      armCycle();
    }
    return proceed();
  }

  /** Sends what comes next, if anything may be sent now (no request outstanding). */
  private Behavior<Command> proceed() {
    if (requestPending) {
      return this;
    }
    if (surpriseDue && !surpriseSent) {
      // The hardware is gone now, whatever the device is doing; the removal ends its I/O.
      stopWaitingForIo();
      surpriseSent = true;
      removeBySurprise();
      return this;
    }
    if (inLowPower) {
      // A cycle's D0 follows its D3 at once.
      send(inFaultCycle ? ScriptStep.TO_D0 : steps.get(position));
      return this;
    }
    if (waitingForIo) {
      if (cycleDue && position < steps.size() && steps.get(position) == ScriptStep.TO_D3) {
        cycleDue = false;
        send(ScriptStep.TO_D3);
      } else if (!faultCyclesDue.isEmpty()) {
        faultCycle = faultCyclesDue.poll();
        inFaultCycle = true;
        io.meter().faultInjected(faultCycle, deviceId, "power-cycle", clock.nowMicros());
        send(ScriptStep.TO_D3);
      }
      return this;
    }
    if (position == steps.size()) {
      return finish(steps.get(position - 1), lastResult);
    }
    ScriptStep next = steps.get(position);
    if (next == ScriptStep.REMOVE && schedule.surpriseRemoved()) {
      // Surprise removal came no earlier than the end of the I/O: it takes the orderly removal's place.
      surpriseSent = true;
      removeBySurprise();
      return this;
    }
    send(next);
    return this;
  }

  /** Sends the surprise removal, telling the meter whose doing it is: a fault's, or the scenario's own. */
  private void removeBySurprise() {
    String fault = liveSurprise != null ? liveSurprise : schedule.surpriseFault();
    if (io != null && fault != null) {
      io.meter().faultInjected(fault, deviceId, "surprise-removal", clock.nowMicros());
    } else if (io != null) {
      io.meter().faultOver(null);
    }
    send(ScriptStep.SURPRISE_REMOVE);
  }

  private void armSchedule() {
    armCycle();
    for (PowerSchedule.FaultCycle c : schedule.faultCycles()) {
      timers.startSingleTimer(c, new FaultCycleDue(c.faultId()), clock.toReal(c.at()));
    }
    if (schedule.surpriseRemoved()) {
      timers.startSingleTimer(SurpriseDue.INSTANCE, clock.toReal(schedule.surpriseRemovalAfter()));
    }
  }

  /** The next cycle's timer, if the schedule cycles during I/O and a cycle is left. */
  private void armCycle() {
    if (schedule.cyclesDuringIo() && position < steps.size() && steps.get(position) == ScriptStep.TO_D3) {
      timers.startSingleTimer(CycleDue.INSTANCE, clock.toReal(schedule.cycleEvery()));
    }
  }

  private Behavior<Command> awaitIo() {
    if (io.meter().finished()) {
      return ioOver();
    }
    waitingForIo = true;
    endedAtLastCheck = io.meter().ended();
    progressNanos = System.nanoTime();
    timers.startTimerWithFixedDelay(CheckIo.INSTANCE, io.checkEvery());
    return this;
  }

  private Behavior<Command> onIoEnded(WrappedIoEnded ended) {
    if (!waitingForIo) {
      // Every request ended while StartDevice ran, or the I/O was given up as stalled, or removed.
      return this;
    }
    return ioOver();
  }

  /**
   * The I/O is over: what is left of the script runs back to back — the cycles not run yet, then
   * the removal (a surprise removal if the schedule has one).
   */
  private Behavior<Command> ioOver() {
    stopWaitingForIo();
    return proceed();
  }

  private void stopWaitingForIo() {
    waitingForIo = false;
    cycleDue = false;
    surpriseDue = false;
    timers.cancel(CheckIo.INSTANCE);
    timers.cancel(CycleDue.INSTANCE);
    timers.cancel(SurpriseDue.INSTANCE);
    schedule.faultCycles().forEach(timers::cancel);
    faultCyclesDue.clear();
  }

  private Behavior<Command> onCycleDue() {
    if (!waitingForIo) {
      return this;
    }
    cycleDue = true;
    return proceed();
  }

  private Behavior<Command> onFaultCycleDue(FaultCycleDue due) {
    if (!waitingForIo) {
      return this;
    }
    faultCyclesDue.add(due.faultId());
    return proceed();
  }

  private Behavior<Command> onInjectEvent(InjectEvent event) {
    Duration after = clock.toReal(Duration.ofNanos(event.afterMicros() * 1000L));
    Command due = event.kind() == Fault.DeviceEventKind.POWER_CYCLE
        ? new FaultCycleDue(event.faultId())
        : new LiveSurpriseDue(event.faultId());
    timers.startSingleTimer(due, due, after);
    return this;
  }

  private Behavior<Command> onLiveSurpriseDue(LiveSurpriseDue due) {
    if (!waitingForIo || surpriseSent || surpriseDue) {
      return this;
    }
    liveSurprise = due.faultId();
    surpriseDue = true;
    return proceed();
  }

  private Behavior<Command> onSurpriseDue() {
    if (!waitingForIo || surpriseSent) {
      return this;
    }
    surpriseDue = true;
    return proceed();
  }

  private Behavior<Command> onCheckIo() {
    if (waitingForIo) {
      checksInFlight++;
      device.tell(new GetDeviceState(snapshotAdapter));
    }
    return this;
  }

  private Behavior<Command> finish(ScriptStep last, PnpResult result) {
    lastStep = last;
    lastResult = result;
    device.tell(new GetDeviceState(snapshotAdapter));
    return this;
  }

  private Behavior<Command> onSnapshot(WrappedSnapshot wrapped) {
    DeviceSnapshot snapshot = wrapped.snapshot();
    if (checksInFlight > 0) {
      checksInFlight--;
      return waitingForIo ? onIoCheck(snapshot) : this;
    }
    return report(lastStep, lastResult.outcome(), lastResult, snapshot);
  }

  /** The device's state while its I/O runs. */
  private Behavior<Command> onIoCheck(DeviceSnapshot snapshot) {
    if (snapshot.state() == DeviceState.CRASHED) {
      stopWaitingForIo();
      return report(ScriptStep.START, PnpOutcome.CRASHED, null, snapshot);
    }
    long ended = io.meter().ended();
    long now = System.nanoTime();
    if (ended > endedAtLastCheck) {
      endedAtLastCheck = ended;
      progressNanos = now;
      return this;
    }
    if (now - progressNanos < io.quietLimit().toNanos()) {
      return this;
    }
    getContext()
        .getLog()
        .warn(
            "{}: {} of {} DMA requests ended, then none for {} ms; going on without the rest",
            deviceId, ended, io.meter().submitted(), io.quietLimit().toMillis());
    return ioOver();
  }

  private Behavior<Command> report(ScriptStep last, PnpOutcome outcome, PnpResult result, DeviceSnapshot snapshot) {
    DeviceMeter meter = io == null ? null : io.meter();
    if (meter != null) {
      // Requests a fault left without an end (a hung callback, a crash) end as aborted by it.
      meter.giveUp(deviceId);
    }
    reportTo.tell(
        new DeviceOutcome(
            deviceId,
            last,
            outcome,
            result == null ? null : result.failedCallback(),
            result == null ? -1 : result.failedEnablerIndex(),
            result == null ? null : result.failureStatus(),
            result != null ? result.detail() : crashDetail(snapshot),
            reachedD0,
            cyclesCompleted,
            requests,
            callbacks,
            io == null ? null : io.kind(),
            meter == null ? 0 : meter.submitted(),
            meter == null ? 0 : meter.ended(),
            meter == null ? 0 : meter.failed(),
            meter == null ? 0 : meter.bytes(),
            bugCheckRules(snapshot.bugChecks()),
            plannedBugChecks(snapshot.bugChecks()),
            0,
            0));
    return Behaviors.stopped();
  }

  /**
   * The rules of the bug checks a fault explains: a DPC watchdog violation (HANG) in a transaction
   * callback that a fault (planned or injected while the run ran) hung on this device. Reference
   * drivers hit no other.
   */
  private List<String> plannedBugChecks(List<BugCheck> bugChecks) {
    List<String> rules = new ArrayList<>(0);
    for (BugCheck b : bugChecks) {
      if (io != null && b.rule().equals(HANG_RULE) && io.meter().hungByFault(b.ddi())) {
        rules.add(b.rule());
      }
    }
    return rules;
  }

  /** A crash found between requests: the bug check that crashed the device, as a PnP result would say it. */
  private static String crashDetail(DeviceSnapshot snapshot) {
    return snapshot.bugChecks().isEmpty() ? "" : snapshot.bugChecks().get(0).summary();
  }

  /**
   * The rules of the device's bug checks, in the order raised. Complete once the script has ended:
   * the device raises them while its requests run — removal's too (K5 for a transaction deleted in
   * Transfer) — and records them before it answers.
   */
  private static List<String> bugCheckRules(List<BugCheck> bugChecks) {
    List<String> rules = new ArrayList<>(bugChecks.size());
    for (BugCheck b : bugChecks) {
      rules.add(b.rule());
    }
    return rules;
  }
}
