package org.dmaemu.node.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics.Metric;
import org.dmaemu.node.report.BarChart;
import org.dmaemu.node.report.Block;
import org.dmaemu.node.report.CdfChart;
import org.dmaemu.node.report.KeyValues;
import org.dmaemu.node.report.LineChart;
import org.dmaemu.node.report.Point;
import org.dmaemu.node.report.Report;
import org.dmaemu.node.report.ReportPage;
import org.dmaemu.node.report.Section;
import org.dmaemu.node.report.Series;
import org.dmaemu.node.report.Table;

/**
 * {@code report.html} of a scenario run: who waited, for what, how long, and how fair it was —
 * throughput over time, wait-time CDFs per group (and its policy), per-device throughput with
 * Jain's index, register and lock utilization over time.
 */
final class RunReport {
  private RunReport() {}

  static void write(Path file, Scenario scenario, ScenarioRun.Result result) throws IOException {
    ReportPage.write(file, build(scenario, result));
  }

  static Report build(Scenario scenario, ScenarioRun.Result result) {
    JsonNode json = result.json();
    List<Section> sections = new ArrayList<>();
    sections.add(overview(scenario, result, json));
    sections.add(throughput(result));
    sections.add(waits(result, json));
    sections.add(fairness(result, json));
    sections.add(arbiters(result, json));
    String subtitle = String.format(Locale.ROOT, "seed %d · %d devices in %d groups · %s modeled s · %s",
        scenario.run().seed(), json.path("devices").path("total").asInt(), scenario.groups().size(),
        num(json.path("run").path("modeledSeconds").asDouble()),
        result.failedChecks().isEmpty() ? "checks passed" : "CHECKS FAILED");
    return new Report("dmaemu run: " + scenario.name(), subtitle, sections);
  }

  private static Section overview(Scenario scenario, ScenarioRun.Result result, JsonNode json) {
    JsonNode acc = json.path("accounting");
    List<KeyValues.Row> rows = new ArrayList<>();
    rows.add(new KeyValues.Row("scenario file", String.valueOf(scenario.source())));
    rows.add(new KeyValues.Row("seed", Long.toString(scenario.run().seed())));
    rows.add(new KeyValues.Row("wall time (s)", num(json.path("run").path("wallSeconds").asDouble())));
    rows.add(new KeyValues.Row("modeled time (s)", num(json.path("run").path("modeledSeconds").asDouble())));
    rows.add(new KeyValues.Row("measured after warm-up (s)", num(json.path("run").path("measuredSeconds").asDouble())));
    rows.add(new KeyValues.Row("requests submitted", count(acc.path("submitted").asLong())));
    rows.add(new KeyValues.Row("completed / failed / cancelled / aborted",
        count(acc.path("completed").asLong()) + " / " + count(acc.path("failed").asLong()) + " / "
            + count(acc.path("cancelled").asLong()) + " / " + count(acc.path("aborted").asLong())));
    rows.add(new KeyValues.Row("unaccounted", count(acc.path("unaccounted").asLong())));
    JsonNode devices = json.path("devices");
    rows.add(new KeyValues.Row("power cycles / devices surprise-removed",
        count(devices.path("powerCycles").asLong()) + " / " + count(devices.path("surpriseRemoved").asLong())));
    rows.add(new KeyValues.Row("transactions/s (measured)", num(json.path("throughput").path("transactionsPerSecond").asDouble())));
    rows.add(new KeyValues.Row("MB/s (measured)", num(json.path("throughput").path("bytesPerSecond").asDouble() / 1e6)));
    JsonNode w = json.path("longestWait");
    rows.add(new KeyValues.Row("longest wait (µs)", w.has("micros")
        ? count(w.path("micros").asLong()) + " — " + w.path("device").asText() + " for " + w.path("for").asText()
            + " on " + w.path("arbiter").asText()
        : "none"));
    rows.add(new KeyValues.Row("bug checks", Integer.toString(json.path("bugChecks").size())));
    rows.add(new KeyValues.Row("checks", result.failedChecks().isEmpty() ? "passed" : String.join("; ", result.failedChecks())));

    List<List<String>> groupRows = new ArrayList<>();
    for (JsonNode g : json.path("groups")) {
      groupRows.add(List.of(
          g.path("name").asText(), count(g.path("devices").asLong()), g.path("driver").asText(),
          g.path("adapterDomain").asText(), g.path("mapRegisterPolicy").asText(), g.path("bus").asText(),
          count(g.path("completed").asLong()), count(g.path("failed").asLong()),
          num(g.path("transactionsPerSecond").asDouble()),
          count(g.path("latencyMicros").path("p50").asLong()), count(g.path("latencyMicros").path("p99").asLong()),
          fairness(g)));
    }
    Table groups = new Table("Groups", List.of("group", "devices", "driver", "adapter domain", "register policy", "bus",
        "completed", "failed", "tx/s", "latency p50 µs", "latency p99 µs", "Jain index"), groupRows);
    List<Block> blocks = new ArrayList<>(List.of(new KeyValues(rows), groups));
    if (json.path("faults").size() > 0) {
      List<List<String>> faultRows = new ArrayList<>();
      for (JsonNode f : json.path("faults")) {
        faultRows.add(List.of(f.path("id").asText(), f.path("fault").asText(), count(f.path("injected").asLong()),
            count(f.path("devices").asLong()), count(f.path("abortedRequests").asLong())));
      }
      blocks.add(new Table("Faults", List.of("id", "fault", "acted", "devices", "requests aborted"), faultRows));
    }
    return new Section("Overview", "Every number is modeled time unless it says wall time. The run can be reproduced from config.resolved.conf.",
        blocks);
  }

