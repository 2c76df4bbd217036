package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.dmaemu.node.scenario.BusSpec;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.hardware.BusMessage;

/**
 * A shared bus of a cluster run: entity id = the bus's name in the scenario. As {@link
 * AdapterEntity}: {@link Start} spawns the {@code Bus} as its child, reporting to its node's
 * metrics, and answers with its address; {@link Stop} stops it, and the entity.
 */
public final class BusEntity extends AbstractBehavior<BusEntity.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "bus");

  public sealed interface Command extends CborSerializable {}

  /** Start the bus for run {@code runId}; answers {@link ArbiterReport.BusStarted} or {@link ArbiterReport.NotStarted}. */
  public record Start(String runId, ActorRef<ArbiterReport> replyTo) implements Command {}

  /** Stop the bus of run {@code runId}; answers {@link ArbiterReport.Stopped} once it stopped. */
  public record Stop(String runId, ActorRef<ArbiterReport> replyTo) implements Command {}

  private enum BusStopped implements Command {
    INSTANCE
  }

  /** Registers the entity type on this node; the shards never move and the entities never passivate. */
  public static void init(ActorSystem<?> system) {
    Hosting.initEntity(system, TYPE_KEY, id -> create(id));
  }

  public static Behavior<Command> create(String name) {
    return Behaviors.setup(context -> new BusEntity(context, name));
  }

  private final String name;
  private String runId;
  private ArbiterReport.BusStarted started;
  private ActorRef<ArbiterReport> stopReplyTo;

  private BusEntity(ActorContext<Command> context, String name) {
    super(context);
    this.name = name;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessageEquals(BusStopped.INSTANCE, this::onBusStopped)
        .build();
  }

  private Behavior<Command> onStart(Start start) {
    if (started != null) {
      start.replyTo().tell(start.runId().equals(runId) && stopReplyTo == null
          ? started
          : new ArbiterReport.NotStarted(start.runId(), name, started.node(), "still serving run " + runId));
      return this;
    }
    NodeRun run = LocalRuns.get(getContext().getSystem()).get(start.runId());
    BusSpec spec = run == null ? null : spec(run);
    if (spec == null) {
      start.replyTo().tell(new ArbiterReport.NotStarted(start.runId(), name, "",
          run == null ? "the node it landed on has no part in the run" : "the scenario has no bus " + name));
      return Behaviors.stopped();
    }
    ActorRef<BusMessage> bus =
        getContext().spawn(ScenarioWorkload.bus(spec, run.scenario().run().seed(), run.metrics()), "bus");
    getContext().watchWith(bus, BusStopped.INSTANCE);
    runId = start.runId();
    started = new ArbiterReport.BusStarted(runId, name, run.node(), bus);
    start.replyTo().tell(started);
    return this;
  }

  private BusSpec spec(NodeRun run) {
    for (BusSpec b : run.scenario().topology().buses()) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    return null;
  }

  private Behavior<Command> onStop(Stop stop) {
    if (started == null || !stop.runId().equals(runId)) {
      stop.replyTo().tell(new ArbiterReport.Stopped(stop.runId(), name));
      return started == null ? Behaviors.stopped() : this;
    }
    if (stopReplyTo == null) {
      stopReplyTo = stop.replyTo();
      getContext().stop(started.bus());
    }
    return this;
  }

  private Behavior<Command> onBusStopped() {
    if (stopReplyTo != null) {
      stopReplyTo.tell(new ArbiterReport.Stopped(runId, name));
    } else {
      getContext().getLog().error("bus {} of run {} stopped by itself", name, runId);
    }
    return Behaviors.stopped();
  }
}
