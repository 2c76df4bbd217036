package org.dmaemu.node.cluster;

import akka.actor.ActorRef;
import akka.cluster.sharding.ShardCoordinator;
import akka.dispatch.Futures;
import java.util.Map;
import java.util.Set;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where the shards of devices and arbiters go: a new shard to the region (node) with the fewest, and
 * a shard never moves afterwards. Akka's default strategy rebalances, and handing a shard off stops
 * its entities: a device mid-script or an adapter domain mid-run would be lost. A node that joins a
 * cluster later therefore gets only shards that had none yet — every run's devices are new entities
 * of shards that may already be placed.
 */
final class NoRebalance extends ShardCoordinator.AbstractShardAllocationStrategy {

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    ActorRef least = null;
    int fewest = Integer.MAX_VALUE;
    for (Map.Entry<ActorRef, IndexedSeq<String>> e : currentShardAllocations.entrySet()) {
      int n = e.getValue().size();
      // Ties to the lowest address, so that the same order of first uses places shards the same way.
      if (n < fewest || (n == fewest && e.getKey().path().toString().compareTo(least.path().toString()) < 0)) {
        least = e.getKey();
        fewest = n;
      }
    }
    return Futures.successful(least == null ? requester : least);
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    return Futures.successful(Set.of());
  }
}
