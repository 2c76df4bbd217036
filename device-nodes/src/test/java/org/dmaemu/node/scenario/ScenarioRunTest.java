package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.dmaemu.node.report.ReportXml;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A scenario run end to end: its run directory, its schema, its accounting, its reproducibility. */
class ScenarioRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCENARIOS = Path.of("..", "scenarios");

  /** Every example, shortened so that the suite stays fast. */
  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(SCENARIOS)) {
      return files.filter(p -> p.toString().endsWith(".conf")).sorted().toList().stream();
    }
  }

  static ScenarioRun.Result run(Path file, Map<String, String> overrides, Path dir) throws IOException {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file, overrides);
    assertTrue(loaded.isValid(), loaded.problems().toString());
    return ScenarioRun.run(loaded.scenario(), dir, ConfigFactory.load(), ScenarioRun.Progress.NONE);
  }

  static Map<String, String> short_() {
    Map<String, String> o = new HashMap<>();
    o.put("run.requests", "15");
    o.put("run.warm-up", "0ms");
    return o;
  }

  @ParameterizedTest
  @MethodSource("examples")
  @DisplayName("every example scenario runs (shortened) and passes its checks with balanced accounting")
  void examplesRun(Path file, @TempDir Path dir) throws IOException {
    ScenarioRun.Result r = run(file, short_(), dir.resolve("run"));
    assertEquals(List.of(), r.failedChecks(), file.toString());
    JsonNode acc = r.json().path("accounting");
    assertEquals(
        acc.path("submitted").asLong(),
        acc.path("completed").asLong() + acc.path("failed").asLong() + acc.path("cancelled").asLong() + acc.path("aborted").asLong());
    assertTrue(acc.path("submitted").asLong() > 0, file.toString());
  }

  @Test
  @DisplayName("DESIGN §7: the run directory holds every output; summary.json follows its schema; the trace is valid Trace Event JSON")
  void runDirectory(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("quickstart");
    ScenarioRun.Result r = run(SCENARIOS.resolve("quickstart.conf"), short_(), dir);
    for (String f : List.of("config.resolved.conf", "summary.json", "metrics.csv", "trace.json", "devices.csv", "report.html",
        "latency.hlog", "map-register-wait.hlog", "adapter-lock-wait.hlog", "bus-wait.hlog", "program-to-interrupt.hlog")) {
      assertTrue(Files.size(dir.resolve(f)) > 0, f);
    }
    JsonNode s = JSON.readTree(dir.resolve("summary.json").toFile());
    assertSchema(s);
    JsonNode acc = s.path("accounting");
    assertTrue(acc.path("balanced").asBoolean());
    long groupSubmitted = 0;
    for (JsonNode g : s.path("groups")) {
      groupSubmitted += g.path("submitted").asLong();
      assertTrue(g.path("latencyMicros").path("count").asLong() > 0);
      assertTrue(g.path("latencyMicros").path("p50").asLong() <= g.path("latencyMicros").path("p99").asLong());
    }
    assertEquals(acc.path("submitted").asLong(), groupSubmitted);

    assertTraceEventFormat(JSON.readTree(dir.resolve("trace.json").toFile()));

    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"), StandardCharsets.UTF_8);
    assertTrue(csv.get(0).startsWith("interval,start_us,end_us,kind,entity,"));
    assertTrue(csv.size() > 1);
    int columns = csv.get(0).split(",", -1).length;
    long completedInRows = 0;
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",", -1);
      assertEquals(columns, cells.length, row);
      if (cells[3].equals("group")) {
        completedInRows += Long.parseLong(cells[6]);
      }
    }
    assertEquals(acc.path("completed").asLong(), completedInRows, "interval rows add up to the totals");

    long hlogCount = 0;
    HistogramLogReader reader = new HistogramLogReader(dir.resolve("latency.hlog").toFile());
    for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
      hlogCount += ((org.HdrHistogram.Histogram) h).getTotalCount();
    }
    long latencyCount = 0;
    for (JsonNode g : s.path("groups")) {
      latencyCount += g.path("latencyMicros").path("count").asLong();
    }
    assertEquals(latencyCount, hlogCount, "the interval logs hold every measured latency");

    ReportXml.parse(Files.readString(dir.resolve("report.html")));
  }

  @Test
  @DisplayName("§2.2/§6.4 power schedule: cycles during I/O and seeded surprise removals run, are counted, and every request is accounted for")
  void powerSchedule(@TempDir Path tmp) throws IOException {
    Path file = SCENARIOS.resolve("power-during-io.conf");
    Scenario scenario = ScenarioLoader.load(file).scenario();
    ScenarioWorkload workload = new ScenarioWorkload(scenario, tmp);
    int chosen = 0;
    for (int i = 1; i <= workload.devices(); i++) {
      if (workload.powerSchedule(scenario.run().seed(), workload.deviceId(i)).surpriseRemoved()) {
        chosen++;
      }
    }
    assertTrue(chosen > 0 && chosen < workload.devices(), "the seed picks some devices: " + chosen);

    ScenarioRun.Result r = run(file, Map.of(), tmp.resolve("run"));
    assertEquals(List.of(), r.failedChecks());
    JsonNode devices = r.json().path("devices");
    assertEquals(chosen, devices.path("surpriseRemoved").asInt(), "the devices the seed picked, and only those");
    assertEquals(workload.devices(), devices.path("completedScript").asInt());
    assertTrue(devices.path("powerCycles").asLong() > workload.devices(), devices.toString());
    JsonNode acc = r.json().path("accounting");
    assertEquals(0, acc.path("unaccounted").asLong());
    assertEquals(acc.path("submitted").asLong(),
        acc.path("completed").asLong() + acc.path("failed").asLong() + acc.path("cancelled").asLong() + acc.path("aborted").asLong());
    // Whether a removal finds requests in flight depends on where the device's power cycles are when
    // it comes, which a loaded machine shifts: that removals end requests is checked where the timing
    // is fixed (a fault plan's surprise removal, FaultRunTest).
  }

  @Test
  @DisplayName("DESIGN §5 a run whose requests keep ending is not stalled, however long before its first device finishes")
  void longRunIsNotStalled(@TempDir Path tmp) throws IOException {
    Map<String, String> o = new HashMap<>();
    // Every device issues requests for 150 modeled ms: 3 s of real time at the example's time scale of 0.05.
    o.put("run.duration", "150ms");
    o.put("run.requests", "1000000");
    o.put("run.warm-up", "0ms");
    o.put("run.callback-deadline", "20ms");
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(SCENARIOS.resolve("quickstart.conf"), o);
    assertTrue(loaded.isValid(), loaded.problems().toString());
    // No final answer for 1 s plus two deadlines (0.8 s) would be a stall; none comes before 3 s.
    Config config = ConfigFactory.parseString("dmaemu.stall-after = 1s").withFallback(ConfigFactory.load());
    ScenarioRun.Result r = ScenarioRun.run(loaded.scenario(), tmp.resolve("run"), config, ScenarioRun.Progress.NONE);
    assertEquals(List.of(), r.failedChecks());
    JsonNode acc = r.json().path("accounting");
    assertEquals(0, acc.path("unaccounted").asLong(), acc.toString());
    assertTrue(r.json().path("run").path("wallSeconds").asDouble() > 2.5, r.json().path("run").toString());
  }

  @Test
  @DisplayName("DESIGN §5: the same scenario and seed give every device the same requests; the resolved config reproduces them")
  void sameSeedSameWorkload(@TempDir Path tmp) throws IOException {
    Path file = SCENARIOS.resolve("quickstart.conf");
    run(file, short_(), tmp.resolve("a"));
    run(file, short_(), tmp.resolve("b"));
    run(tmp.resolve("a").resolve("config.resolved.conf"), Map.of(), tmp.resolve("c"));
    Map<String, String> other = short_();
    other.put("run.seed", "99");
    run(file, other, tmp.resolve("d"));
    Map<String, String> a = digests(tmp.resolve("a"));
    assertFalse(a.isEmpty());
    assertEquals(a, digests(tmp.resolve("b")));
    assertEquals(a, digests(tmp.resolve("c")));
    assertFalse(a.equals(digests(tmp.resolve("d"))), "another seed, other requests");
  }

  private static Map<String, String> digests(Path dir) throws IOException {
    Map<String, String> d = new HashMap<>();
    List<String> lines = Files.readAllLines(dir.resolve("devices.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",");
      d.put(c[0], c[8]);
    }
    return d;
  }

  /** The documented schema (docs/outputs.md): every key present with its type. */
  static void assertSchema(JsonNode s) {
    assertEquals("dmaemu-summary/1", s.path("schema").asText());
    for (String k : List.of("name", "file", "resolvedConfig")) {
      assertTrue(s.path("scenario").path(k).isTextual(), "scenario." + k);
    }
    assertTrue(s.path("scenario").path("seed").isIntegralNumber());
    for (String k : List.of("wallSeconds", "modeledSeconds", "measuredSeconds", "timeScale")) {
      assertTrue(s.path("run").path(k).isNumber(), "run." + k);
    }
    assertTrue(s.path("run").path("checksPassed").isBoolean());
    assertTrue(s.path("run").path("failedChecks").isArray());
    for (String k : List.of("total", "accounted", "completedScript", "failed", "hung", "crashed", "unaccounted",
        "surpriseRemoved", "powerCycles")) {
      assertTrue(s.path("devices").path(k).isIntegralNumber(), "devices." + k);
    }
    for (String k : List.of("submitted", "completed", "failed", "cancelled", "aborted", "unaccounted")) {
      assertTrue(s.path("accounting").path(k).isIntegralNumber(), "accounting." + k);
    }
    assertTrue(s.path("accounting").path("balanced").isBoolean());
    assertTrue(s.path("throughput").path("transactionsPerSecond").isNumber());
    assertTrue(s.path("throughput").path("bytesPerSecond").isNumber());
    assertTrue(s.path("groups").isArray() && s.path("groups").size() > 0);
    for (JsonNode g : s.path("groups")) {
      for (String k : List.of("name", "driver", "adapterDomain", "bus", "mapRegisterPolicy", "adapterLockPolicy")) {
        assertTrue(g.path(k).isTextual(), "groups[]." + k);
      }
      for (String k : List.of("devices", "submitted", "completed", "failed", "cancelled")) {
        assertTrue(g.path(k).isIntegralNumber(), "groups[]." + k);
      }
      assertTrue(g.path("failuresByStatus").isObject());
      for (String d : List.of("latencyMicros", "adapterLockWaitMicros", "mapRegisterWaitMicros", "busWaitMicros",
          "programToInterruptMicros")) {
        for (String k : List.of("count", "mean", "p50", "p90", "p99", "p999", "max")) {
          assertTrue(g.path(d).path(k).isNumber(), "groups[]." + d + "." + k);
        }
      }
      JsonNode f = g.path("fairness");
      for (String k : List.of("jainIndex", "minDeviceTransactionsPerSecond", "maxDeviceTransactionsPerSecond")) {
        assertTrue(f.path(k).isNumber() || f.path(k).isNull(), "groups[].fairness." + k);
      }
    }
    assertTrue(s.path("arbiters").isArray());
    for (JsonNode a : s.path("arbiters")) {
      assertTrue(Set.of("shared", "per-enabler", "bus").contains(a.path("kind").asText()), a.toString());
      assertTrue(a.path("name").isTextual());
    }
    assertTrue(s.path("longestWait").isObject());
    assertTrue(s.path("bugChecks").isArray());
    assertTrue(s.path("leaks").path("mapRegistersLeaked").isIntegralNumber());
    assertEquals("devices.csv", s.path("devicesFile").asText());
  }

  /** The Trace Event format: traceEvents, each with name, ph, ts (µs), pid, tid; X spans a dur; C carries numbers. */
  static void assertTraceEventFormat(JsonNode trace) {
    assertTrue(trace.path("traceEvents").isArray());
    assertTrue(trace.path("traceEvents").size() > 0);
    Set<String> phases = Set.of("X", "i", "C", "M", "B", "E");
    for (JsonNode e : trace.path("traceEvents")) {
      String ph = e.path("ph").asText();
      assertTrue(phases.contains(ph), e.toString());
      assertTrue(e.path("name").isTextual(), e.toString());
      assertTrue(e.path("pid").isNumber(), e.toString());
      if (!ph.equals("M")) {
        assertTrue(e.path("ts").isNumber(), e.toString());
        assertTrue(e.path("tid").isNumber() || e.path("tid").isTextual(), e.toString());
      }
      if (ph.equals("X")) {
        assertTrue(e.path("dur").isNumber() && e.path("dur").asDouble() >= 0, e.toString());
      }
      if (ph.equals("C")) {
        e.path("args").fields().forEachRemaining(f -> assertTrue(f.getValue().isNumber(), e.toString()));
      }
    }
  }

  @Test
  @DisplayName("dmaemu sweep: one run per combination, sweep.csv with a row each, sweep.html with the plots")
  void sweep(@TempDir Path tmp) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = org.dmaemu.node.Main.execute(
        new String[] {
          "sweep", SCENARIOS.resolve("quickstart.conf").toString(), "--quiet", "--out", tmp.toString(),
          "--set", "run.requests=5", "--set", "topology.groups.nic.count=1,3", "--set", "topology.groups.nic.policies.map-registers=fifo,lottery"
        },
        new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    List<String> csv = Files.readAllLines(tmp.resolve("sweep.csv"));
    assertEquals(5, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(0).startsWith("run.requests,topology.groups.nic.count,topology.groups.nic.policies.map-registers,run_dir,"));
    assertTrue(csv.get(4).startsWith("5,3,lottery,run-004,"), csv.get(4));
    assertTrue(Files.exists(tmp.resolve("run-004").resolve("summary.json")));
    ReportXml.parse(Files.readString(tmp.resolve("sweep.html")));
  }

  @Test
  @DisplayName("a bad --set value in a sweep stops it before any run starts, exit code 2")
  void sweepBadValue(@TempDir Path tmp) {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = org.dmaemu.node.Main.execute(
        new String[] {"sweep", SCENARIOS.resolve("quickstart.conf").toString(), "--out", tmp.toString(),
          "--set", "topology.groups.nic.count=2,0"},
        new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("topology.groups.nic.count"), err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(tmp.resolve("run-001")), "nothing started");
  }
}
