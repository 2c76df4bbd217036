package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioRun;
import org.dmaemu.time.NodeClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §9, §10: a cluster run that loses a node while its devices run. Three ActorSystems in this
 * JVM; the third is terminated mid-run (at once, as a killed JVM) and downed from the first. The coordinator must go on
 * without it at once (no collect timeout), count its devices as lost and its requests from its last
 * progress report: aborted by the node fault that took it, or unaccounted (the run fails) when no
 * fault of the scenario explains the loss.
 */
class ClusterNodeLossTest {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Closed-loop devices on their own adapters, long enough that a node goes while they run. */
  static final String SCENARIO = String.join("\n",
      "run { seed = 23, requests = 1200, warm-up = 0ms, time-scale = 0.05, interval = 50ms, trace = false }",
      "topology {",
      "  groups {",
      "    nic { count = 12, driver = scatter-gather, transactions = 2",
      "          enabler { profile = scatter-gather64-duplex, maximum-length = 64 KiB, wdm-dma-version-override = 3 } }",
      "    disk { count = 12, driver = packet, transactions = 2",
      "           enabler { profile = packet64, maximum-length = 64 KiB, wdm-dma-version-override = 3 } }",
      "  }",
      "}",
      "workloads {",
      "  nic { pattern = closed, outstanding = 2, size { distribution = uniform, min = 512, max = 32 KiB } }",
      "  disk { pattern = closed, outstanding = 2, size { distribution = fixed, bytes = 4 KiB } }",
      "}",
      "");

