package org.dmaemu.node.output;

import org.dmaemu.fault.Fault;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.dmaemu.node.metrics.Distribution;
import org.dmaemu.node.metrics.Fairness;
import org.dmaemu.node.metrics.Occupancy;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics.Metric;
import org.dmaemu.node.run.RuleCount;
import org.dmaemu.node.run.RunSummary;

/**
 * {@code summary.json}: the run's totals in the stable schema {@value #SCHEMA} that
 * {@code docs/outputs.md} documents. Rates are per second of measured modeled time (the run's
 * modeled time after the warm-up).
 */
public final class SummaryJson {

  public static final String SCHEMA = "dmaemu-summary/1";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SummaryJson() {}

  /** What a run knows when it ends. */
  public record Inputs(
      String scenarioName,
      String scenarioFile,
      long seed,
      List<GroupFacts> groups,
      RunSummary run,
      ScenarioMetrics.Totals totals,
      double modeledSeconds,
      double measuredSeconds,
      double timeScale,
      List<String> failedChecks,
      List<Fault> faults) {

    /** A run without faults. */
    public Inputs(
        String scenarioName, String scenarioFile, long seed, List<GroupFacts> groups, RunSummary run,
        ScenarioMetrics.Totals totals, double modeledSeconds, double measuredSeconds, double timeScale,
        List<String> failedChecks) {
      this(scenarioName, scenarioFile, seed, groups, run, totals, modeledSeconds, measuredSeconds, timeScale, failedChecks,
          List.of());
    }
  }

  /** What the scenario says of a group. */
  public record GroupFacts(String name, int devices, String driver, String adapterDomain, String bus, String registerPolicy, String lockPolicy) {}

  public static ObjectNode build(Inputs in) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    ObjectNode scenario = root.putObject("scenario");
    scenario.put("name", in.scenarioName());
    scenario.put("file", in.scenarioFile());
    scenario.put("seed", in.seed());
    scenario.put("resolvedConfig", "config.resolved.conf");

    RunSummary r = in.run();
    ObjectNode run = root.putObject("run");
    run.put("wallSeconds", r.wallTime().toNanos() / 1e9);
    run.put("modeledSeconds", in.modeledSeconds());
    run.put("measuredSeconds", in.measuredSeconds());
    run.put("timeScale", in.timeScale());
    run.put("checksPassed", in.failedChecks().isEmpty());
    ArrayNode failed = run.putArray("failedChecks");
    in.failedChecks().forEach(failed::add);

    ObjectNode devices = root.putObject("devices");
    devices.put("total", r.devices());
    devices.put("accounted", r.accounted());
    devices.put("completedScript", r.completed());
    devices.put("failed", r.failed());
    devices.put("hung", r.hung());
    devices.put("crashed", r.crashed());
    devices.put("surpriseRemoved", r.surpriseRemoved());
    devices.put("powerCycles", r.cyclesCompleted());
    devices.put("unaccounted", r.unaccounted());
    devices.put("lostWithNode", r.lostWithNode());

    long submitted = 0;
    long completed = 0;
    long failedRequests = 0;
    long cancelled = 0;
    long aborted = 0;
    long measuredCompleted = 0;
    long measuredBytes = 0;
    for (ScenarioMetrics.GroupWindow g : in.totals().groups()) {
      submitted += g.submitted();
      completed += g.completed();
      failedRequests += g.failed();
      cancelled += g.cancelled();
      aborted += in.totals().faults().aborted(g.group());
      measuredCompleted += g.measuredCompleted();
      measuredBytes += g.measuredBytes();
    }
    ObjectNode accounting = root.putObject("accounting");
    accounting.put("submitted", submitted);
    accounting.put("completed", completed);
    accounting.put("failed", failedRequests);
    accounting.put("cancelled", cancelled);
    accounting.put("aborted", aborted);
    ObjectNode byFault = accounting.putObject("abortedByFault");
    for (Fault f : in.faults()) {
      byFault.put(f.id(), in.totals().faults().abortedBy(f.id()));
    }
    long unaccounted = submitted - completed - failedRequests - cancelled - aborted;
    accounting.put("unaccounted", unaccounted);
    accounting.put("balanced", unaccounted == 0);

    ArrayNode faults = root.putArray("faults");
    for (Fault f : in.faults()) {
      ObjectNode o = faults.addObject();
      o.put("id", f.id());
      o.put("fault", f.describe());
      o.put("injected", in.totals().faults().injected().getOrDefault(f.id(), 0L));
      o.put("devices", in.totals().faults().devices().getOrDefault(f.id(), 0L));
      o.put("abortedRequests", in.totals().faults().abortedBy(f.id()));
    }

    ObjectNode throughput = root.putObject("throughput");
    throughput.put("transactionsPerSecond", rate(measuredCompleted, in.measuredSeconds()));
    throughput.put("bytesPerSecond", rate(measuredBytes, in.measuredSeconds()));

