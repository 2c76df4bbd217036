package org.dmaemu.node.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.node.metrics.DeviceMeter;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.workload.Workload;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * The emulated PnP manager of a power-cycle run: spawns the devices, gives each a {@link
 * DeviceScript}, and adds their outcomes up. The devices are its children. When a device's script
 * has ended, the coordinator stops the device and counts it once it has stopped: a transaction that
 * was not deleted with a removal (its device failed, hung or crashed) reports the map registers it
 * still holds as it stops, and the device's {@code Terminated} comes only after all of its
 * transactions stopped, so every such report is in the device's {@link DeviceMeter} by then —
 * whatever the timing. After a {@code stopAfterStart} run the devices are left alive in D0 until
 * the run is shut down.
 *
 * <p>At most {@link Workload#devicesInFlight()} devices are in flight (spawned and not yet counted)
 * at once. Hang deadlines are real time: with every device of a large run active at once, a
 * callback can wait in a queue for longer than its deadline and count as a hang, and the same seed
 * would no longer give the same outcomes.
 */
public final class PowerCycleCoordinator extends AbstractBehavior<PowerCycleCoordinator.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Replies with the summary once every device has answered, or the run stalled. */
  public record GetSummary(ActorRef<RunSummary> replyTo) implements Command {}

  private record WrappedOutcome(DeviceOutcome outcome) implements Command {}

  private record DeviceStopped(String deviceId) implements Command {}

  private enum Stalled implements Command {
    INSTANCE
  }

  /** A device until it is counted: its actor, its meter (DMA devices only) and, once known, its outcome. */
  private static final class LiveDevice {
    final ActorRef<DeviceMessage> ref;
    final DeviceMeter meter;
    DeviceOutcome outcome;

    LiveDevice(ActorRef<DeviceMessage> ref, DeviceMeter meter) {
      this.ref = ref;
      this.meter = meter;
    }
  }

  private final PowerCycleRun.Options options;
  private final Workload workload;
  private final TraceSink trace;
  private final TimerScheduler<Command> timers;
  private final NodeClock clock;
  private final List<ScriptStep> steps;
  private final List<CallbackRule> rules;
  private final ActorRef<DeviceOutcome> reportTo;
  private final RunTally tally;
  private final long startNanos;
  private final RunMetrics metrics = new RunMetrics();
  /** Devices spawned and not yet counted, by id. */
  private final Map<String, LiveDevice> live = new HashMap<>();
  private final List<ActorRef<RunSummary>> waiting = new ArrayList<>();
  private Duration longestDeadline = Duration.ZERO;
  private int spawned;
  private RunSummary summary;
  /** Requests the running devices had ended when the stall timer last ran out. */
  private long endedAtLastStallCheck;

  public static Behavior<Command> create(PowerCycleRun.Options options, Workload workload, TraceSink trace) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new PowerCycleCoordinator(context, timers, options, workload, trace)));
  }

  private PowerCycleCoordinator(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      PowerCycleRun.Options options,
      Workload workload,
      TraceSink trace) {
    super(context);
    this.options = options;
    this.workload = workload;
    this.trace = trace;
    this.timers = timers;
    // The clock starts on first use: touching it here puts the trace's time zero at the start of the run.
    this.clock = NodeClock.get(context.getSystem());
    this.steps = ScriptStep.script(options.cycles(), options.stopAfterStart());
    this.rules = workload.driverRules();
    this.reportTo = context.messageAdapter(DeviceOutcome.class, WrappedOutcome::new);
    this.tally = new RunTally(options.devices(), options.keepDeviceOutcomes());
    this.startNanos = System.nanoTime();
    int first = Math.min(options.devices(), Math.max(1, workload.devicesInFlight()));
    for (int i = 0; i < first; i++) {
      startNextDevice();
    }
    armStallTimer();
  }

  /** Device ids sort in creation order: {@code dev-000001}. */
  public static String deviceId(int ordinal) {
    return String.format(Locale.ROOT, "dev-%06d", ordinal);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedOutcome.class, this::onOutcome)
        .onMessage(DeviceStopped.class, this::onDeviceStopped)
        .onMessage(GetSummary.class, this::onGetSummary)
        .onMessageEquals(Stalled.INSTANCE, this::onStalled)
        .build();
  }

  private Behavior<Command> onOutcome(WrappedOutcome wrapped) {
    if (summary != null) {
      // A late answer after the run stalled: the summary already counted this device as unaccounted.
      return this;
    }
    DeviceOutcome outcome = wrapped.outcome();
    if (options.stopAfterStart()) {
      live.remove(outcome.deviceId());
      return count(outcome);
    }
    LiveDevice device = live.get(outcome.deviceId());
    device.outcome = outcome;
    getContext().watchWith(device.ref, new DeviceStopped(outcome.deviceId()));
    getContext().stop(device.ref);
    return this;
  }

  private Behavior<Command> onDeviceStopped(DeviceStopped stopped) {
    LiveDevice device = live.remove(stopped.deviceId());
    if (summary != null || device == null) {
      return this;
    }
    DeviceOutcome outcome = device.outcome;
    if (device.meter != null) {
      outcome = outcome.withLeaks(device.meter.leakReports(), device.meter.registersHeld());
    }
    return count(outcome);
  }

  private Behavior<Command> count(DeviceOutcome outcome) {
    tally.add(outcome);
    if (tally.complete()) {
      timers.cancel(Stalled.INSTANCE);
      conclude();
      return this;
    }
    if (spawned < options.devices()) {
      startNextDevice();
    }
    armStallTimer();
    return this;
  }

  private Behavior<Command> onGetSummary(GetSummary get) {
    if (summary != null) {
      get.replyTo().tell(summary);
    } else {
      waiting.add(get.replyTo());
    }
    return this;
  }

  private Behavior<Command> onStalled() {
    long ended = endedByRunningDevices();
    if (summary == null && options.timeout() == null && ended != endedAtLastStallCheck) {
      // Requests still end: a long run is not a stalled one.
      endedAtLastStallCheck = ended;
      armStallTimer();
      return this;
    }
    if (summary == null) {
      getContext()
          .getLog()
          .warn(
              "{} of {} devices gave no final answer; no device answered and no request ended for {} ms",
              options.devices() - tally.accounted(),
              options.devices(),
              stallTimeout().toMillis());
      conclude();
    }
    return this;
  }

  private void startNextDevice() {
    spawned++;
    String deviceId = workload.deviceId(spawned);
    DeviceLaunch launch = DeviceLaunch.of(workload, rules, options.seed(), deviceId, metrics, clock, DeviceLaunch.QUIET_AFTER);
    if (launch.plan().settings().callbackDeadline().compareTo(longestDeadline) > 0) {
      longestDeadline = launch.plan().settings().callbackDeadline();
    }
    ActorRef<DeviceMessage> device = getContext().spawn(launch.device(trace), deviceId);
    live.put(deviceId, new LiveDevice(device, launch.meter()));
    getContext().spawn(launch.script(device, steps, reportTo), "script-" + deviceId);
  }

  private long endedByRunningDevices() {
    long ended = 0;
    for (LiveDevice d : live.values()) {
      ended += d.meter == null ? 0 : d.meter.ended();
    }
    return ended;
  }

  /**
   * Restarted by every final answer, and (unless the options fix the timeout) when it runs out while
   * requests still end: the run gives up only when no device makes progress.
   */
  private void armStallTimer() {
    timers.startSingleTimer(Stalled.INSTANCE, stallTimeout());
  }

  private Duration stallTimeout() {
    return options.timeout() != null
        ? options.timeout()
        : PowerCycleRun.defaultStallTimeout(getContext().getSystem().settings().config(), clock.toReal(longestDeadline));
  }

  private void conclude() {
    Duration wall = Duration.ofNanos(System.nanoTime() - startNanos);
    summary = tally.summary(options.seed(), options.cycles(), options.stopAfterStart(), wall, metrics.snapshot());
    waiting.forEach(replyTo -> replyTo.tell(summary));
    waiting.clear();
  }
}
