package org.dmaemu.node.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster runs this node takes part in, by run id: how a sharded entity, which sharding may
 * start on any node, finds its node's part of a run. Written by the {@link NodeRunner} only.
 */
public final class LocalRuns implements Extension {

  private final ConcurrentHashMap<String, NodeRun> runs = new ConcurrentHashMap<>();

  public static LocalRuns get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** This node's part of run {@code runId}, or {@code null} when this node has none (it joined later, or the run ended). */
  public NodeRun get(String runId) {
    return runs.get(runId);
  }

  void put(NodeRun run) {
    runs.put(run.runId(), run);
  }

  void remove(String runId) {
    runs.remove(runId);
  }

  /** The extension id: one registry per ActorSystem, i.e. per node. */
  public static final class Id extends ExtensionId<LocalRuns> {
    static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public LocalRuns createExtension(ActorSystem<?> system) {
      return new LocalRuns();
    }
  }
}
