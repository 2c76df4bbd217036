package org.dmaemu.node.cluster;

import java.util.List;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.protocol.CborSerializable;

/**
 * A cluster run's merged results, as the coordinator sends them (in {@link Chunk}s) to the side
 * that submitted the run, which writes the run directory from them.
 *
 * @param summary every device's outcome added up, with every node's request metrics merged
 * @param totals every node's metrics merged
 * @param intervals the run's intervals, every node's merged by number
 * @param nodes what ran where
 * @param problems what went wrong beside the summary's checks (a node that handed in no metrics)
 */
public record ClusterResult(
    String runId,
    RunSummary summary,
    MetricsData.Totals totals,
    List<MetricsData.Interval> intervals,
    List<NodeShare> nodes,
    List<String> problems)
    implements CborSerializable {

  public ClusterResult {
    intervals = List.copyOf(intervals);
    nodes = List.copyOf(nodes);
    problems = List.copyOf(problems);
  }

  /**
   * One node's share of a run.
   *
   * @param node its address
   * @param index its number in the run (the trace's pid)
   * @param devices devices that ran there
   * @param arbiters shared adapter domains and buses that ran there ({@code domain iommu}, {@code bus pcie})
   * @param requestsEnded requests that ended on its devices
   * @param adapterLockWaits adapter-lock waits its devices recorded (measured ones, after the warm-up)
   * @param mapRegisterWaits map-register waits its devices recorded
   * @param busWaits bus waits its buses recorded
   */
  public record NodeShare(
      String node,
      int index,
      int devices,
      List<String> arbiters,
      long requestsEnded,
      long adapterLockWaits,
      long mapRegisterWaits,
      long busWaits) {

    public NodeShare {
      arbiters = List.copyOf(arbiters);
    }
  }
}
