package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
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
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.time.NodeClock;

/**
 * Closes a node's metrics interval whenever modeled time crosses a multiple of the interval length,
 * counted from the run's epoch, and keeps it with its number: interval {@code i} is {@code [i·len,
 * (i+1)·len)} on every node of the run (their clocks share the epoch), so the coordinator adds the
 * nodes' intervals up by number. A cluster run's {@code MetricsSampler}: it keeps the intervals (their
 * histograms encoded, a few hundred bytes each) instead of writing files, which the submitting side
 * writes once from the merged intervals. Local to its node.
 */
final class IntervalSampler extends AbstractBehavior<IntervalSampler.Command> {

  interface Command extends NoSerializationVerificationNeeded {}

  /** Close the last interval; reply with every interval and the totals, then stop. */
  record Finish(ActorRef<Sampled> replyTo) implements Command {}

  record Sampled(List<MetricsData.Interval> intervals, ScenarioMetrics.Totals totals)
      implements NoSerializationVerificationNeeded {}

  /** Modeled time has reached the end of interval {@code boundary - 1}. */
  private record Tick(int boundary) implements Command {}

  private final ScenarioMetrics metrics;
  private final NodeClock clock;
  private final long lengthMicros;
  private final TimerScheduler<Command> timers;
  private final List<MetricsData.Interval> intervals = new ArrayList<>();
  /** The boundary the pending tick waits for: the open interval's number + 1. */
  private int next;

  static Behavior<Command> create(ScenarioMetrics metrics, NodeClock clock, Duration interval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new IntervalSampler(context, timers, metrics, clock, interval)));
  }

  private IntervalSampler(
      ActorContext<Command> context, TimerScheduler<Command> timers, ScenarioMetrics metrics, NodeClock clock,
      Duration interval) {
    super(context);
    this.metrics = metrics;
    this.clock = clock;
    this.timers = timers;
    this.lengthMicros = Math.max(1, interval.toNanos() / 1000);
    scheduleAfter(clock.nowMicros());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, this::onTick)
        .onMessage(Finish.class, this::onFinish)
        .build();
  }

  private Behavior<Command> onTick(Tick tick) {
    intervals.add(MetricsData.Interval.of(tick.boundary() - 1, metrics.sample()));
    // A late timer that overslept whole intervals folds them into this one, as an embedded run's sampler does.
    scheduleAfter(Math.max(clock.nowMicros(), tick.boundary() * lengthMicros));
    return this;
  }

  private Behavior<Command> onFinish(Finish finish) {
    timers.cancelAll();
    intervals.add(MetricsData.Interval.of(next - 1, metrics.sample()));
    finish.replyTo().tell(new Sampled(List.copyOf(intervals), metrics.totals()));
    return Behaviors.stopped();
  }

  /** The next tick: at the first boundary after {@code nowMicros}. */
  private void scheduleAfter(long nowMicros) {
    next = (int) (Math.max(0, nowMicros) / lengthMicros) + 1;
    long dueMicros = next * lengthMicros - clock.nowMicros();
    timers.startSingleTimer(new Tick(next), clock.toReal(Duration.ofNanos(Math.max(0, dueMicros) * 1000)));
  }
}