  private static Section throughput(ScenarioRun.Result result) {
    List<Series> tps = new ArrayList<>();
    List<Series> latency = new ArrayList<>();
    long origin = result.intervals().isEmpty() ? 0 : result.intervals().get(0).startMicros();
    for (int gi = 0; gi < result.totals().groups().size(); gi++) {
      String name = result.totals().groups().get(gi).group();
      List<Point> t = new ArrayList<>();
      List<Point> l = new ArrayList<>();
      for (ScenarioMetrics.Interval iv : result.intervals()) {
        ScenarioMetrics.GroupWindow g = iv.groups().get(gi);
        double seconds = (iv.endMicros() - iv.startMicros()) / 1e6;
        double x = (iv.endMicros() - origin) / 1e6;
        if (seconds > 0) {
          t.add(new Point(x, g.measuredCompleted() / seconds));
        }
        // Intervals keep only their p99 latency (GroupWindow.compact).
        Histogram h = g.histograms().get(Metric.LATENCY);
        if (h.getTotalCount() > 0) {
          l.add(new Point(x, h.getMaxValue()));
        }
      }
      tps.add(new Series(name, t));
      latency.add(new Series(name + " p99", l));
    }
    return new Section("Throughput over time", "Completed transactions per second of modeled time in each metrics interval.",
        List.of(
            new LineChart("Transactions per second by group", "modeled time (s)", "transactions/s", tps, false, false),
            new LineChart("Request latency p99 by group", "modeled time (s)", "latency p99 (µs)", latency, false, true)));
  }

  private static Section waits(ScenarioRun.Result result, JsonNode json) {
    List<Block> blocks = new ArrayList<>();
    for (Metric m : List.of(Metric.LATENCY, Metric.MAP_REGISTER_WAIT, Metric.ADAPTER_LOCK_WAIT, Metric.BUS_WAIT,
        Metric.PROGRAM_TO_INTERRUPT)) {
      List<Series> series = new ArrayList<>();
      int gi = 0;
      for (ScenarioMetrics.GroupWindow g : result.totals().groups()) {
        Histogram h = g.histograms().get(m);
        if (h.getTotalCount() > 0) {
          JsonNode facts = json.path("groups").get(gi);
          String policy = m == Metric.ADAPTER_LOCK_WAIT ? facts.path("adapterLockPolicy").asText()
              : m == Metric.MAP_REGISTER_WAIT ? facts.path("mapRegisterPolicy").asText() : "";
          series.add(new Series(policy.isEmpty() ? g.group() : g.group() + " (" + policy + ")", cdf(h)));
        }
        gi++;
      }
      if (!series.isEmpty()) {
        blocks.add(new CdfChart(title(m), "modeled µs (log scale)", series));
      }
    }
    if (blocks.isEmpty()) {
      blocks.add(new KeyValues(List.of(new KeyValues.Row("waits", "nothing was measured"))));
    }
    return new Section("Who waited, and how long", "Cumulative distributions over the measured part of the run, one line per group (its policy in brackets).", blocks);
  }

