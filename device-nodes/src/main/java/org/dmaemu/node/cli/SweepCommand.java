package org.dmaemu.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dmaemu.node.Main;
import org.dmaemu.node.report.LineChart;
import org.dmaemu.node.report.Point;
import org.dmaemu.node.report.Report;
import org.dmaemu.node.report.ReportPage;
import org.dmaemu.node.report.Section;
import org.dmaemu.node.report.Series;
import org.dmaemu.node.report.Table;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dmaemu sweep SCENARIO --set key=v1,v2 [--set ...]}: runs the grid of every combination,
 * one after the other, each in its own run directory; writes {@code sweep.csv} and {@code
 * sweep.html}, whose plots put the first swept key on the x axis, one line per combination of the
 * others.
 */
@Command(
    name = "sweep",
    description = {
      "Runs a scenario once per combination of the --set values, one run after the",
      "other, each with its own run directory, then writes sweep.csv (one row per",
      "run) and sweep.html (p99 map-register wait, throughput and fairness against",
      "the first swept key, one line per combination of the others).",
      "Every combination is checked before the first run starts.",
      "",
      "Exit code: 0 every run passed its checks, 1 some did not, 2 bad input.",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class SweepCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (HOCON).")
  private Path scenario;

  @Option(
      names = "--set",
      required = true,
      paramLabel = "KEY=V1,V2,...",
      description = "A key and its values, e.g. --set topology.groups.nic.count=4,8,16 (repeatable).")
  private List<String> sets = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "The sweep directory (default: run.output/NAME-sweep-TIMESTAMP).")
  private Path out;

  @Option(names = "--quiet", description = "No progress lines.")
  private boolean quiet;

  @Override
  public Integer call() throws IOException {
    Map<String, List<String>> axes = axes();
    List<Map<String, String>> grid = grid(new ArrayList<>(axes.entrySet()));
    List<Scenario> scenarios = new ArrayList<>();
    for (Map<String, String> point : grid) {
      scenarios.add(ScenarioInput.load(spec, scenario, point));
    }
    Path dir = out != null ? out : RunDirectories.fresh(scenarios.get(0).run().output(), scenarios.get(0).name() + "-sweep");
    Files.createDirectories(dir);
    PrintWriter err = spec.commandLine().getErr();
    List<String> keys = new ArrayList<>(axes.keySet());
    List<Row> rows = new ArrayList<>();
    int failed = 0;
    for (int i = 0; i < grid.size(); i++) {
      Map<String, String> point = grid.get(i);
      Path runDir = dir.resolve(String.format(Locale.ROOT, "run-%03d", i + 1));
      if (!quiet) {
        err.printf("dmaemu sweep: run %d of %d: %s%n", i + 1, grid.size(), point);
        err.flush();
      }
      ScenarioRun.Result result;
      try {
        result = ScenarioRun.run(scenarios.get(i), runDir, ConfigFactory.load(), ScenarioRun.Progress.NONE);
      } catch (IOException e) {
        throw new ParameterException(spec.commandLine(), "cannot write " + runDir + ": " + RunCommand.reason(e));
      }
      if (result.exitCode() != 0) {
        failed++;
      }
      rows.add(new Row(point, runDir.getFileName().toString(), result.json()));
    }
    writeCsv(dir.resolve("sweep.csv"), keys, rows);
    ReportPage.write(dir.resolve("sweep.html"), page(keys, rows));
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf("dmaemu sweep: %d runs, %d failed their checks; %s (sweep.csv, sweep.html)%n", rows.size(), failed, dir);
    stdout.flush();
    return failed == 0 ? Main.OK : Main.RUN_FAILED;
  }

  private record Row(Map<String, String> point, String runDir, JsonNode summary) {}

  private Map<String, List<String>> axes() {
    Map<String, List<String>> axes = new LinkedHashMap<>();
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0 || eq == set.length() - 1) {
        throw new ParameterException(spec.commandLine(), "--set needs KEY=V1,V2,... (got " + set + ")");
      }
      List<String> values = new ArrayList<>();
      for (String v : set.substring(eq + 1).split(",", -1)) {
        if (v.isBlank()) {
          throw new ParameterException(spec.commandLine(), "--set " + set + " has an empty value");
        }
        values.add(v.strip());
      }
      axes.put(set.substring(0, eq).strip(), values);
    }
    return axes;
  }

  /** Every combination, the first key varying slowest. */
  static List<Map<String, String>> grid(List<Map.Entry<String, List<String>>> axes) {
    List<Map<String, String>> grid = new ArrayList<>();
    grid.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> axis : axes) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : grid) {
        for (String v : axis.getValue()) {
          Map<String, String> p = new LinkedHashMap<>(partial);
          p.put(axis.getKey(), v);
          next.add(p);
        }
      }
      grid = next;
    }
    return grid;
  }

  private static final List<String> COLUMNS = List.of(
      "run_dir", "submitted", "completed", "failed", "unaccounted", "tx_per_s", "bytes_per_s", "latency_p50_us",
      "latency_p99_us", "map_register_wait_p99_us", "adapter_lock_wait_p99_us", "bus_wait_p99_us", "min_jain_index",
      "checks_passed");

  private static void writeCsv(Path file, List<String> keys, List<Row> rows) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      List<String> header = new ArrayList<>(keys);
      header.addAll(COLUMNS);
      w.write(String.join(",", header));
      w.newLine();
      for (Row r : rows) {
        List<String> cells = new ArrayList<>();
        for (String k : keys) {
          cells.add(csv(r.point().get(k)));
        }
        JsonNode s = r.summary();
        cells.add(r.runDir());
        cells.add(s.path("accounting").path("submitted").asText());
        cells.add(s.path("accounting").path("completed").asText());
        cells.add(s.path("accounting").path("failed").asText());
        cells.add(s.path("accounting").path("unaccounted").asText());
        cells.add(fmt(s.path("throughput").path("transactionsPerSecond").asDouble()));
        cells.add(fmt(s.path("throughput").path("bytesPerSecond").asDouble()));
        cells.add(Long.toString(worst(s, "latencyMicros", "p50")));
        cells.add(Long.toString(worst(s, "latencyMicros", "p99")));
        cells.add(Long.toString(worst(s, "mapRegisterWaitMicros", "p99")));
        cells.add(Long.toString(worst(s, "adapterLockWaitMicros", "p99")));
        cells.add(Long.toString(worst(s, "busWaitMicros", "p99")));
        double jain = minJain(s);
        cells.add(Double.isNaN(jain) ? "" : fmt(jain));
        cells.add(Boolean.toString(s.path("run").path("checksPassed").asBoolean()));
        w.write(String.join(",", cells));
        w.newLine();
      }
    }
  }

  /** The largest value over the groups: the group that waited most. */
  static long worst(JsonNode summary, String distribution, String percentile) {
    long m = 0;
    for (JsonNode g : summary.path("groups")) {
      m = Math.max(m, g.path(distribution).path(percentile).asLong());
    }
    return m;
  }

  static double minJain(JsonNode summary) {
    double m = Double.NaN;
    for (JsonNode g : summary.path("groups")) {
      JsonNode j = g.path("fairness").path("jainIndex");
      if (j.isNumber()) {
        m = Double.isNaN(m) ? j.asDouble() : Math.min(m, j.asDouble());
      }
    }
    return m;
  }

  private static Report page(List<String> keys, List<Row> rows) {
    String xKey = keys.get(0);
    List<String> others = keys.subList(1, keys.size());
    Map<String, List<Row>> lines = new LinkedHashMap<>();
    for (Row r : rows) {
      List<String> label = new ArrayList<>();
      for (String k : others) {
        label.add(k.substring(k.lastIndexOf('.') + 1) + "=" + r.point().get(k));
      }
      lines.computeIfAbsent(label.isEmpty() ? "all" : String.join(", ", label), k -> new ArrayList<>()).add(r);
    }
    boolean numeric = rows.stream().allMatch(r -> isNumber(r.point().get(xKey)));
    List<Series> wait = new ArrayList<>();
    List<Series> tps = new ArrayList<>();
    List<Series> jain = new ArrayList<>();
    for (Map.Entry<String, List<Row>> line : lines.entrySet()) {
      List<Point> w = new ArrayList<>();
      List<Point> t = new ArrayList<>();
      List<Point> j = new ArrayList<>();
      int ordinal = 0;
      for (Row r : line.getValue()) {
        double x = numeric ? Double.parseDouble(r.point().get(xKey)) : ++ordinal;
        w.add(new Point(x, worst(r.summary(), "mapRegisterWaitMicros", "p99")));
        t.add(new Point(x, r.summary().path("throughput").path("transactionsPerSecond").asDouble()));
        double jj = minJain(r.summary());
        if (!Double.isNaN(jj)) {
          j.add(new Point(x, jj));
        }
      }
      wait.add(new Series(line.getKey(), w));
      tps.add(new Series(line.getKey(), t));
      jain.add(new Series(line.getKey(), j));
    }
    String xLabel = xKey + (numeric ? "" : " (value number, see the table)");
    List<List<String>> table = new ArrayList<>();
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      for (String k : keys) {
        cells.add(r.point().get(k));
      }
      cells.add(r.runDir());
      cells.add(fmt(r.summary().path("throughput").path("transactionsPerSecond").asDouble()));
      cells.add(Long.toString(worst(r.summary(), "mapRegisterWaitMicros", "p99")));
      cells.add(Long.toString(worst(r.summary(), "adapterLockWaitMicros", "p99")));
      double jj = minJain(r.summary());
      cells.add(Double.isNaN(jj) ? "n/a" : fmt(jj));
      cells.add(r.summary().path("run").path("checksPassed").asBoolean() ? "passed" : "FAILED");
      table.add(cells);
    }
    List<String> headers = new ArrayList<>(keys);
    headers.addAll(List.of("run", "tx/s", "map-register wait p99 µs", "adapter-lock wait p99 µs", "min Jain", "checks"));
    return new Report("dmaemu sweep", rows.size() + " runs over " + String.join(", ", keys), List.of(
        new Section("Contention against " + xKey, "Worst group per run; one line per combination of the other keys.", List.of(
            new LineChart("p99 map-register wait", xLabel, "modeled µs", wait, false, false),
            new LineChart("Throughput", xLabel, "transactions/s", tps, false, false),
            new LineChart("Fairness (lowest Jain index of the groups)", xLabel, "Jain index", jain, false, false))),
        new Section("Runs", "Each run's directory holds its own report.html.", List.of(new Table("Runs", headers, table)))));
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String csv(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
