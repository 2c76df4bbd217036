package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.node.scenario.AdapterDomainSpec;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.protocol.CborSerializable;

/**
 * A shared adapter domain of a cluster run (DESIGN §3: "Adapter (sharded entity, id = adapter
 * id)"): entity id = the domain's name in the scenario. On {@link Start} it spawns the domain's
 * adapter lock and map-register pool as its children, reporting to the metrics of the node it
 * landed on, and answers with their addresses, which the coordinator hands to every node: devices
 * then talk to the arbiters directly, not through sharding. {@link Stop} stops them, and the entity.
 */
public final class AdapterEntity extends AbstractBehavior<AdapterEntity.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "adapter-domain");

  public sealed interface Command extends CborSerializable {}

  /** Start the domain for run {@code runId}; answers {@link ArbiterReport.DomainStarted} or {@link ArbiterReport.NotStarted}. */
  public record Start(String runId, ActorRef<ArbiterReport> replyTo) implements Command {}

  /** Stop the domain of run {@code runId}; answers {@link ArbiterReport.Stopped} once its actors stopped. */
  public record Stop(String runId, ActorRef<ArbiterReport> replyTo) implements Command {}

  private record ChildStopped(String child) implements Command {}

  /** Registers the entity type on this node; the shards never move and the entities never passivate. */
  public static void init(ActorSystem<?> system) {
    Hosting.initEntity(system, TYPE_KEY, id -> create(id));
  }

  public static Behavior<Command> create(String name) {
    return Behaviors.setup(context -> new AdapterEntity(context, name));
  }

  private final String name;
  private String runId;
  private ArbiterReport.DomainStarted started;
  private ActorRef<ArbiterReport> stopReplyTo;
  private int running;

  private AdapterEntity(ActorContext<Command> context, String name) {
    super(context);
    this.name = name;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessage(ChildStopped.class, this::onChildStopped)
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
    AdapterDomainSpec spec = run == null ? null : spec(run);
    if (spec == null) {
      start.replyTo().tell(new ArbiterReport.NotStarted(start.runId(), name, "",
          run == null ? "the node it landed on has no part in the run" : "the scenario has no adapter domain " + name));
      return Behaviors.stopped();
    }
    AdapterDomain domain = ScenarioWorkload.spawnDomain(getContext(), spec, run.scenario().run().seed(), run.metrics());
    getContext().watchWith(domain.lock(), new ChildStopped("lock"));
    getContext().watchWith(domain.registers(), new ChildStopped("registers"));
    running = 2;
    runId = start.runId();
    started = new ArbiterReport.DomainStarted(
        runId, name, run.node(), domain.mapRegisters(), domain.lock(), domain.registers());
    start.replyTo().tell(started);
    return this;
  }

  private AdapterDomainSpec spec(NodeRun run) {
    for (AdapterDomainSpec d : run.scenario().topology().adapterDomains()) {
      if (d.name().equals(name)) {
        return d;
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
      getContext().stop(started.lock());
      getContext().stop(started.registers());
    }
    return this;
  }

  private Behavior<Command> onChildStopped(ChildStopped stopped) {
    running--;
    if (running > 0) {
      return this;
    }
    if (stopReplyTo != null) {
      stopReplyTo.tell(new ArbiterReport.Stopped(runId, name));
    } else {
      getContext().getLog().error("adapter domain {} of run {}: its {} stopped by itself", name, runId, stopped.child());
    }
    return Behaviors.stopped();
  }
}
