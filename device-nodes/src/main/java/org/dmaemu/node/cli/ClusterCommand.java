package org.dmaemu.node.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.Main;
import org.dmaemu.node.cluster.ClusterResult;
import org.dmaemu.node.cluster.ClusterRun;
import org.dmaemu.node.cluster.ClusterServices;
import org.dmaemu.node.cluster.NodeConfig;
import org.dmaemu.node.cluster.NodeConfig.Setting;
import org.dmaemu.node.scenario.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dmaemu cluster --nodes N SCENARIO}: a cluster of N JVMs on 127.0.0.1 for one run. This JVM
 * is node 1 (the seed, and where the run directory is written); it starts N-1 {@code dmaemu node}
 * processes, runs the scenario across all of them, and stops them all, whatever happens. It carries
 * out the scenario's node faults on its child processes ({@link ChildNodeFaults}): node {@code k} is
 * the {@code k}-th node in start order, which is also the order of their addresses, so that {@code
 * nodes.csv} numbers the nodes as the faults do.
 */
@Command(
    name = "cluster",
    description = {
      "Runs a SCENARIO on a cluster of N JVMs started on 127.0.0.1: this one and",
      "N-1 'dmaemu node' processes. Devices and shared adapters spread across the",
      "nodes (Cluster Sharding) and contend across the network; one run directory",
      "comes out with every node's results merged, as 'dmaemu run' writes it, plus",
      "nodes/HOST-PORT.log, each child node's log. All the nodes are stopped at the end.",
      "",
      "The scenario's node faults act on the child processes: node-crash (SIGKILL)",
      "and node-pause (SIGSTOP, then SIGCONT) of node 2..N, at their modeled time",
      "counted from when the devices start (docs/faults-cluster.md).",
      "",
      "Exit code: 0 the run passed its checks, 1 it failed them or the cluster",
      "failed (a node did not start or did not answer), 2 bad input.",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class ClusterCommand implements Callable<Integer> {

  /**
   * All the nodes share one machine: a heartbeat that comes late means a starved CPU, not a lost
   * node, so the failure detector tolerates longer pauses than Akka's 3 s before the split brain
   * resolver would down a node of a busy run.
   */
  static final String HEARTBEAT_PAUSE = "akka.cluster.failure-detector.acceptable-heartbeat-pause";

  static final String SAME_HOST_HEARTBEAT_PAUSE = "15s";

  /** How long a child node has to leave the cluster after SIGTERM before it is killed. */
  private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(20);

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (HOCON).")
  private Path scenario;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "JVMs in the cluster, 1 to 16 (default: ${DEFAULT-VALUE}).")
  private int nodes;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one key of the file (repeatable).")
  private List<String> sets = new ArrayList<>();

  @Option(
      names = "--fault",
      paramLabel = "FAULT",
      description = "Scenario only: add one fault to the scenario's fault plan, e.g. --fault lost-interrupt:probability=0.01 "
          + "(repeatable; syntax in docs/faults.md).")
  private List<String> faults = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "The run directory (default: run.output/NAME-TIMESTAMP).")
  private Path out;

  @Option(names = "--json", description = "Print summary.json on stdout instead of the table.")
  private boolean json;

  @Option(names = "--quiet", description = "Print the summary as one line, no progress bar.")
  private boolean quiet;

  @Option(
      names = "--node-heap",
      paramLabel = "SIZE",
      defaultValue = "1g",
      description = "Maximum heap of each child node, as java -Xmx takes it (default: ${DEFAULT-VALUE}).")
  private String nodeHeap;

  @Override
  public Integer call() {
    if (nodes < 1 || nodes > 16) {
      throw bad("--nodes must be from 1 to 16 (got " + nodes + ")");
    }
    if (!nodeHeap.matches("[0-9]+[kKmMgG]?")) {
      throw bad("--node-heap must be a size such as 512m or 2g (got " + nodeHeap + ")");
    }
    Scenario loaded = ScenarioInput.load(spec, scenario, ScenarioInput.overrides(spec, sets), faults);
    for (Fault.NodeFault f : loaded.faultPlan().ofType(Fault.NodeFault.class)) {
      if (f.node() > nodes) {
        throw bad("fault " + f.id() + " (" + f.kind().planName() + ") names node " + f.node() + ", but --nodes is " + nodes
            + ": nodes are numbered 1 (this JVM, which no fault may hit) to " + nodes);
      }
    }
    Path dir = out != null ? out : RunDirectories.fresh(loaded);
    PrintWriter err = spec.commandLine().getErr();
    List<Integer> ports;
    try {
      Files.createDirectories(dir.resolve("nodes"));
      ports = freePorts(nodes);
      // Node k is the k-th in start order and in address order alike (the coordinator numbers nodes by
      // address): ports of one length order as their text does.
      ports.sort(java.util.Comparator.comparing((Integer port) -> Integer.toString(port).length())
          .thenComparing(port -> port));
    } catch (IOException e) {
      throw bad("cannot prepare the run directory " + dir + ": " + RunCommand.reason(e));
    }
    String seed = NodeConfig.DEFAULT_HOST + ":" + ports.get(0);
    NodeConfig self = NodeConfig.from(settings(ports.get(0), seed), Map.of());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME,
        ConfigFactory.parseString(HEARTBEAT_PAUSE + " = " + SAME_HOST_HEARTBEAT_PAUSE)
            .withFallback(self.resolve(ConfigFactory.load(), false)));
    List<Process> children = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int port : ports) {
      addresses.add("akka://" + NodeConfig.SYSTEM_NAME + "@" + NodeConfig.DEFAULT_HOST + ":" + port);
    }
    Thread killChildren = new Thread(() -> children.forEach(Process::destroyForcibly), "dmaemu-cluster-children");
    Runtime.getRuntime().addShutdownHook(killChildren);
    ChildNodeFaults nodeFaults = new ChildNodeFaults(addresses, children, logs, err);
    try {
      ClusterServices.start(system);
      for (int k = 2; k <= nodes; k++) {
        int port = ports.get(k - 1);
        Path log = dir.resolve("nodes").resolve(NodeConfig.DEFAULT_HOST + "-" + port + ".log");
        logs.add(log);
        children.add(startNode(port, seed, log));
      }
      if (!quiet && !json) {
        err.printf("dmaemu cluster: %d nodes on %s, ports %s; child logs in %s%n",
            nodes, NodeConfig.DEFAULT_HOST, ports, dir.resolve("nodes"));
        for (int k = 2; k <= nodes; k++) {
          err.printf("dmaemu cluster: node %d is pid %d (%s)%n", k, children.get(k - 2).pid(), addresses.get(k - 1));
        }
        err.flush();
      }
      ClusterRun.Report report;
      try (ProgressReporter progress = ProgressReporter.open(err, quiet || json)) {
        report = ClusterRun.runReporting(system, loaded, dir, nodes, progress, nodeFaults);
      }
      int exit = ScenarioOutput.print(spec.commandLine().getOut(), err, report.result(), dir, quiet, json);
      if (!quiet && !json) {
        printShares(spec.commandLine().getOut(), report.nodes());
      }
      printNodeFaults(err, report.nodeFaults());
      return exit;
    } catch (IOException e) {
      throw bad("cannot write the run directory " + dir + ": " + RunCommand.reason(e));
    } catch (IllegalStateException e) {
      err.println("dmaemu cluster: the run did not complete: " + e.getMessage()
          + " (child logs in " + dir.resolve("nodes") + ")");
      return Main.RUN_FAILED;
    } finally {
      // A stopped process cannot act on SIGTERM: every paused node is continued before the nodes stop.
      nodeFaults.close();
      stopAll(children);
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      try {
        Runtime.getRuntime().removeShutdownHook(killChildren);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting already; the hook runs
      }
    }
  }

  private static Map<Setting, String> settings(int port, String seed) {
    Map<Setting, String> s = new EnumMap<>(Setting.class);
    s.put(Setting.HOST, NodeConfig.DEFAULT_HOST);
    s.put(Setting.PORT, Integer.toString(port));
    s.put(Setting.SEED_NODES, seed);
    return s;
  }

  /** A node: {@code dmaemu node} in a JVM of its own, from the same class path as this one. */
  private Process startNode(int port, String seed, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = List.of(
        java, "-Xmx" + nodeHeap, "-D" + HEARTBEAT_PAUSE + "=" + SAME_HOST_HEARTBEAT_PAUSE,
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "node",
        "--host", NodeConfig.DEFAULT_HOST, "--port", Integer.toString(port), "--seed-nodes", seed,
        "--join-timeout", "60s");
    // Appending, so that the lines this command adds to the log (node faults) are not overwritten.
    Files.deleteIfExists(log);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Flags name everything a node needs; a DMAEMU_* variable meant for another node must not leak in.
    builder.environment().keySet().removeIf(name -> name.startsWith("DMAEMU_"));
    return builder.start();
  }

  /** SIGTERM (each node leaves the cluster), then a bounded wait, then SIGKILL for any that did not exit. */
  private static void stopAll(List<Process> children) {
    children.forEach(Process::destroy);
    long deadline = System.nanoTime() + LEAVE_TIMEOUT.toNanos();
    for (Process p : children) {
      try {
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  /** {@code n} ports free on 127.0.0.1 now (each bound once by the system, then released). */
  static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getByName(NodeConfig.DEFAULT_HOST)));
      }
      List<Integer> ports = new ArrayList<>(n);
      for (ServerSocket s : sockets) {
        ports.add(s.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static void printShares(PrintWriter out, List<ClusterResult.NodeShare> nodes) {
    List<ClusterResult.NodeShare> shares = new ArrayList<>(nodes);
    shares.sort(java.util.Comparator.comparingInt(ClusterResult.NodeShare::index));
    out.println();
    out.println("node  devices  requests ended  arbiters");
    for (ClusterResult.NodeShare s : shares) {
      out.printf(Locale.ROOT, "%4d  %7d  %14d  %s  (%s)%n",
          s.index(), s.devices(), s.requestsEnded(), s.arbiters().isEmpty() ? "-" : String.join(", ", s.arbiters()), s.node());
    }
    out.flush();
  }

  /** What became of each node fault: one line each on stderr. */
  private static void printNodeFaults(PrintWriter err, List<ClusterResult.NodeFaultRecord> records) {
    for (ClusterResult.NodeFaultRecord r : records) {
      StringBuilder b = new StringBuilder("dmaemu cluster: fault ").append(r.id()).append(" (").append(r.kind())
          .append(" of node ").append(r.node()).append("): ").append(r.outcome()).append(": ").append(r.detail());
      if (r.outcome().equals("executed") && (r.kind().equals("node-crash") || r.removedAfterMillis() >= 0)) {
        b.append(String.format(Locale.ROOT, "; %d devices lost, %d requests aborted", r.devicesLost(), r.requestsAborted()));
        b.append(r.removedAfterMillis() >= 0
            ? String.format(Locale.ROOT, "; node removed %.1f s after the signal", r.removedAfterMillis() / 1000.0)
            : "; the node was not removed before the run ended");
        if (r.reclaimedAfterMillis() >= 0) {
          b.append(String.format(Locale.ROOT, "; shared adapters took back %d locks and %d map registers %.1f s after it",
              r.locksReclaimed(), r.registersReclaimed(), r.reclaimedAfterMillis() / 1000.0));
        }
      }
      err.println(b);
    }
    err.flush();
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
