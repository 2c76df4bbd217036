package org.dmaemu.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.typesafe.config.ConfigFactory;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioRun;
import picocli.CommandLine;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import akka.actor.typed.ActorSystem;
import org.dmaemu.node.Main;
import org.dmaemu.node.cluster.ClusterRun;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.node.run.RunHandle;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.trace.TraceReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dmaemu run [SCENARIO]}: with a scenario file, runs it and writes its run directory; without
 * one, the built-in power-cycle run. One JVM; the summary on stdout.
 */
@Command(
    name = "run",
    description = {
      "With a SCENARIO file (docs/scenarios.md): checks it, runs it in this JVM and",
      "writes a run directory (summary.json, metrics.csv, *.hlog, trace.json,",
      "config.resolved.conf, devices.csv, report.html); a summary table on stdout,",
      "a progress bar on stderr.",
      "",
      "Without one: the built-in run. N emulated devices go through their PnP and",
      "power life, with DMA traffic on the DMA devices.",
      "",
      "The emulated PnP manager sends every device AddDevice, StartDevice,",
      "CYCLES x (SetDevicePower(D3), SetDevicePower(D0)) and RemoveDevice, each",
      "request when the previous one returned. 70% of the devices run a reference",
      "DMA driver (scatter-gather, packet on DMA v2 and v3, reserving packet,",
      "system DMA) whose I/O requests run after StartDevice, before the next",
      "request. The drivers fail or hang a small, seeded share of power callbacks;",
      "a device whose request failed, hung, crashed or was rejected gets no",
      "further request. The summary goes to stdout.",
      "",
      "Exit code: 0 the run passed its checks (every device reached a final answer,",
      "no map register leaked, no bug check, no invariant violation in the trace),",
      "1 it failed them, 2 bad input.",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class RunCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "A scenario file (HOCON).")
  private Path scenario;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Scenario only: override one key of the file, e.g. --set run.seed=7 (repeatable).")
  private List<String> sets = new ArrayList<>();

  @Option(
      names = "--fault",
      paramLabel = "FAULT",
      description = "Scenario only: add one fault to the scenario's fault plan, e.g. --fault lost-interrupt:probability=0.01 "
          + "(repeatable; syntax in docs/faults.md).")
  private List<String> faults = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Scenario only: the run directory (default: run.output/NAME-TIMESTAMP).")
  private Path out;

  @Option(names = "--json", description = "Scenario only: print summary.json on stdout instead of the table.")
  private boolean json;

  @Option(
      names = "--seed",
      paramLabel = "LONG",
      defaultValue = "1",
      description = "Run seed: the same seed gives the same per-device outcomes (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(
      names = "--devices",
      paramLabel = "INT",
      defaultValue = "1000",
      description = "Number of devices, at least 1 (default: ${DEFAULT-VALUE}).")
  private int devices;

  @Option(
      names = "--cycles",
      paramLabel = "INT",
      defaultValue = "3",
      description = "D0 -> D3 -> D0 cycles per device, at least 0 (default: ${DEFAULT-VALUE}).")
  private int cycles;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description = "Write a Chrome Trace Event file (opens in Perfetto or chrome://tracing).")
  private Path trace;

  @Option(
      names = "--time-scale",
      paramLabel = "DOUBLE",
      defaultValue = "1.0",
      description =
          "Emulated microseconds per real microsecond, > 0; 10 runs modeled delays and hang deadlines"
              + " ten times faster (default: ${DEFAULT-VALUE}).")
  private double timeScale;

  @Option(names = "--quiet", description = "Print the summary as one line.")
  private boolean quiet;

  @Option(
      names = "--join",
      paramLabel = "HOST:PORT,...",
      description = "Scenario only: run it on a running dmaemu cluster (docs/deploy.md) instead of in this"
          + " JVM. This JVM joins through these seed nodes as a client (role client: it hosts no device),"
          + " submits the scenario, writes the run directory here, and leaves.")
  private String join;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "1",
      description = "With --join: start once N device-hosting nodes are up (default: ${DEFAULT-VALUE}; the run"
          + " uses every node up by then).")
  private int nodes;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "With --join: the address the cluster's nodes reach this JVM at (default: 127.0.0.1).")
  private String host;

  @Override
  public Integer call() {
    if (scenario != null) {
      return runScenario();
    }
    if (!sets.isEmpty() || !faults.isEmpty() || out != null || json || join != null) {
      throw bad("--set, --fault, --out, --json and --join need a SCENARIO file");
    }
    PowerCycleRun.Options options = options();
    RunHandle run;
    try {
      run = PowerCycleRun.start(options);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot write trace file " + trace + ": " + reason(e));
    }
    // The one place that waits: the edge of the actor system.
    RunSummary summary;
    try {
      summary = run.summary().toCompletableFuture().join();
    } catch (CompletionException stopped) {
      // Stopped from outside (SIGTERM, Ctrl-C): the shutdown hook closes the trace; there is no summary.
      TraceReport closed = run.terminate().toCompletableFuture().join();
      spec.commandLine().getErr().println("dmaemu: the run was stopped before it ended"
          + (closed.file() == null ? "" : "; trace " + closed.file() + " holds what happened until then"));
      return Main.RUN_FAILED;
    }
    TraceReport traceReport = run.terminate().toCompletableFuture().join();

    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.print(quiet ? SummaryTable.line(summary, traceReport) + "\n" : SummaryTable.table(summary, traceReport));
    out.flush();
    int exit = Main.OK;
    for (String failedCheck : summary.failedChecks()) {
      err.printf("dmaemu: %s%n", failedCheck);
      exit = Main.RUN_FAILED;
    }
    if (traceReport.file() != null && traceReport.error() != null) {
      err.printf("dmaemu: trace file %s is incomplete: %s%n", traceReport.file(), traceReport.error());
      exit = Main.RUN_FAILED;
    }
    if (traceReport.invariants().failedCheck() != null) {
      err.printf("dmaemu: %s (dmaemu check %s shows them)%n", traceReport.invariants().failedCheck(), traceReport.file());
      exit = Main.RUN_FAILED;
    }
    return exit;
  }

  private Integer runScenario() {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (String builtIn : List.of("--seed", "--devices", "--cycles", "--trace", "--time-scale")) {
      if (parsed.hasMatchedOption(builtIn)) {
        throw bad(builtIn + " applies to the built-in run; with a scenario, set it in the file or with --set"
            + " (e.g. --set run.seed=7, --set topology.groups.NAME.count=16)");
      }
    }
    if (join == null && (parsed.hasMatchedOption("--nodes") || parsed.hasMatchedOption("--host"))) {
      throw bad("--nodes and --host go with --join (a run on a cluster); 'dmaemu cluster --nodes N' starts one here");
    }
    if (nodes < 1) {
      throw bad("--nodes must be at least 1 (got " + nodes + ")");
    }
    Scenario loaded = ScenarioInput.load(spec, scenario, ScenarioInput.overrides(spec, sets), faults);
    for (Fault.NodeFault f : loaded.faultPlan().ofType(Fault.NodeFault.class)) {
      throw bad("fault " + f.id() + " (" + f.kind().planName() + ") needs the node processes of 'dmaemu cluster --nodes N'"
          + (join == null ? ": this run has one JVM" : ": on a cluster you started, stop or kill the node yourself"));
    }
    Path dir = out != null ? out : RunDirectories.fresh(loaded);
    PrintWriter err = spec.commandLine().getErr();
    ScenarioRun.Result result;
    try (ProgressReporter progress = ProgressReporter.open(err, quiet || json)) {
      result = join == null ? ScenarioRun.run(loaded, dir, ConfigFactory.load(), progress) : runJoined(loaded, dir, progress);
    } catch (IOException e) {
      throw bad("cannot write the run directory " + dir + ": " + reason(e));
    } catch (IllegalStateException e) {
      err.println("dmaemu: the cluster did not complete the run: " + e.getMessage());
      return Main.RUN_FAILED;
    }
    return ScenarioOutput.print(spec.commandLine().getOut(), err, result, dir, quiet, json);
  }

  /** As a client member of a running cluster: submit, wait, write the run directory here, leave. */
  private ScenarioRun.Result runJoined(Scenario loaded, Path dir, ScenarioRun.Progress progress) throws IOException {
    ActorSystem<Void> system = ClientNode.join(spec, join, host);
    try {
      return ClusterRun.run(system, loaded, dir, nodes, progress);
    } finally {
      ClientNode.leave(system);
    }
  }

  private PowerCycleRun.Options options() {
    if (devices < 1) {
      throw bad("--devices must be at least 1 (got " + devices + ")");
    }
    if (cycles < 0) {
      throw bad("--cycles must be at least 0 (got " + cycles + ")");
    }
    if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
      throw bad("--time-scale must be a positive number (got " + timeScale + ")");
    }
    if (trace != null && trace.toString().isBlank()) {
      throw bad("--trace needs a file name");
    }
    return new PowerCycleRun.Options(seed, devices, cycles, trace, timeScale, false);
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
