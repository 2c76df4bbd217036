package org.dmaemu.node.cluster;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * What one node measured in a cluster run, handed to the coordinator in {@link Chunk}s at the end.
 *
 * @param node the node's address
 * @param nodeIndex its number in the run
 * @param ended requests that ended on its devices
 * @param totals its devices' and arbiters' totals
 * @param intervals its intervals, numbered from the run's epoch
 * @param run its devices' requests, bytes and waits as the run's summary counts them
 * @param error why the node has nothing to hand in (it had no part in the run), else {@code null}
 */
public record NodeMetrics(
    String runId,
    String node,
    int nodeIndex,
    long ended,
    MetricsData.Totals totals,
    List<MetricsData.Interval> intervals,
    MetricsData.Run run,
    String error)
    implements CborSerializable {

  public NodeMetrics {
    intervals = List.copyOf(intervals);
  }
}
