package org.dmaemu.node.scenario;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dmaemu.node.check.CheckOutput;
import org.dmaemu.node.check.InvariantReport;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.output.MetricsSampler;
import org.dmaemu.node.output.SummaryJson;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.run.RunHandle;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.trace.TraceReport;

/**
 * Runs a scenario on this JVM and writes its run directory (DESIGN §7): {@code
 * config.resolved.conf} first, then, while it runs, {@code trace.json}, {@code metrics.csv} and the
 * {@code .hlog} files, and at the end {@code summary.json}, {@code devices.csv} and {@code
 * report.html}. Blocks the calling thread: this is the edge (the CLI, a sweep, a test).
 */
public final class ScenarioRun {

  public static final String RESOLVED = "config.resolved.conf";
  public static final String SUMMARY = "summary.json";
  public static final String DEVICES = "devices.csv";
  public static final String TRACE = "trace.json";
  public static final String REPORT = "report.html";

  private ScenarioRun() {}

  /** What a run produced. {@code exitCode}: 0 when every check passed, 1 otherwise. */
  public record Result(
      Path runDir,
      RunSummary summary,
      ScenarioMetrics.Totals totals,
      List<ScenarioMetrics.Interval> intervals,
      ObjectNode json,
      List<String> failedChecks) {

    public int exitCode() {
      return failedChecks.isEmpty() ? 0 : 1;
    }
  }

  /** Progress as the run sees it: requests ended so far, and the total if the scenario fixes one. */
  public interface Progress {
    Progress NONE = (ended, expected) -> {};

    void update(long ended, long expected);
  }

