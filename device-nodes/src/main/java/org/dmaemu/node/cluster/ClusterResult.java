package org.dmaemu.node.cluster;

import java.util.List;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.protocol.CborSerializable;

/**
 * A cluster run's merged results, as the coordinator sends them (in {@link Chunk}s) to the side
 * that submitted the run, which writes the run directory from them.
 *
 * @param summary every device's outcome added up, with every node's request metrics merged
 * @param totals every node's metrics merged, a lost node's last reported counts included
 * @param intervals the run's intervals, every node's merged by number
 * @param nodes what ran where
 * @param problems what went wrong beside the summary's checks (a node that handed in no metrics)
 * @param liveFaults the faults injected while the run ran ({@code dmaemu inject}), in injection
 *     order, each as a {@code --fault} flag that reads back to it
 * @param nodeFaults what became of each node fault of the scenario, in plan order
 */
public record ClusterResult(
    String runId,
    RunSummary summary,
    MetricsData.Totals totals,
    List<MetricsData.Interval> intervals,
    List<NodeShare> nodes,
    List<String> problems,
    List<String> liveFaults,
    List<NodeFaultRecord> nodeFaults)
    implements CborSerializable {

  public ClusterResult {
    intervals = List.copyOf(intervals);
    nodes = List.copyOf(nodes);
    problems = List.copyOf(problems);
    liveFaults = List.copyOf(liveFaults);
    nodeFaults = List.copyOf(nodeFaults);
  }

  /**
   * One node's share of a run.
   *
   * @param node its address
   * @param index its number in the run (the trace's pid)
   * @param devices devices that ran there (for a lost node: those that answered, plus those lost)
   * @param arbiters shared adapter domains and buses that ran there ({@code domain iommu}, {@code bus pcie})
   * @param requestsEnded requests that ended on its devices (for a lost node: as of its last progress report)
   * @param adapterLockWaits adapter-lock waits its devices recorded (measured ones, after the warm-up)
   * @param mapRegisterWaits map-register waits its devices recorded
   * @param busWaits bus waits its buses recorded
   * @param lostDevices devices that were on the node when the run lost it (0 for a node that stayed)
   * @param openRequests requests its devices had submitted and not ended by its last progress
   *     report when the run lost it: aborted by {@code lostBy}, or unaccounted without a fault
   * @param lostBy the id of the node fault that took the node, {@code "unplanned"} for a node lost
   *     without one, {@code ""} for a node that stayed
   */
  public record NodeShare(
      String node,
      int index,
      int devices,
      List<String> arbiters,
      long requestsEnded,
      long adapterLockWaits,
      long mapRegisterWaits,
      long busWaits,
      int lostDevices,
      long openRequests,
      String lostBy) {

    public NodeShare {
      arbiters = List.copyOf(arbiters);
      lostBy = lostBy == null ? "" : lostBy;
    }

    /** A node that stayed to the end. */
    public NodeShare(
        String node, int index, int devices, List<String> arbiters, long requestsEnded, long adapterLockWaits,
        long mapRegisterWaits, long busWaits) {
      this(node, index, devices, arbiters, requestsEnded, adapterLockWaits, mapRegisterWaits, busWaits, 0, 0, "");
    }

    public boolean lost() {
      return !lostBy.isEmpty();
    }
  }

  /**
   * What became of one node fault ({@code node-crash}, {@code node-pause}).
   *
   * @param id the fault's id
   * @param kind {@code node-crash} or {@code node-pause}
   * @param node the node number the plan names
   * @param address that node's address, {@code ""} if the run has no such node
   * @param outcome {@code executed}, {@code refused} (the coordinator would not: see {@code detail}),
   *     {@code failed} (the process could not be signalled) or {@code not-due} (the run's devices were
   *     done before the fault's time)
   * @param detail what was done, or why not
   * @param executedWallMicros when the process was signalled (µs since 1970), 0 if it was not
   * @param removedAfterMillis from the signal to the coordinator seeing the node's runner gone (the
   *     node downed and removed), -1 if it did not go
   * @param reclaimedAfterMillis from the signal to the first shared adapter domain taking back what
   *     the node's transactions held (adapter lock or map registers), -1 if none did
   * @param locksReclaimed adapter locks the shared domains took back from dead holders after the signal
   * @param registersReclaimed map registers they took back
   * @param devicesLost devices the run lost with the node
   * @param requestsAborted requests the fault aborted: the node's open requests as of its last progress report
   */
  public record NodeFaultRecord(
      String id,
      String kind,
      int node,
      String address,
      String outcome,
      String detail,
      long executedWallMicros,
      long removedAfterMillis,
      long reclaimedAfterMillis,
      long locksReclaimed,
      long registersReclaimed,
      int devicesLost,
      long requestsAborted) {}
}
