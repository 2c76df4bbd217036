package org.dmaemu.node.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    assertEquals(java.util.List.of(), r.failedChecks());

    String[] offline = check(dir);
    assertEquals("0", offline[0], offline[2]);
    assertTrue(offline[1].contains(String.format(java.util.Locale.ROOT, "invariants: %,d events checked, 0 violations\n", checked)),
        offline[1]);
    assertTrue(offline[1].contains(": balanced\n"), offline[1]);
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
    assertTrue(offline[1].contains(String.format(java.util.Locale.ROOT, "invariants: %,d events checked, 0 violations\n",
        report.events())), offline[1]);
  }
}
