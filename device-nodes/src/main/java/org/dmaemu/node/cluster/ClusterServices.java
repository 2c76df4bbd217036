package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;

/**
 * What every node of a cluster runs: the sharded entity types (devices, adapter domains, buses),
 * this node's {@link NodeRunner}, and the {@link RunCoordinator} singleton with a proxy to it.
 * {@link #start} right after the node's ActorSystem starts ({@code akka.actor.provider = cluster});
 * it is idempotent (an extension: once per ActorSystem).
 */
public final class ClusterServices implements Extension {

  private final ActorRef<RunCoordinator.Command> coordinator;
  private final ActorRef<NodeRunner.Command> runner;

  private ClusterServices(ActorSystem<?> system) {
    DeviceEntity.init(system);
    ArbiterEntity.init(system);
    // A node without the hosting role (a client that only submits runs) has no part in a run.
    runner = Hosting.hosts(system) ? system.systemActorOf(NodeRunner.create(), "dmaemu-node-runner", Props.empty()) : null;
    coordinator = ClusterSingleton.get(system).init(
        SingletonActor.of(RunCoordinator.create(), "dmaemu-run-coordinator")
            .withSettings(ClusterSingletonSettings.create(system).withRole(Hosting.ROLE)));
  }

  /** Starts this node's services (once); every node of a cluster that runs scenarios calls it. */
  public static ClusterServices start(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** The run coordinator, through this node's singleton proxy. */
  public ActorRef<RunCoordinator.Command> coordinator() {
    return coordinator;
  }

  /** This node's runner; {@code null} on a node without the hosting role. */
  public ActorRef<NodeRunner.Command> runner() {
    return runner;
  }

  /** The extension id: one set of services per ActorSystem, i.e. per node. */
  public static final class Id extends ExtensionId<ClusterServices> {
    static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public ClusterServices createExtension(ActorSystem<?> system) {
      return new ClusterServices(system);
    }
  }
}
