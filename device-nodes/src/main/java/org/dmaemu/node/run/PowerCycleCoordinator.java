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
import java.util.List;
import java.util.Locale;
import org.dmaemu.device.Device;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.driver.ReferenceDriver;
import org.dmaemu.node.workload.DevicePlan;
import org.dmaemu.node.workload.Workload;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * The emulated PnP manager of a power-cycle run: spawns the devices, gives each a {@link
 * DeviceScript}, and adds their outcomes up. The devices are its children, so they live until the
 * run is shut down — after a {@code stopAfterStart} run they wait in D0.
 *
 * <p>At most {@link #MAX_SCRIPTS_IN_FLIGHT} scripts run at once. Hang deadlines are real time: with
 * every device of a large run active at once, a callback can wait in a queue for longer than its
 * deadline and count as a hang, and the same seed would no longer give the same outcomes.
 */
public final class PowerCycleCoordinator extends AbstractBehavior<PowerCycleCoordinator.Command> {

  /** Enough to keep every core busy; few enough that a callback waits milliseconds, not seconds. */
  public static final int MAX_SCRIPTS_IN_FLIGHT = 1000;

  public sealed interface Command extends CborSerializable {}

  /** Replies with the summary once every device has answered, or the run stalled. */
  public record GetSummary(ActorRef<RunSummary> replyTo) implements Command {}

  private record WrappedOutcome(DeviceOutcome outcome) implements Command {}

  private enum Stalled implements Command {
    INSTANCE
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
  private final List<ActorRef<RunSummary>> waiting = new ArrayList<>();
  private Duration longestDeadline = Duration.ZERO;
  private int spawned;
  private RunSummary summary;

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
    int first = Math.min(options.devices(), MAX_SCRIPTS_IN_FLIGHT);
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
        .onMessage(GetSummary.class, this::onGetSummary)
        .onMessageEquals(Stalled.INSTANCE, this::onStalled)
        .build();
  }

  private Behavior<Command> onOutcome(WrappedOutcome wrapped) {
    if (summary != null) {
      // A late answer after the run stalled: the summary already counted this device as unaccounted.
      return this;
    }
    tally.add(wrapped.outcome());
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
    if (summary == null) {
      getContext()
          .getLog()
          .warn(
              "{} of {} devices gave no final answer; none answered for {} ms",
              options.devices() - tally.accounted(),
              options.devices(),
              stallTimeout().toMillis());
      conclude();
    }
    return this;
  }

  private void startNextDevice() {
    spawned++;
    String deviceId = deviceId(spawned);
    DevicePlan plan = workload.plan(options.seed(), deviceId);
    if (plan.settings().callbackDeadline().compareTo(longestDeadline) > 0) {
      longestDeadline = plan.settings().callbackDeadline();
    }
    ReferenceDriver.Settings driver = new ReferenceDriver.Settings(plan.enablers(), rules, options.seed());
    ActorRef<DeviceMessage> device =
        getContext().spawn(Device.create(deviceId, plan.settings(), driver.model(), trace), deviceId);
    getContext().spawn(DeviceScript.create(deviceId, device, steps, reportTo), "script-" + deviceId);
  }

  /** Restarted by every final answer: the run gives up only when no device makes progress. */
  private void armStallTimer() {
    timers.startSingleTimer(Stalled.INSTANCE, stallTimeout());
  }

  private Duration stallTimeout() {
    return options.timeout() != null
        ? options.timeout()
        : PowerCycleRun.defaultStallTimeout(clock.toReal(longestDeadline));
  }

  private void conclude() {
    Duration wall = Duration.ofNanos(System.nanoTime() - startNanos);
    summary = tally.summary(options.seed(), options.cycles(), options.stopAfterStart(), wall);
    waiting.forEach(replyTo -> replyTo.tell(summary));
    waiting.clear();
  }
}