  private static Scenario load(Path dir, List<String> faults) throws IOException {
    Path file = Files.writeString(dir.resolve("loss.conf"), SCENARIO, StandardCharsets.UTF_8);
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file, java.util.Map.of(), faults);
    assertTrue(loaded.isValid(), loaded.problems().toString());
    return loaded.scenario();
  }

  /**
   * The nodes of these tests stop at once when terminated, as a killed JVM does: no leaving, and no
   * handing their shards off first.
   */
  private static final Config ABRUPT = ConfigFactory.parseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off");

  /** Stops {@code victim} at once, then downs it from {@code from}, as the split brain resolver downs a crashed node. */
  private static void crash(ActorSystem<?> from, ActorSystem<?> victim) {
    Address address = Cluster.get(victim).selfMember().address();
    victim.terminate();
    Cluster.get(from).manager().tell(new Down(address));
  }

  /** The node faults of a test: node k is the k-th system of the cluster, and a crash downs and stops it. */
  private static NodeFaults downing(TestCluster cluster) {
    return new NodeFaults() {
      @Override
      public List<String> addresses() {
        return List.of(address(cluster.node(0)), address(cluster.node(1)), address(cluster.node(2)));
      }

      @Override
      public CompletionStage<Action> execute(Fault.NodeFault fault, Duration realLength) {
        return CompletableFuture.supplyAsync(() -> {
          long wall = NodeClock.wallClockMicros();
          crash(cluster.node(0), cluster.node(fault.node() - 1));
          return new Action(wall, "stopped and downed node " + fault.node());
        });
      }
    };
  }

  private static String address(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address().toString();
  }

  @Test
  @DisplayName("§10 node-crash: the run goes on without the node; its devices are lost, its open requests aborted by the fault; checks pass")
  void plannedCrash(@TempDir Path tmp) throws IOException {
    Scenario scenario = load(tmp, List.of("node-crash:id=crash3,node=3,at=50ms"));
    Path dir = tmp.resolve("run");
    long started = System.nanoTime();
    try (TestCluster cluster = TestCluster.start(3, ABRUPT)) {
      String victim = address(cluster.node(2));
      ClusterRun.Report report =
          ClusterRun.runReporting(cluster.node(0), scenario, dir, 3, ScenarioRun.Progress.NONE, downing(cluster));
      long seconds = (System.nanoTime() - started) / 1_000_000_000L;
      assertTrue(seconds < 55, "the run did not wait for a collect timeout: " + seconds + " s");
      assertEquals(List.of(), report.result().failedChecks());

      JsonNode s = JSON.readTree(dir.resolve(ScenarioRun.SUMMARY).toFile());
      JsonNode acc = s.path("accounting");
      assertEquals(0, acc.path("unaccounted").asLong(), acc.toString());
      assertTrue(acc.path("balanced").asBoolean());
      long aborted = acc.path("abortedByFault").path("crash3").asLong();
      int lost = s.path("devices").path("lostWithNode").asInt();
      assertTrue(aborted > 0 || lost > 0, "the crash aborted requests or took devices: " + s.path("devices") + acc);
      assertEquals(24, s.path("devices").path("accounted").asInt() + lost, s.path("devices").toString());
      assertEquals(0, s.path("devices").path("unaccounted").asInt());

      ClusterResult.NodeFaultRecord record = report.nodeFaults().get(0);
      assertEquals("executed", record.outcome(), record.toString());
      assertEquals(victim, record.address());
      assertTrue(record.removedAfterMillis() >= 0, record.toString());
      assertEquals(aborted, record.requestsAborted());
      assertEquals(lost, record.devicesLost());
      JsonNode nf = s.path("nodeFaults").get(0);
      assertEquals("crash3", nf.path("id").asText());
      assertEquals(lost, nf.path("devicesLost").asInt());

      ClusterResult.NodeShare share = report.nodes().stream().filter(n -> n.node().equals(victim)).findFirst().orElseThrow();
      assertEquals("crash3", share.lostBy());
      List<String> rows = Files.readAllLines(dir.resolve(ClusterRun.NODES));
      assertTrue(rows.get(0).endsWith(",lost_by,lost_devices,open_requests"), rows.get(0));
      assertTrue(rows.stream().anyMatch(r -> r.contains(victim) && r.contains(",crash3," + lost + ",")), rows.toString());
      JsonNode fault = s.path("faults").get(0);
      assertEquals(1, fault.path("injected").asLong());
      assertEquals(lost, fault.path("devices").asLong());
    }
  }

  @Test
  @DisplayName("§10 dmaemu inject node-crash: the owner of the nodes crashes the node at once; accounted like a planned crash")
  void liveCrash(@TempDir Path tmp) throws Exception {
    Scenario scenario = load(tmp, List.of());
    Path dir = tmp.resolve("run");
    try (TestCluster cluster = TestCluster.start(3, ABRUPT)) {
      String victim = address(cluster.node(2));
      ActorTestKit kit = ActorTestKit.create(cluster.node(1));
      TestProbe<RunCoordinator.InjectResult> probe = kit.createTestProbe();
      ActorRef<RunCoordinator.Command> coordinator = ClusterServices.start(cluster.node(1)).coordinator();
      CompletableFuture<ClusterRun.Report> running = CompletableFuture.supplyAsync(() -> {
        try {
          return ClusterRun.runReporting(cluster.node(0), scenario, dir, 3, ScenarioRun.Progress.NONE, downing(cluster));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      RunCoordinator.InjectResult injected = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        coordinator.tell(new RunCoordinator.InjectFault("node-crash:id=kill3,node=3", probe.getRef()));
        RunCoordinator.InjectResult r = probe.receiveMessage(Duration.ofSeconds(20));
        assertEquals(RunCoordinator.InjectResult.Outcome.INJECTED, r.outcome(), r.messages().toString());
        return r;
      });
      assertEquals("kill3", injected.faultId());
      assertEquals("node-crash node=3 at=0us", injected.describe());

      ClusterRun.Report report = running.get(120, TimeUnit.SECONDS);
      assertEquals(List.of(), report.result().failedChecks());
      JsonNode s = JSON.readTree(dir.resolve(ScenarioRun.SUMMARY).toFile());
      JsonNode acc = s.path("accounting");
      assertEquals(0, acc.path("unaccounted").asLong(), acc.toString());
      ClusterResult.NodeFaultRecord record = report.nodeFaults().get(0);
      assertEquals("kill3", record.id());
      assertEquals("executed", record.outcome(), record.toString());
      int lost = s.path("devices").path("lostWithNode").asInt();
      assertTrue(lost > 0, "the crash took the node's devices: " + s.path("devices"));
      assertEquals(victim, record.address());
      assertEquals(lost, record.devicesLost());
      assertEquals("kill3", s.path("faults").get(0).path("id").asText(), s.path("faults").toString());
      assertEquals("kill3", s.path("nodeFaults").get(0).path("id").asText());
    }
  }

  @Test
  @DisplayName("§10 a node lost without a fault: the run ends without waiting for it, and its open requests stay unaccounted (checks fail)")
  void unplannedLoss(@TempDir Path tmp) throws IOException {
    Scenario scenario = load(tmp, List.of());
    Path dir = tmp.resolve("run");
    try (TestCluster cluster = TestCluster.start(3, ABRUPT)) {
      String victim = address(cluster.node(2));
      AtomicBoolean downed = new AtomicBoolean();
      ScenarioRun.Result r = ClusterRun.run(cluster.node(0), scenario, dir, 3, (ended, expected) -> {
        if (ended > expected / 5 && downed.compareAndSet(false, true)) {
          crash(cluster.node(0), cluster.node(2));
        }
      });
      assertTrue(downed.get(), "the run got far enough to lose a node");
      assertTrue(r.failedChecks().stream().anyMatch(c -> c.contains("unaccounted")), r.failedChecks().toString());
      JsonNode s = r.json();
      assertTrue(s.path("accounting").path("unaccounted").asLong() > 0, s.path("accounting").toString());
      assertEquals(0, s.path("devices").path("lostWithNode").asInt());
      List<String> rows = Files.readAllLines(dir.resolve(ClusterRun.NODES));
      assertTrue(rows.stream().anyMatch(row -> row.contains(victim) && row.contains(",unplanned,")), rows.toString());
    }
  }

  @Test
  @DisplayName("the cluster downs the member the run's command runs on: the command stops at once with the reason, "
      + "not after minutes of silence")
  @org.junit.jupiter.api.Timeout(120)
  void ownMemberDowned(@TempDir Path tmp) throws IOException {
    Scenario scenario = load(tmp, List.of());
    Path dir = tmp.resolve("run");
    try (TestCluster cluster = TestCluster.start(3, ABRUPT)) {
      String self = address(cluster.node(0));
      AtomicBoolean downed = new AtomicBoolean();
      long started = System.nanoTime();
      // As the split brain resolver downs the minority side: here the side of the run's coordinator.
      IllegalStateException lost = assertThrows(IllegalStateException.class,
          () -> ClusterRun.run(cluster.node(0), scenario, dir, 3, (ended, expected) -> {
            if (ended > expected / 5 && downed.compareAndSet(false, true)) {
              Cluster.get(cluster.node(1)).manager().tell(new Down(Cluster.get(cluster.node(0)).selfMember().address()));
            }
          }));
      long seconds = (System.nanoTime() - started) / 1_000_000_000L;
      assertTrue(downed.get(), "the run got far enough to be downed");
      assertTrue(lost.getMessage().contains("the cluster downed this JVM's member " + self), lost.getMessage());
      assertTrue(seconds < 60, "the command did not wait for the client's silence limit: " + seconds + " s");
    }
  }
}
