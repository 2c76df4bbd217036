package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.node.run.RunHandle;
import org.dmaemu.node.run.RunSummary;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §10 arbiter crash in an embedded run: the run's guardian, which owns the shared adapter
 * domains, crashes one at a modeled time; its lock and pool (reference §4.3, §4.5) rebuild from the
 * transactions and the run ends as without the crash — every device done, every request finished,
 * no register leaked.
 */
class ArbiterCrashRunTest {

  private static final Path SCENARIOS = Path.of("..", "scenarios");

  @Test
  @DisplayName("DESIGN §10: RunHandle.crashAdapterDomain crashes the iommu domain mid-run; the rebuild is traced and the run's checks hold")
  void guardianCrashesDomain(@TempDir Path tmp) throws IOException {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(
        SCENARIOS.resolve("map-register-starvation.conf"), Map.of("run.requests", "20", "run.warm-up", "0ms"));
    assertTrue(loaded.isValid(), loaded.problems().toString());
    Scenario scenario = loaded.scenario();
    Path dir = tmp.resolve("run");
    ScenarioRun.begin(scenario, dir);
    ScenarioWorkload workload = new ScenarioWorkload(scenario, dir);
    Path trace = dir.resolve("trace.json");
    PowerCycleRun.Options options = PowerCycleRun.Options.defaults()
        .withSeed(scenario.run().seed())
        .withDevices(workload.devices())
        .withCycles(0)
        .withTrace(trace)
        .withTimeScale(scenario.run().timeScale());
    RunHandle handle = PowerCycleRun.start(options, workload, ConfigFactory.load());
    long requests = 20L * workload.devices();
    // Two crashes while the devices' I/O runs, once a tenth and once half of the requests have
    // ended (at = 0: at once); the second crashes a domain that has crashed before.
    TestProbe<Object> watcher = TestProbe.create(handle.system());
    List<Long> endedAtCrash = new ArrayList<>();
    for (long share : List.of(requests / 10, requests / 2)) {
      watcher.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(2), () -> {
        assertTrue(workload.prepared() != null && workload.prepared().metrics().ended() >= share);
        return null;
      });
      endedAtCrash.add(workload.prepared().metrics().ended());
      handle.crashAdapterDomain("iommu", "f-at-" + share, Duration.ZERO);
    }
    handle.crashAdapterDomain("no-such-domain", "f-none", Duration.ZERO);
    RunSummary summary = handle.summary().toCompletableFuture().join();
    handle.terminate().toCompletableFuture().join();

    assertEquals(workload.devices(), summary.completed(), summary.toString());
    assertTrue(endedAtCrash.get(1) < requests, "the second crash came before the run's end: " + endedAtCrash);
    assertEquals(0, summary.dma().requestsUnfinished(), summary.dma().toString());
    assertEquals(0, summary.dma().leakedRegisters(), summary.dma().toString());
    assertEquals(List.of(), summary.bugChecks());

    List<JsonNode> rebuilds = new ArrayList<>();
    for (JsonNode event : new ObjectMapper().readTree(trace.toFile()).path("traceEvents")) {
      if (event.path("name").asText().equals("ArbiterRebuild")) {
        rebuilds.add(event);
      }
    }
    assertEquals(4, rebuilds.size(), "lock and pool, two crashes each: " + rebuilds);
    for (JsonNode rebuild : rebuilds) {
      JsonNode args = rebuild.path("args");
      assertEquals("iommu", args.path("adapter").asText());
      assertEquals("0", args.path("silent").asText(), rebuild.toString());
      assertEquals(args.path("asked").asText(), args.path("answered").asText(), rebuild.toString());
    }
    assertTrue(rebuilds.stream().allMatch(r -> r.path("args").path("asked").asInt() > 0),
        "each crash met the devices' transactions: " + rebuilds);
  }
}
