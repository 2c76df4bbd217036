package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.output.SummaryJson;
import org.dmaemu.node.output.IntervalFiles;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioRun;
import org.dmaemu.node.trace.TraceReport;
import org.dmaemu.node.trace.TraceWriter;

/**
 * Runs a scenario on a cluster and writes its run directory here, on the submitting node: the same
 * files as an embedded run ({@link ScenarioRun}), from the results of every node merged. Blocks the
 * calling thread: this is the edge (the command line, a test).
 *
 * <pre>{@code
 * ActorSystem<?> system = ...;                  // this node, a member of the cluster (provider = cluster)
 * ClusterServices.start(system);                // on every node, right after its system started
 * ScenarioRun.Result r = ClusterRun.run(system, scenario, Path.of("runs/x"), 3, ScenarioRun.Progress.NONE);
 * }</pre>
 *
 * <p>Where the files are written: {@code config.resolved.conf} when the run is submitted; {@code
 * trace.json} while it runs (every node's trace relay sends its events to a trace writer on this
 * node); {@code metrics.csv} and the {@code .hlog} files, {@code summary.json}, {@code devices.csv}
 * and {@code report.html} at the end, from the merged result the coordinator sends here. An embedded
 * run writes the interval files as it goes; a cluster run writes them at the end.
 */
public final class ClusterRun {

  /** What ran on which node, in the run directory. */
  public static final String NODES = "nodes.csv";

  private static final int TRACE_BUFFER_BYTES = 1 << 16;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private ClusterRun() {}

  /** A cluster run's result, with what ran where and what became of its node faults. */
  public record Report(
      ScenarioRun.Result result, List<ClusterResult.NodeShare> nodes, List<ClusterResult.NodeFaultRecord> nodeFaults) {}

  /**
   * Runs {@code scenario} once {@code expectedNodes} members are up, and returns what an embedded
   * run of it returns.
   *
   * @param system this node; {@link ClusterServices#start} is called on it if it was not
   * @param runDir the run directory to write
   * @param expectedNodes members (each running {@link ClusterServices}) the run waits for; the run
   *     uses every node that has registered by then
   * @param progress told the requests ended on every node now and then, from this thread
   * @throws IllegalStateException when the cluster gave the run up (a node did not answer in time)
   */
  public static ScenarioRun.Result run(
      ActorSystem<?> system, Scenario scenario, Path runDir, int expectedNodes, ScenarioRun.Progress progress)
      throws IOException {
    return runReporting(system, scenario, runDir, expectedNodes, progress).result();
  }

  /** {@link #run}, with what ran on which node. */
  public static Report runReporting(
      ActorSystem<?> system, Scenario scenario, Path runDir, int expectedNodes, ScenarioRun.Progress progress)
      throws IOException {
    return runReporting(system, scenario, runDir, expectedNodes, progress, NodeFaults.NONE);
  }

  /**
   * {@link #runReporting}, with the scenario's node faults carried out by {@code nodeFaults} when
   * the coordinator says they are due.
   */
  public static Report runReporting(
      ActorSystem<?> system, Scenario scenario, Path runDir, int expectedNodes, ScenarioRun.Progress progress,
      NodeFaults nodeFaults)
      throws IOException {
    ClusterServices services = ClusterServices.start(system);
    ScenarioRun.begin(scenario, runDir);
    String runId = UUID.randomUUID().toString();
    ActorRef<TraceWriter.Command> writer =
        scenario.run().trace() ? traceWriter(system, scenario, runDir.resolve(ScenarioRun.TRACE), runId) : null;
    CompletableFuture<ClusterResult> future = new CompletableFuture<>();
    RunClient.Progress seen = new RunClient.Progress();
    system.systemActorOf(
        RunClient.create(services.coordinator(), runId, ScenarioLoader.resolved(scenario), expectedNodes, writer, future,
            seen, nodeFaults),
        "dmaemu-run-client-" + runId,
        akka.actor.typed.Props.empty());
    ClusterResult result;
    TraceReport trace = TraceReport.none();
    try {
      result = await(future, seen, progress);
    } finally {
      if (writer != null && !system.getWhenTerminated().toCompletableFuture().isDone()) {
        trace = closeTrace(system, writer);
      }
    }
    progress.update(sumEnded(result), ScenarioRun.expectedRequests(scenario, (int) scenario.devices()));

    List<String> problems = new ArrayList<>(result.problems());
    List<ScenarioMetrics.Interval> intervals = writeIntervals(runDir, result, problems);
    writeNodes(runDir.resolve(NODES), result.nodes(), problems);
    ScenarioRun.Result written = ScenarioRun.finish(
        withLiveFaults(scenario, result.liveFaults(), problems), runDir, result.summary(), result.totals().decoded(),
        intervals, problems, trace.invariants());
    if (!result.nodeFaults().isEmpty()) {
      addNodeFaults(written.json(), result.nodeFaults());
      SummaryJson.write(runDir.resolve(ScenarioRun.SUMMARY), written.json());
    }
    return new Report(written, result.nodes(), result.nodeFaults());
  }

