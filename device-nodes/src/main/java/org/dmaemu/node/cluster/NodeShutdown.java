package org.dmaemu.node.cluster;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * How a cluster node's life ends: the reasons this project adds to Akka's, the one line each reason
 * is reported with, and the exit code the command-line node leaves with.
 */
public final class NodeShutdown {

  private NodeShutdown() {}

  /** SIGTERM or SIGINT: leave the cluster gracefully, exit 0. */
  public static final class Signalled implements CoordinatedShutdown.Reason {
    private final String signal;

    public Signalled(String signal) {
      this.signal = signal;
    }

    public String signal() {
      return signal;
    }

    @Override
    public String toString() {
      return "SIG" + signal;
    }
  }

  /** The node could not finish starting (e.g. the management port is taken): exit 1. */
  public static final class StartFailed implements CoordinatedShutdown.Reason {
    private final String why;

    public StartFailed(String why) {
      this.why = why;
    }

    public String why() {
      return why;
    }

    @Override
    public String toString() {
      return "start failed: " + why;
    }
  }

  /** Reasons whose exit code is not 0; {@link NodeConfig#toConfig} gives them this code. */
  public static final int FAILED = 1;

  /** The exit code of a node that shut down for this reason (null: nobody said why). */
  public static int exitCode(CoordinatedShutdown.Reason reason) {
    return reason == CoordinatedShutdown.clusterDowningReason()
            || reason == CoordinatedShutdown.clusterJoinUnsuccessfulReason()
            || reason instanceof StartFailed
        ? FAILED
        : 0;
  }

  /** One line (without the "dmaemu: " prefix) saying why the node is shutting down. */
  public static String describe(CoordinatedShutdown.Reason reason, NodeConfig node) {
    if (reason == CoordinatedShutdown.clusterJoinUnsuccessfulReason()) {
      String via =
          node.discovery() == NodeConfig.Discovery.KUBERNETES
              ? "kubernetes bootstrap"
              : "seed nodes " + String.join(",", node.seedNodes());
      return "could not join the cluster through " + via + " within " + seconds(node) + "; is a seed node running"
          + " and reachable (same TLS CA if --tls-dir is used)?";
    }
    if (reason == CoordinatedShutdown.clusterDowningReason()) {
      return "this node was downed (split brain resolver or an operator) and removed from the cluster; exiting";
    }
    if (reason instanceof Signalled s) {
      return "SIG" + s.signal() + ": leaving the cluster";
    }
    if (reason instanceof StartFailed f) {
      return f.why();
    }
    if (reason == CoordinatedShutdown.jvmExitReason()) {
      return "the JVM is exiting: leaving the cluster";
    }
    if (reason == CoordinatedShutdown.clusterLeavingReason()) {
      return "this node was told to leave the cluster";
    }
    return "shutting down (" + reason + ")";
  }

  /**
   * Reports the reason through {@code report} at the start of coordinated shutdown, before the node
   * leaves the cluster: the last thing a node says, whatever ends it.
   */
  public static void reportWith(ActorSystem<?> system, NodeConfig node, Consumer<String> report) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "dmaemu-report-shutdown",
        () -> {
          Optional<CoordinatedShutdown.Reason> reason = shutdown.getShutdownReason();
          report.accept(describe(reason.orElse(CoordinatedShutdown.unknownReason()), node));
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  private static String seconds(NodeConfig node) {
    long ms = node.joinTimeout().toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }
}
