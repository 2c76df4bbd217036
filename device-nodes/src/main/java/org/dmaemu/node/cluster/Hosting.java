package org.dmaemu.node.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import java.util.function.Function;

/**
 * Which nodes run a scenario's pieces: members with the role {@value #ROLE} host the devices,
 * adapters, buses and the run coordinator; other members (a {@code dmaemu run --join} client) only
 * submit runs and talk to them through proxies.
 */
final class Hosting {
  /** The role of the nodes that host devices ({@code dmaemu node}'s default role). */
  static final String ROLE = "dmaemu";

  private Hosting() {}

  static boolean hosts(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().hasRole(ROLE);
  }

  /**
   * A sharded entity type of a run: hosted by {@value #ROLE} nodes, never passivated (an idle
   * adapter's traffic goes to its children, not to the entity) and never moved while a run uses it.
   */
  static <M> void initEntity(ActorSystem<?> system, EntityTypeKey<M> key, Function<String, Behavior<M>> create) {
    ClusterSharding.get(system)
        .init(Entity.of(key, context -> create.apply(context.getEntityId()))
            .withRole(ROLE)
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
            .withAllocationStrategy(new NoRebalance()));
  }
}
