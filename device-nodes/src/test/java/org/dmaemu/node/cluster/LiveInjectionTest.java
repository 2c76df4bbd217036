package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dmaemu.node.Main;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioRun;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §10 "faults are data (a plan in the scenario, or injected live)": {@code dmaemu inject}
 * and the coordinator behind it, on three ActorSystems in this JVM. A message fault is checked
 * against the running scenario, named, handed to every node and listed in the run's summary; what
 * cannot be injected (node faults) is refused with the reason.
 */
class LiveInjectionTest {

  private static RunCoordinator.InjectResult inject(ActorRef<RunCoordinator.Command> coordinator,
      TestProbe<RunCoordinator.InjectResult> probe, String fault) {
    coordinator.tell(new RunCoordinator.InjectFault(fault, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(20));
  }

  private static int dmaemu(List<String> out, List<String> err, String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int exit = Main.execute(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
    out.addAll(o.toString(StandardCharsets.UTF_8).lines().toList());
    err.addAll(e.toString(StandardCharsets.UTF_8).lines().toList());
    return exit;
  }

  @Test
  @DisplayName("§10 live injection: message, callback, device and arbiter faults join the running run on every node and act;"
      + " node faults (no owner of the nodes here) and bad ones are refused")
  void injectIntoARunningRun(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("live.conf"), ClusterRunTest.SCENARIO, StandardCharsets.UTF_8);
    // The watchdog waits half the callback deadline for a lost interrupt: 100 modeled ms, 2 s of real time here (the
    // default deadline makes each lost interrupt cost 10 s; a much shorter one makes a loaded machine look hung).
    ScenarioLoader.Loaded longer = ScenarioLoader.load(file, Map.of("run.requests", "300", "run.trace", "false", "run.callback-deadline", "200ms"));
    assertTrue(longer.isValid(), longer.problems().toString());
    // The command's client member brings a node's downing settings; a cluster takes only members that agree.
    Config asNodes = ConfigFactory.parseString(
        "akka.cluster.downing-provider-class = \"akka.cluster.sbr.SplitBrainResolverProvider\"");
    try (TestCluster cluster = TestCluster.start(3, asNodes)) {
      ActorTestKit kit = ActorTestKit.create(cluster.node(1));
      TestProbe<RunCoordinator.InjectResult> probe = kit.createTestProbe();
      ActorRef<RunCoordinator.Command> coordinator = ClusterServices.start(cluster.node(1)).coordinator();

      RunCoordinator.InjectResult none = inject(coordinator, probe, "lost-interrupt:probability=0.01");
      assertEquals(RunCoordinator.InjectResult.Outcome.NO_RUN, none.outcome());
      assertEquals(List.of("no run is running on this cluster"), none.messages());

      Path dir = tmp.resolve("run");
      CompletableFuture<ScenarioRun.Result> running = CompletableFuture.supplyAsync(() -> {
        try {
          return ClusterRun.run(cluster.node(0), longer.scenario(), dir, 3, ScenarioRun.Progress.NONE);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      RunCoordinator.InjectResult first = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        RunCoordinator.InjectResult r = inject(coordinator, probe, "lost-interrupt:probability=0.02");
        assertEquals(RunCoordinator.InjectResult.Outcome.INJECTED, r.outcome(), r.messages().toString());
        return r;
      });
      assertEquals("live-1", first.faultId());
      assertEquals(3, first.nodesTook(), first.toString());
      assertEquals(3, first.nodes());
      assertEquals("message interrupts drop p=0.02", first.describe());

      RunCoordinator.InjectResult named =
          inject(coordinator, probe, "message:id=slow,path=interrupts,action=delay,delay=50us,probability=0.1,groups=[nic]");
      assertEquals(RunCoordinator.InjectResult.Outcome.INJECTED, named.outcome(), named.messages().toString());
      assertEquals("slow", named.faultId());

      RunCoordinator.InjectResult taken = inject(coordinator, probe, "lost-interrupt:id=slow");
      assertEquals(RunCoordinator.InjectResult.Outcome.BAD_FAULT, taken.outcome());
      assertTrue(taken.messages().toString().contains("ids must be unique"), taken.messages().toString());

      RunCoordinator.InjectResult noGroup = inject(coordinator, probe, "lost-interrupt:groups=[gpu]");
      assertEquals(RunCoordinator.InjectResult.Outcome.BAD_FAULT, noGroup.outcome());
      assertTrue(noGroup.messages().toString().contains("no group named gpu"), noGroup.messages().toString());

      RunCoordinator.InjectResult crash = inject(coordinator, probe, "node-crash:node=2,at=1s");
      assertEquals(RunCoordinator.InjectResult.Outcome.BAD_FAULT, crash.outcome());
      assertTrue(crash.messages().get(0).startsWith("a node-crash fault cannot be injected into this run: "
          + "only 'dmaemu cluster' owns its nodes' processes"), crash.messages().toString());

      // A callback failure, a surprise removal and a power cycle at once (at defaults to 0 from now), an arbiter crash
      // 1 modeled ms on.
      for (String fault : List.of(
          "callback-failure:id=prog,callback=EvtProgramDma,status=STATUS_INSUFFICIENT_RESOURCES,probability=0.05",
          "surprise-removal:id=pull,fraction=0.25",
          "power-cycle:id=cycle,groups=[disk],fraction=0.5",
          "arbiter-crash:id=boom,adapter-domain=iommu,at=1ms")) {
        RunCoordinator.InjectResult r = inject(coordinator, probe, fault);
        assertEquals(RunCoordinator.InjectResult.Outcome.INJECTED, r.outcome(), fault + ": " + r.messages());
        assertEquals(3, r.nodesTook(), r.toString());
      }

      // The command: a client member joins, injects, leaves.
      List<String> out = new ArrayList<>();
      List<String> err = new ArrayList<>();
      assertEquals(Main.BAD_INPUT, dmaemu(out, err, "inject", "--node", cluster.seed(), "node-pause:node=2,at=1s"));
      assertEquals(1, err.size(), err.toString());
      assertTrue(err.get(0).startsWith("dmaemu inject: a node-pause fault cannot be injected"), err.toString());
      out.clear();
      err.clear();
      int exit = dmaemu(out, err, "inject", "--node", cluster.seed(), "lost-interrupt:id=cli,probability=0.01,fraction=0.5");
      assertEquals(Main.OK, exit, out + " " + err);
      assertEquals(List.of("injected cli (message interrupts drop p=0.01) into 3 of 3 nodes"), out);

      ScenarioRun.Result result = running.get(120, TimeUnit.SECONDS);
      List<String> ids = new ArrayList<>();
      for (JsonNode f : result.json().path("faults")) {
        ids.add(f.path("id").asText());
      }
      assertEquals(List.of("live-1", "slow", "prog", "pull", "cycle", "boom", "cli"), ids,
          "the summary lists the faults injected while the run ran");
      assertTrue(result.json().path("accounting").path("abortedByFault").has("cli"));
      for (JsonNode f : result.json().path("faults")) {
        if (Set.of("prog", "pull", "cycle", "boom").contains(f.path("id").asText())) {
          assertTrue(f.path("injected").asLong() > 0, "the injected fault acted: " + f);
        }
      }
      JsonNode accounting = result.json().path("accounting");
      assertEquals(0, accounting.path("unaccounted").asLong(), accounting + " " + result.failedChecks());
      assertTrue(accounting.path("abortedByFault").path("pull").asLong() > 0, "the removal cut requests short: " + accounting);
      assertFalse(Files.readString(dir.resolve(ScenarioRun.RESOLVED)).contains("live-1"),
          "config.resolved.conf is the scenario as submitted");

      out.clear();
      err.clear();
      assertEquals(Main.RUN_FAILED, dmaemu(out, err, "inject", "--node", cluster.seed(), "lost-interrupt"));
      assertEquals(List.of("dmaemu inject: no run is running on this cluster"), err);
    }
  }

  @Test
  @DisplayName("§8 dmaemu inject: a cluster that does not take this JVM is exit code 1, a fault that does not read exit code 2")
  void injectWithoutACluster() {
    // This cluster's members have no split brain resolver: it refuses a client that brings one.
    try (TestCluster cluster = TestCluster.start(1)) {
      List<String> out = new ArrayList<>();
      List<String> err = new ArrayList<>();
      assertEquals(Main.RUN_FAILED, dmaemu(out, err, "inject", "--node", cluster.seed(), "lost-interrupt"));
      assertEquals("dmaemu inject: this JVM could not join the cluster at " + cluster.seed() + " (its log above says why)",
          err.get(err.size() - 1));
      err.clear();
      assertEquals(Main.BAD_INPUT, dmaemu(out, err, "inject", "--node", cluster.seed(), " "));
      assertEquals(List.of("dmaemu inject: FAULT is empty: write TYPE:KEY=VALUE,..., e.g. lost-interrupt:probability=0.01"), err);
      assertEquals(List.of(), out);
    }
  }
}