  private static Section fairness(ScenarioRun.Result result, JsonNode json) {
    List<BarChart.Bar> bars = new ArrayList<>();
    for (Map.Entry<String, ScenarioMetrics.DeviceTotals> e : result.totals().devices().entrySet()) {
      bars.add(new BarChart.Bar(e.getKey(), e.getValue().group(), e.getValue().transactionsPerSecond()));
    }
    List<String> parts = new ArrayList<>();
    for (JsonNode g : json.path("groups")) {
      parts.add(g.path("name").asText() + " " + fairness(g));
    }
    String annotation = "Jain's fairness index: " + String.join(", ", parts);
    return new Section("Fairness across devices", "Each device's completed transactions per second of the time it had work (first measured arrival to last completion); Jain's index is 1 when every device of a group got the same, 1/n when one got everything.",
        List.of(new BarChart("Per-device throughput", "transactions/s", bars, annotation)));
  }

  private static Section arbiters(ScenarioRun.Result result, JsonNode json) {
    List<Series> registers = new ArrayList<>();
    List<Series> locks = new ArrayList<>();
    List<Series> depth = new ArrayList<>();
    long origin = result.intervals().isEmpty() ? 0 : result.intervals().get(0).startMicros();
    List<String> keys = new ArrayList<>();
    for (ScenarioMetrics.Interval iv : result.intervals()) {
      for (ScenarioMetrics.ArbiterWindow a : iv.arbiters()) {
        if (!keys.contains(a.id())) {
          keys.add(a.id());
        }
      }
    }
    for (String key : keys) {
      List<Point> r = new ArrayList<>();
      List<Point> l = new ArrayList<>();
      List<Point> d = new ArrayList<>();
      for (ScenarioMetrics.Interval iv : result.intervals()) {
        double x = (iv.endMicros() - origin) / 1e6;
        for (ScenarioMetrics.ArbiterWindow a : iv.arbiters()) {
          if (a.id().equals(key)) {
            if (a.registers().capacityIntegral() > 0) {
              r.add(new Point(x, a.registers().utilization()));
              d.add(new Point(x, a.registers().meanWaiting()));
            }
            if (a.lock().capacityIntegral() > 0) {
              l.add(new Point(x, a.lock().utilization()));
            }
          }
        }
      }
      if (!r.isEmpty()) {
        registers.add(new Series(key, r));
        depth.add(new Series(key, d));
      }
      if (!l.isEmpty()) {
        locks.add(new Series(key, l));
      }
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode a : json.path("arbiters")) {
      JsonNode mr = a.path("mapRegisters");
      JsonNode lk = a.has("bus") ? a.path("bus") : a.path("adapterLock");
      rows.add(List.of(a.path("kind").asText(), a.path("name").asText(),
          mr.isMissingNode() ? "" : pct(mr.path("utilization").asDouble()),
          mr.isMissingNode() ? "" : num(mr.path("meanQueueDepth").asDouble()),
          mr.isMissingNode() ? "" : count(mr.path("maxQueueDepth").asLong()),
          lk.isMissingNode() ? "" : pct(lk.path("utilization").asDouble()),
          lk.isMissingNode() ? "" : num(lk.path("meanQueueDepth").asDouble())));
    }
    return new Section("Adapters, map registers and buses",
        "Utilization is the time-average of registers in use over registers available (the lock or bus: time held); a group's per-enabler adapters count as one.",
        List.of(
            new Table("Arbiters over the run", List.of("kind", "name", "register utilization", "mean register queue",
                "max register queue", "lock/bus utilization", "mean lock/bus queue"), rows),
            new LineChart("Map-register utilization", "modeled time (s)", "fraction in use", registers, false, false),
            new LineChart("Map-register queue depth", "modeled time (s)", "requests waiting (mean)", depth, false, false),
            new LineChart("Adapter lock and bus utilization", "modeled time (s)", "fraction held", locks, false, false)));
  }

  /** The CDF of a histogram: one point per recorded value bucket. */
  static List<Point> cdf(Histogram h) {
    List<Point> points = new ArrayList<>();
    double total = h.getTotalCount();
    for (HistogramIterationValue v : h.recordedValues()) {
      points.add(new Point(Math.max(1, h.highestEquivalentValue(v.getValueIteratedTo())), v.getTotalCountToThisValue() / total));
    }
    return points;
  }

  private static String title(Metric m) {
    switch (m) {
      case LATENCY:
        return "Request latency (arrival to completion)";
      case MAP_REGISTER_WAIT:
        return "Map-register wait";
      case ADAPTER_LOCK_WAIT:
        return "Adapter-lock wait";
      case BUS_WAIT:
        return "Bus wait";
      default:
        return "EvtProgramDma to interrupt";
    }
  }

  private static String fairness(JsonNode g) {
    JsonNode j = g.path("fairness").path("jainIndex");
    return j.isNull() || j.isMissingNode() ? "n/a" : String.format(Locale.ROOT, "%.3f", j.asDouble());
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%,.3f", v);
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static String count(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
