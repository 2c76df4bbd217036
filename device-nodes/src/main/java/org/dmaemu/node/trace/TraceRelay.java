package org.dmaemu.node.trace;

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
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * A cluster node's stand-in for the run's one {@link TraceWriter}, which lives on the node that
 * submitted the run: takes this node's events as a writer would ({@link ActorTraceSink} tells it
 * {@link TraceWriter.Record}s) and sends them on in batches of up to {@link #BATCH} events, or
 * whatever it holds every {@link #EVERY}, tagged with this node's number. One remote message per
 * batch instead of one per event; and since every event of the node goes through this one sender,
 * a {@link TraceWriter.Flush} sent on through it arrives after all of them.
 */
public final class TraceRelay extends AbstractBehavior<Object> {

  /** Events per remote message: a few dozen KiB, well below a remote frame. */
  static final int BATCH = 256;

  static final Duration EVERY = Duration.ofMillis(100);

  /** The batch timer: the relay takes the writer's messages and this one of its own. */
  private enum Tick implements CborSerializable {
    INSTANCE
  }

  private final ActorRef<TraceWriter.Command> writer;
  private final int pid;
  private final String processName;
  private List<TraceEvent> pending = new ArrayList<>();

  /**
   * @param writer the run's writer
   * @param pid this node's number in the run
   * @param processName what Perfetto calls this node
   */
  public static Behavior<TraceWriter.Command> create(ActorRef<TraceWriter.Command> writer, int pid, String processName) {
    Behavior<Object> relay =
        Behaviors.setup(context -> Behaviors.withTimers(timers -> new TraceRelay(context, timers, writer, pid, processName)));
    return relay.narrow();
  }

  private TraceRelay(
      ActorContext<Object> context,
      TimerScheduler<Object> timers,
      ActorRef<TraceWriter.Command> writer,
      int pid,
      String processName) {
    super(context);
    this.writer = writer;
    this.pid = pid;
    this.processName = processName;
    timers.startTimerWithFixedDelay(Tick.INSTANCE, EVERY);
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(TraceWriter.Record.class, this::onRecord)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(TraceWriter.Flush.class, this::onFlush)
        .build();
  }

  private Behavior<Object> onRecord(TraceWriter.Record record) {
    pending.add(record.event());
    if (pending.size() >= BATCH) {
      send();
    }
    return this;
  }

  private Behavior<Object> onTick() {
    send();
    return this;
  }

  private Behavior<Object> onFlush(TraceWriter.Flush flush) {
    send();
    writer.tell(flush);
    return this;
  }

  private void send() {
    if (!pending.isEmpty()) {
      writer.tell(new TraceWriter.RecordBatch(pid, processName, pending));
      pending = new ArrayList<>();
    }
  }
}