  public static Result run(Scenario scenario, Path runDir, Config config, Progress progress) throws IOException {
    begin(scenario, runDir);
    ScenarioWorkload workload = new ScenarioWorkload(scenario, runDir);
    PowerCycleRun.Options options =
        PowerCycleRun.Options.defaults()
            .withSeed(scenario.run().seed())
            .withDevices(workload.devices())
            .withCycles(scenario.power().cycles())
            .withTrace(scenario.run().trace() ? runDir.resolve(TRACE) : null)
            .withTimeScale(scenario.run().timeScale());
    RunHandle handle = PowerCycleRun.start(options, workload, config);
    ActorSystem<?> system = handle.system();
    for (Fault.ArbiterCrash crash : scenario.faultPlan().ofType(Fault.ArbiterCrash.class)) {
      handle.crashAdapterDomain(crash.adapterDomain(), crash.id(), crash.at());
    }
    long expected = expectedRequests(scenario, workload.devices());
    CompletableFuture<RunSummary> summaryFuture = handle.summary().toCompletableFuture();
    while (!summaryFuture.isDone()) {
      ScenarioWorkload w = workload.prepared();
      if (w != null) {
        progress.update(w.metrics().ended(), expected);
      }
      try {
        summaryFuture.get(250, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // still running
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        break;
      }
    }
    RunSummary summary = summaryFuture.join();
    ScenarioWorkload running = workload.prepared();
    progress.update(running.metrics().ended(), expected);
    MetricsSampler.Finished finished =
        AskPattern.<MetricsSampler.Command, MetricsSampler.Finished>ask(
                running.sampler(), MetricsSampler.Finish::new, Duration.ofSeconds(30), system.scheduler())
            .toCompletableFuture()
            .join();
    TraceReport trace = handle.terminate().toCompletableFuture().join();

    return finish(
        scenario, runDir, summary, finished.totals(), finished.intervals(),
        finished.error() == null ? List.of() : List.of(finished.error()), trace.invariants());
  }

  /** Creates the run directory and writes {@code config.resolved.conf}: the first thing a run does. */
  public static void begin(Scenario scenario, Path runDir) throws IOException {
    Files.createDirectories(runDir);
    Files.writeString(runDir.resolve(RESOLVED), ScenarioLoader.resolved(scenario), StandardCharsets.UTF_8);
  }

  /**
   * Writes what a run directory gets at the end — {@code summary.json}, {@code devices.csv}, {@code
   * report.html} — from a run's totals and intervals: one node's (an embedded run), or every node's
   * merged (a cluster run). The interval files are written by then.
   *
   * @param intervals the run's intervals, as {@link org.dmaemu.node.output.IntervalFiles#intervals()} keeps them
   * @param moreFailedChecks failures the run found beside the summary's checks (e.g. an output it could not write)
   */
  public static Result finish(
      Scenario scenario,
      Path runDir,
      RunSummary summary,
      ScenarioMetrics.Totals totals,
      List<ScenarioMetrics.Interval> intervals,
      List<String> moreFailedChecks)
      throws IOException {
    return finish(scenario, runDir, summary, totals, intervals, moreFailedChecks, InvariantReport.notTraced());
  }

  /**
   * As above, with what the live invariant check found in the run's trace: summary.json gets it as
   * {@code invariants}, and a violation that no planned fault explains fails the run.
   */
  public static Result finish(
      Scenario scenario,
      Path runDir,
      RunSummary summary,
      ScenarioMetrics.Totals totals,
      List<ScenarioMetrics.Interval> intervals,
      List<String> moreFailedChecks,
      InvariantReport invariants)
      throws IOException {
    long origin = intervals.isEmpty() ? 0 : intervals.get(0).startMicros();
    long end = intervals.isEmpty() ? 0 : intervals.get(intervals.size() - 1).endMicros();
    double modeled = (end - origin) / 1e6;
    double measured = Math.max(0, modeled - scenario.run().warmUp().toNanos() / 1e9);
    List<String> failedChecks = new ArrayList<>(summary.failedChecks());
    failedChecks.addAll(moreFailedChecks);
    invariantCheck(failedChecks, invariants);
    List<SummaryJson.GroupFacts> facts = new ArrayList<>();
    for (GroupSpec g : scenario.groups()) {
      facts.add(new SummaryJson.GroupFacts(
          g.name(), g.count(), g.driver().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          g.adapterDomain() == null ? "per-enabler" : g.adapterDomain(), g.bus() == null ? "none" : g.bus(),
          g.adapterDomain() == null ? g.registerPolicy() : domainPolicy(scenario, g.adapterDomain(), false),
          g.adapterDomain() == null ? g.lockPolicy() : domainPolicy(scenario, g.adapterDomain(), true)));
    }
    long unaccounted = 0;
    for (ScenarioMetrics.GroupWindow g : totals.groups()) {
      unaccounted += g.submitted() - g.completed() - g.failed() - g.cancelled() - totals.faults().aborted(g.group());
    }
    if (unaccounted != 0) {
      failedChecks.add(unaccounted + " DMA requests unaccounted (submitted but never ended)");
    }
    ObjectNode json = SummaryJson.build(new SummaryJson.Inputs(
        scenario.name(), String.valueOf(scenario.source()), scenario.run().seed(), facts, summary, totals,
        modeled, measured, scenario.run().timeScale(), failedChecks, scenario.faults()));
    withInvariants(json, invariants);
    SummaryJson.write(runDir.resolve(SUMMARY), json);
    DevicesCsv.write(runDir.resolve(DEVICES), totals);
    Result result = new Result(runDir, summary, totals, intervals, json, List.copyOf(failedChecks));
    RunReport.write(runDir.resolve(REPORT), scenario, result);
    return result;
  }

  /** Invariant violations that no planned fault explains fail the run (docs/checks.md). */
  private static void invariantCheck(List<String> failedChecks, InvariantReport invariants) {
    String failed = invariants.failedCheck();
    if (failed != null) {
      failedChecks.add(failed);
    }
  }

  /** summary.json's {@code invariants}: counts per class and the first few violations. */
  private static void withInvariants(ObjectNode json, InvariantReport invariants) {
    json.set("invariants", CheckOutput.summary(invariants, 5));
  }

  private static String domainPolicy(Scenario scenario, String domain, boolean lock) {
    for (AdapterDomainSpec d : scenario.topology().adapterDomains()) {
      if (d.name().equals(domain)) {
        return lock ? d.lockPolicy() : d.policy();
      }
    }
    return "fifo";
  }

  /** Requests the run will see in all, or 0 when a duration decides. */
  public static long expectedRequests(Scenario scenario, int devices) {
    if (scenario.run().duration() != null) {
      return 0;
    }
    return scenario.run().requests() * devices;
  }
}
