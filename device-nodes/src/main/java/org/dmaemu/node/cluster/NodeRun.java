package org.dmaemu.node.cluster;

import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.trace.TraceSink;

/**
 * This node's part of one cluster run: the scenario as this node loaded it, the metrics of the
 * devices and arbiters that live here, the trace sink, and — once the coordinator has sent the
 * shared arbiters' addresses — the workload whose plans use them. The {@link NodeRunner} creates it
 * and owns its lifecycle; the device and arbiter entities of this node read it through {@link
 * LocalRuns}, as the actors of an embedded run share its metrics object.
 *
 * @param node this node's address, as reports name it
 * @param nodeIndex this node's number in the run, from 1: the trace's pid
 * @param started the devices whose script started on this node (the node's progress reports them,
 *     so that the run knows which devices it lost if it loses the node)
 */
public record NodeRun(
    String runId,
    String node,
    int nodeIndex,
    Scenario scenario,
    ScenarioMetrics metrics,
    RunMetrics runMetrics,
    TraceSink trace,
    ScenarioWorkload workload,
    StartedDevices started) {

  /** The same run with the workload the devices of this node use. */
  public NodeRun withWorkload(ScenarioWorkload w) {
    return new NodeRun(runId, node, nodeIndex, scenario, metrics, runMetrics, trace, w, started);
  }
}
