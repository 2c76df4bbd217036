package org.dmaemu.node.output;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.protocol.CborSerializable;

/**
 * Closes a metrics interval every {@code interval} of modeled time and appends it to the run's
 * interval files. Runs on the I/O dispatcher (it writes files). {@link Finish} closes the last,
 * partial interval and the files, and replies with the totals.
 */
public final class MetricsSampler extends AbstractBehavior<MetricsSampler.Command> {

  public sealed interface Command extends CborSerializable {}

  /** The run is over: the last interval, the files closed, the totals. */
  public record Finish(ActorRef<Finished> replyTo) implements Command {}

  /** Histograms of this node, handed over in memory (the cluster will merge .hlog files instead). */
  public record Finished(ScenarioMetrics.Totals totals, List<ScenarioMetrics.Interval> intervals, String error)
      implements NoSerializationVerificationNeeded {}

  private enum Tick implements Command {
    INSTANCE
  }

  private final ScenarioMetrics metrics;
  private final IntervalFiles files;
  private String error;

  public static Behavior<Command> create(ScenarioMetrics metrics, IntervalFiles files, Duration realInterval) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(
            timers -> {
              timers.startTimerAtFixedRate(Tick.INSTANCE, realInterval);
              return new MetricsSampler(context, metrics, files);
            }));
  }

  private MetricsSampler(ActorContext<Command> context, ScenarioMetrics metrics, IntervalFiles files) {
    super(context);
    this.metrics = metrics;
    this.files = files;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Finish.class, this::onFinish)
        .build();
  }

  private Behavior<Command> onTick() {
    append(metrics.sample());
    return this;
  }

  private Behavior<Command> onFinish(Finish finish) {
    append(metrics.sample());
    try {
      files.close();
    } catch (IOException e) {
      failed(e);
    }
    finish.replyTo().tell(new Finished(metrics.totals(), files.intervals(), error));
    return Behaviors.stopped();
  }

  private void append(ScenarioMetrics.Interval interval) {
    try {
      files.append(interval);
    } catch (IOException e) {
      failed(e);
    }
  }

  private void failed(IOException e) {
    if (error == null) {
      error = "cannot write the interval metrics: " + e.getMessage();
      getContext().getLog().error(error);
    }
  }
}
