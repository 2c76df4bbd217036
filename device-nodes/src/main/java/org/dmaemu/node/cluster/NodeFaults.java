package org.dmaemu.node.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.dmaemu.fault.Fault;

/**
 * What carries out a scenario's node faults ({@code node-crash}, {@code node-pause}) for a cluster
 * run: whoever owns the nodes' processes ({@code dmaemu cluster}). The run's coordinator decides
 * when a fault is due and whether it may be carried out, and attributes what the node then loses to
 * the fault; this side only acts on the process.
 */
public interface NodeFaults {

  /** No node faults: a run whose nodes this JVM does not own ({@code dmaemu run --join}). */
  NodeFaults NONE = new NodeFaults() {
    @Override
    public List<String> addresses() {
      return List.of();
    }

    @Override
    public CompletionStage<Action> execute(Fault.NodeFault fault, java.time.Duration realLength) {
      return CompletableFuture.failedFuture(new IllegalStateException("this run carries out no node faults"));
    }
  };

  /**
   * The addresses ({@code akka://dmaemu@HOST:PORT}) of the nodes a fault's {@code node} numbers:
   * element 0 is node 1 (the submitting node, which no fault may hit). Empty: node faults cannot be
   * carried out, and a scenario with one is refused.
   */
  List<String> addresses();

  /**
   * Carries the fault out on its node now, without blocking the caller: a crash ends the node's
   * process at once; a pause stops it and continues it {@code realLength} later. Completes once the
   * crash or the stop is done, with when and what; fails with why it could not be done.
   */
  CompletionStage<Action> execute(Fault.NodeFault fault, java.time.Duration realLength);

  /**
   * What was done.
   *
   * @param wallMicros when, by this machine's wall clock (µs since 1970)
   * @param what one line for the run's record, e.g. {@code SIGKILL to pid 4242 (akka://dmaemu@127.0.0.1:40111)}
   */
  record Action(long wallMicros, String what) {}
}
