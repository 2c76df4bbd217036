package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.util.List;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.node.scenario.AdapterDomainSpec;
import org.dmaemu.node.scenario.BusSpec;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.hardware.BusMessage;

/**
 * A shared arbiter of a cluster run (DESIGN §3: "Adapter (sharded entity, id = adapter id)"), of
 * one of two entity types: a shared adapter domain (entity id = its name in the scenario; children:
 * its adapter lock and map-register pool) or a shared bus (children: the Bus). On {@link Start} it
 * spawns its children, reporting to the metrics of the node it landed on, and answers with their
 * addresses, which the coordinator hands to every node: devices then talk to the arbiters directly,
 * not through sharding. {@link Stop} stops them, and the entity. {@link Crash} crashes an adapter
 * domain's arbiters (DESIGN §10): they fail, are restarted by their supervisor and rebuild from their
 * requesters, on this node; the entity and the arbiters' addresses stay as they were.
 */
public final class ArbiterEntity extends AbstractBehavior<ArbiterEntity.Command> {

  /** The two kinds of shared arbiter; each is an entity type of its own. */
  public enum Kind {
    ADAPTER_DOMAIN("adapter-domain", "adapter domain"),
    BUS("bus", "bus");

    public final EntityTypeKey<Command> typeKey;
    private final String what;

    Kind(String typeName, String what) {
      this.typeKey = EntityTypeKey.create(Command.class, typeName);
      this.what = what;
    }
  }

  public sealed interface Command extends CborSerializable {}

  /** Start the arbiter for run {@code runId}; answers its {@code …Started} report or {@link ArbiterReport.NotStarted}. */
  public record Start(String runId, ActorRef<ArbiterReport> replyTo) implements Command {}

  /** Stop the arbiter of run {@code runId}; answers {@link ArbiterReport.Stopped} once its actors stopped. */
  public record Stop(String runId, ActorRef<ArbiterReport> replyTo) implements Command {}

  /**
   * Fault {@code faultId} crashes this adapter domain's lock and map-register pool now (the run's
   * coordinator sends it when the fault is due). Only for run {@code runId}, and only for an adapter
   * domain: a bus has nothing to rebuild from (its occupancies are not held by anyone), so a crash
   * sent to a bus is logged and ignored.
   */
  public record Crash(String runId, String faultId) implements Command {}

  private record ChildStopped(String child) implements Command {}

  /** Registers both entity types on this node; the shards never move and the entities never passivate. */
  public static void init(ActorSystem<?> system) {
    for (Kind kind : Kind.values()) {
      Hosting.initEntity(system, kind.typeKey, id -> create(kind, id));
    }
  }

  public static Behavior<Command> create(Kind kind, String name) {
    return Behaviors.setup(context -> new ArbiterEntity(context, kind, name));
  }

  /** What a start spawned: the report for the coordinator and the children to watch and stop. */
  private record Spawned(ArbiterReport started, List<ActorRef<?>> children) {}

  private final Kind kind;
  private final String name;
  private String runId;
  private Spawned spawned;
  private ActorRef<ArbiterReport> stopReplyTo;
  private int running;

  private ArbiterEntity(ActorContext<Command> context, Kind kind, String name) {
    super(context);
    this.kind = kind;
    this.name = name;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessage(Crash.class, this::onCrash)
        .onMessage(ChildStopped.class, this::onChildStopped)
        .build();
  }

  private Behavior<Command> onStart(Start start) {
    if (spawned != null) {
      start.replyTo().tell(start.runId().equals(runId) && stopReplyTo == null
          ? spawned.started()
          : new ArbiterReport.NotStarted(start.runId(), name, node(), "still serving run " + runId));
      return this;
    }
    NodeRun run = LocalRuns.get(getContext().getSystem()).get(start.runId());
    Spawned s = run == null ? null : spawn(run, start.runId());
    if (s == null) {
      start.replyTo().tell(new ArbiterReport.NotStarted(start.runId(), name, "",
          run == null ? "the node it landed on has no part in the run" : "the scenario has no " + kind.what + " " + name));
      return Behaviors.stopped();
    }
    for (ActorRef<?> child : s.children()) {
      getContext().watchWith(child, new ChildStopped(child.path().name()));
    }
    running = s.children().size();
    runId = start.runId();
    spawned = s;
    start.replyTo().tell(s.started());
    return this;
  }

  /** The arbiter's actors for run {@code id}, or {@code null} if the scenario has no such arbiter. */
  private Spawned spawn(NodeRun run, String id) {
    long seed = run.scenario().run().seed();
    switch (kind) {
      case ADAPTER_DOMAIN:
        for (AdapterDomainSpec d : run.scenario().topology().adapterDomains()) {
          if (d.name().equals(name)) {
            AdapterDomain domain = ScenarioWorkload.spawnDomain(getContext(), d, seed, run.metrics(), run.trace());
            return new Spawned(
                new ArbiterReport.DomainStarted(id, name, run.node(), domain.mapRegisters(), domain.lock(), domain.registers()),
                List.of(domain.lock(), domain.registers()));
          }
        }
        return null;
      case BUS:
      default:
        for (BusSpec b : run.scenario().topology().buses()) {
          if (b.name().equals(name)) {
            ActorRef<BusMessage> bus = getContext().spawn(ScenarioWorkload.bus(b, seed, run.metrics()), "bus");
            return new Spawned(new ArbiterReport.BusStarted(id, name, run.node(), bus), List.of(bus));
          }
        }
        return null;
    }
  }

  private String node() {
    return spawned.started() instanceof ArbiterReport.DomainStarted d
        ? d.node()
        : ((ArbiterReport.BusStarted) spawned.started()).node();
  }

  private Behavior<Command> onCrash(Crash crash) {
    if (spawned == null || !crash.runId().equals(runId) || stopReplyTo != null
        || !(spawned.started() instanceof ArbiterReport.DomainStarted)) {
      getContext().getLog().warn("fault {}: {} {} is not a running adapter domain of run {}; nothing crashed",
          crash.faultId(), kind.what, name, crash.runId());
      return this;
    }
    ArbiterReport.DomainStarted d = (ArbiterReport.DomainStarted) spawned.started();
    d.lock().tell(new AdapterLockMessage.Crash(crash.faultId()));
    d.registers().tell(new MapRegisterMessage.Crash(crash.faultId()));
    return this;
  }

  private Behavior<Command> onStop(Stop stop) {
    if (spawned == null || !stop.runId().equals(runId)) {
      stop.replyTo().tell(new ArbiterReport.Stopped(stop.runId(), name));
      return spawned == null ? Behaviors.stopped() : this;
    }
    if (stopReplyTo == null) {
      stopReplyTo = stop.replyTo();
      spawned.children().forEach(getContext()::stop);
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
      getContext().getLog().error("{} {} of run {}: its {} stopped by itself", kind.what, name, runId, stopped.child());
    }
    return Behaviors.stopped();
  }
}
