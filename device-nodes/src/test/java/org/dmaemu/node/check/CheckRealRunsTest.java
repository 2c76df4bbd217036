package org.dmaemu.node.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dmaemu.node.Main;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.node.run.RunHandle;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioRun;
import org.dmaemu.node.trace.TraceReport;
import org.dmaemu.node.workload.DefaultWorkload;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real runs, in this JVM: the live check (the trace writer's) and the offline one ({@code dmaemu
 * check}) see the same events and find no violation in runs whose drivers follow the rules,
 * failure paths included.
 */
class CheckRealRunsTest {

  private static final Path SCENARIOS = Path.of("..", "scenarios");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String[] check(Path target) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.execute(new String[] {"check", target.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {Integer.toString(exit), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @ParameterizedTest
  @ValueSource(strings = {"quickstart.conf", "reservation-vs-none.conf", "shared-system-dma.conf"})
  @DisplayName("DESIGN §10 a clean scenario run (packet, scatter-gather, reservation §5, system DMA): no violation live or offline, the same events checked")
  void cleanScenario(String example, @TempDir Path tmp) throws Exception {
    ScenarioLoader.Loaded loaded =
        ScenarioLoader.load(SCENARIOS.resolve(example), Map.of("run.requests", "15", "run.warm-up", "0ms"));
    assertTrue(loaded.isValid(), loaded.problems().toString());
    Path dir = tmp.resolve("run");
    ScenarioRun.Result r = ScenarioRun.run(loaded.scenario(), dir, ConfigFactory.load(), ScenarioRun.Progress.NONE);

    JsonNode live = r.json().path("invariants");
    assertTrue(live.path("traced").asBoolean());
    long checked = live.path("checked").asLong();
    assertTrue(checked > 1000, live.toString());
    assertEquals(0, live.path("violations").asLong(), live.toString());
    assertEquals(List.of(), r.failedChecks());

    String[] offline = check(dir);
    assertEquals("0", offline[0], offline[2]);
    assertTrue(offline[1].contains(String.format(Locale.ROOT, "invariants: %,d events checked, 0 violations\n", checked)),
        offline[1]);
    assertTrue(offline[1].contains(": balanced\n"), offline[1]);
    assertTrue(offline[1].contains(": as summary.json counts them\n"), offline[1]);
  }

  @Test
  @DisplayName("DESIGN §10 a violation no fault explains fails the run: a failed check, exit code 1, summary.json's invariants name it")
  void violationFailsTheRun(@TempDir Path tmp) throws Exception {
    ScenarioLoader.Loaded loaded =
        ScenarioLoader.load(SCENARIOS.resolve("quickstart.conf"), Map.of("run.requests", "5", "run.warm-up", "0ms"));
    ScenarioRun.Result ran = ScenarioRun.run(loaded.scenario(), tmp.resolve("run"), ConfigFactory.load(), ScenarioRun.Progress.NONE);
    // The same run's results, written again as if its trace had held two overlapping lock holds (reference §4.3).
    InvariantReport overlap = CheckTraces.check("lock-overlap.json");
    ScenarioRun.begin(loaded.scenario(), tmp.resolve("again"));
    ScenarioRun.Result r = ScenarioRun.finish(loaded.scenario(), tmp.resolve("again"), ran.summary(), ran.totals(),
        ran.intervals(), List.of(), overlap);
    assertEquals(1, r.exitCode());
    assertEquals(List.of(overlap.failedCheck()), r.failedChecks());
    JsonNode inv = JSON.readTree(tmp.resolve("again").resolve(ScenarioRun.SUMMARY).toFile()).path("invariants");
    assertEquals(1, inv.path("violations").asInt());
    assertEquals(1, inv.path("failing").asInt());
    assertEquals(1, inv.path("byClass").path("adapter-lock-exclusion").asInt());
    assertEquals("adapter-lock-exclusion", inv.path("first").get(0).path("class").asText());
    assertTrue(r.json().path("run").path("failedChecks").get(0).asText().startsWith("1 invariant violation"));

    // Injected only: reported, and the run passes.
    InvariantReport injected = CheckTraces.check("injected.json");
    ScenarioRun.begin(loaded.scenario(), tmp.resolve("injected"));
    ScenarioRun.Result ok = ScenarioRun.finish(loaded.scenario(), tmp.resolve("injected"), ran.summary(), ran.totals(),
        ran.intervals(), List.of(), injected);
    assertEquals(0, ok.exitCode(), ok.failedChecks().toString());
    assertEquals(3, ok.json().path("invariants").path("injected").asInt());
  }

  @Test
  @DisplayName("§2.3/§2.4 the built-in run, whose drivers fail some power callbacks: the failure paths follow the reference, no violation")
  void builtInRunWithFailures(@TempDir Path tmp) throws Exception {
    Config config = ConfigFactory.load();
    Path trace = tmp.resolve("trace.json");
    RunHandle handle = PowerCycleRun.start(
        new PowerCycleRun.Options(1, 100, 1, trace, 1.0, false), DefaultWorkload.standard(), config);
    RunSummary summary = handle.summary().toCompletableFuture().get();
    TraceReport report = handle.terminate().toCompletableFuture().get();
    assertNull(report.error());
    assertTrue(summary.failed() > 0, "the seed fails some power callbacks, so §2.3's paths run: " + summary.failed());

    InvariantReport live = report.invariants();
    assertEquals(report.events(), live.checked());
    assertEquals(0, live.violations(), live.details().toString());

    String[] offline = check(trace);
    assertEquals("0", offline[0], offline[2]);
    assertTrue(offline[1].contains(String.format(Locale.ROOT, "invariants: %,d events checked, 0 violations\n",
        report.events())), offline[1]);
  }
}