    ArrayNode groups = root.putArray("groups");
    for (int i = 0; i < in.totals().groups().size(); i++) {
      ScenarioMetrics.GroupWindow g = in.totals().groups().get(i);
      GroupFacts facts = in.groups().get(i);
      ObjectNode o = groups.addObject();
      o.put("name", g.group());
      o.put("devices", facts.devices());
      o.put("driver", facts.driver());
      o.put("adapterDomain", facts.adapterDomain());
      o.put("bus", facts.bus());
      o.put("mapRegisterPolicy", facts.registerPolicy());
      o.put("adapterLockPolicy", facts.lockPolicy());
      o.put("submitted", g.submitted());
      o.put("completed", g.completed());
      o.put("failed", g.failed());
      o.put("cancelled", g.cancelled());
      o.put("aborted", in.totals().faults().aborted(g.group()));
      ObjectNode groupByFault = o.putObject("abortedByFault");
      in.totals().faults().abortedByGroup().getOrDefault(g.group(), Map.of()).forEach(groupByFault::put);
      ObjectNode byStatus = o.putObject("failuresByStatus");
      in.totals().failuresByGroup().getOrDefault(g.group(), Map.of()).forEach(byStatus::put);
      o.put("transactionsPerSecond", rate(g.measuredCompleted(), in.measuredSeconds()));
      o.put("bytesPerSecond", rate(g.measuredBytes(), in.measuredSeconds()));
      for (Metric m : Metric.values()) {
        distribution(o.putObject(camel(m.fileName) + "Micros"), g.histograms().get(m));
      }
      double[] shares = deviceShares(in.totals(), g.group(), in.measuredSeconds());
      ObjectNode fairness = o.putObject("fairness");
      number(fairness, "jainIndex", Fairness.jain(shares));
      number(fairness, "minDeviceTransactionsPerSecond", min(shares));
      number(fairness, "maxDeviceTransactionsPerSecond", max(shares));
    }

    ArrayNode arbiters = root.putArray("arbiters");
    for (ScenarioMetrics.ArbiterWindow a : in.totals().arbiters()) {
      ObjectNode o = arbiters.addObject();
      o.put("kind", a.kind());
      o.put("name", a.name());
      occupancy(o, "mapRegisters", a.registers());
      occupancy(o, a.kind().equals("bus") ? "bus" : "adapterLock", a.lock());
    }

    ObjectNode longest = root.putObject("longestWait");
    ScenarioMetrics.Wait w = in.totals().longestWait();
    if (w != null) {
      longest.put("micros", w.micros());
      longest.put("device", w.deviceId());
      longest.put("for", w.what());
      longest.put("arbiter", w.arbiterId());
    }

    ArrayNode bugChecks = root.putArray("bugChecks");
    for (RuleCount rc : r.bugChecks()) {
      ObjectNode o = bugChecks.addObject();
      o.put("rule", rc.rule());
      o.put("count", rc.count());
      // Those a planned fault explains (a transaction callback the plan hung): they fail no check.
      o.put("planned",
          r.plannedBugChecks().stream().filter(p -> p.rule().equals(rc.rule())).mapToLong(RuleCount::count).sum());
    }
    ObjectNode leaks = root.putObject("leaks");
    leaks.put("leakReports", in.totals().leakReports());
    leaks.put("mapRegistersLeaked", in.totals().registersLeaked());
    root.put("devicesFile", "devices.csv");
    return root;
  }

  public static void write(Path file, ObjectNode summary) throws IOException {
    JSON.writeValue(file.toFile(), summary);
  }

  public static String toJson(ObjectNode summary) {
    try {
      return JSON.writeValueAsString(summary);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each device's transactions per second of its active time, for the fairness index. */
  static double[] deviceShares(ScenarioMetrics.Totals totals, String group, double seconds) {
    List<Double> shares = new ArrayList<>();
    totals.devices().forEach((id, d) -> {
      if (d.group().equals(group)) {
        shares.add(d.transactionsPerSecond());
      }
    });
    return shares.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void distribution(ObjectNode o, Histogram h) {
    Distribution d = Distribution.of(h);
    o.put("count", d.count());
    o.put("mean", d.mean());
    o.put("p50", d.p50());
    o.put("p90", d.p90());
    o.put("p99", d.p99());
    o.put("p999", d.p999());
    o.put("max", d.max());
  }

  private static void occupancy(ObjectNode parent, String name, Occupancy.Window w) {
    if (w.capacityIntegral() <= 0) {
      return;
    }
    ObjectNode o = parent.putObject(name);
    o.put("utilization", w.utilization());
    o.put("meanQueueDepth", w.meanWaiting());
    o.put("maxQueueDepth", w.maxWaiting());
  }

  static double rate(long n, double seconds) {
    return seconds <= 0 ? 0 : n / seconds;
  }

  private static void number(ObjectNode o, String key, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(key);
    } else {
      o.put(key, v);
    }
  }

  private static double min(double[] xs) {
    double m = Double.NaN;
    for (double x : xs) {
      m = Double.isNaN(m) ? x : Math.min(m, x);
    }
    return m;
  }

  private static double max(double[] xs) {
    double m = Double.NaN;
    for (double x : xs) {
      m = Double.isNaN(m) ? x : Math.max(m, x);
    }
    return m;
  }

  /** {@code adapter-lock-wait} → {@code adapterLockWait}. */
  static String camel(String kebab) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }
}