  /**
   * The scenario with the faults injected while it ran after its own, so that the summary counts
   * them as it counts planned ones. {@code config.resolved.conf}, written when the run began, keeps
   * the scenario as it was submitted: running it again does not inject them.
   */
  private static Scenario withLiveFaults(Scenario scenario, List<String> live, List<String> problems) {
    if (live.isEmpty()) {
      return scenario;
    }
    Path source = scenario.source() == null ? Path.of(scenario.name() + ".conf") : scenario.source();
    ScenarioLoader.Loaded all = ScenarioLoader.fromText(ScenarioLoader.resolved(scenario), source, live);
    if (!all.isValid()) {
      problems.add("the faults injected while the run ran do not read back: " + all.problems());
      return scenario;
    }
    List<Fault> faults = all.scenario().faults();
    return scenario.withFaults(faults.subList(scenario.faults().size(), faults.size()));
  }

  /** {@code nodeFaults[]} in summary.json: what became of each node fault. */
  private static void addNodeFaults(ObjectNode summary, List<ClusterResult.NodeFaultRecord> records) {
    ArrayNode array = summary.putArray("nodeFaults");
    for (ClusterResult.NodeFaultRecord r : records) {
      ObjectNode o = array.addObject();
      o.put("id", r.id());
      o.put("kind", r.kind());
      o.put("node", r.node());
      o.put("address", r.address());
      o.put("outcome", r.outcome());
      o.put("detail", r.detail());
      o.put("devicesLost", r.devicesLost());
      o.put("requestsAborted", r.requestsAborted());
      number(o, "removedAfterMillis", r.removedAfterMillis());
      number(o, "reclaimedAfterMillis", r.reclaimedAfterMillis());
      o.put("locksReclaimed", r.locksReclaimed());
      o.put("mapRegistersReclaimed", r.registersReclaimed());
    }
  }

  private static void number(ObjectNode o, String key, long millis) {
    if (millis < 0) {
      o.putNull(key);
    } else {
      o.put(key, millis);
    }
  }

  private static ClusterResult await(
      CompletableFuture<ClusterResult> future, RunClient.Progress seen, ScenarioRun.Progress progress) throws IOException {
    while (true) {
      progress.update(seen.ended().get(), seen.expected().get());
      try {
        return future.get(250, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // still running
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the cluster ran the scenario", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      }
    }
  }

  private static long sumEnded(ClusterResult result) {
    long n = 0;
    for (ClusterResult.NodeShare s : result.nodes()) {
      n += s.requestsEnded();
    }
    return n;
  }

  /** The merged intervals into metrics.csv and the .hlog files, as an embedded run's sampler writes them. */
  private static List<ScenarioMetrics.Interval> writeIntervals(Path runDir, ClusterResult result, List<String> problems) {
    // Every node's modeled time is 0 at the run's epoch: the files count from there.
    try (IntervalFiles files = new IntervalFiles(runDir, 0)) {
      for (MetricsData.Interval i : result.intervals()) {
        files.append(i.decoded());
      }
      return files.intervals();
    } catch (IOException e) {
      problems.add("cannot write the interval metrics: " + e.getMessage());
      return List.of();
    }
  }

  /** {@code nodes.csv}: what ran where, one row per node in the order of their numbers (the trace's pids). */
  private static void writeNodes(Path file, List<ClusterResult.NodeShare> nodes, List<String> problems) {
    List<ClusterResult.NodeShare> sorted = new ArrayList<>(nodes);
    sorted.sort(java.util.Comparator.comparingInt(ClusterResult.NodeShare::index));
    StringBuilder csv = new StringBuilder(
        "node,address,devices,requests_ended,adapter_lock_waits,map_register_waits,bus_waits,arbiters,"
            + "lost_by,lost_devices,open_requests\n");
    for (ClusterResult.NodeShare n : sorted) {
      csv.append(n.index()).append(',').append(n.node()).append(',').append(n.devices()).append(',')
          .append(n.requestsEnded()).append(',').append(n.adapterLockWaits()).append(',')
          .append(n.mapRegisterWaits()).append(',').append(n.busWaits()).append(',')
          .append(String.join(" ", n.arbiters())).append(',').append(n.lostBy()).append(',')
          .append(n.lostDevices()).append(',').append(n.openRequests()).append('\n');
    }
    try {
      Files.writeString(file, csv);
    } catch (IOException e) {
      problems.add("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static ActorRef<TraceWriter.Command> traceWriter(ActorSystem<?> system, Scenario scenario, Path file, String runId)
      throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), TRACE_BUFFER_BYTES);
    Map<String, String> facts = Map.of(
        "seed", Long.toString(scenario.run().seed()),
        "devices", Long.toString(scenario.devices()),
        "cycles", Integer.toString(scenario.power().cycles()),
        "timeScale", Double.toString(scenario.run().timeScale()));
    // pid 0 and no process of its own: every node's events arrive with the node's number as pid.
    return system.systemActorOf(
        TraceWriter.create(file.toString(), out, 0, null, facts), "dmaemu-trace-" + runId, TraceWriter.dispatcher());
  }

  private static TraceReport closeTrace(ActorSystem<?> system, ActorRef<TraceWriter.Command> writer) {
    try {
      return AskPattern.<TraceWriter.Command, TraceReport>ask(writer, TraceWriter.Close::new, CLOSE_TIMEOUT, system.scheduler())
          .toCompletableFuture()
          .exceptionally(failure -> new TraceReport(null, 0, "the trace writer did not close: " + failure.getMessage()))
          .join();
    } catch (RuntimeException stopping) {
      // The actor system stopped meanwhile: its scheduler takes no timeout any more.
      return new TraceReport(null, 0, "the trace writer did not close: " + stopping.getMessage());
    }
  }
}
