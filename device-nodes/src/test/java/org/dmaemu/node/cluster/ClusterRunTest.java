package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dmaemu.node.inspect.InspectText;
import org.dmaemu.node.inspect.Inspection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §9: one scenario file runs on one JVM or on many. Three ActorSystems in this JVM form a
 * cluster on 127.0.0.1; devices and the shared adapter domain and bus are sharded over them.
 */
class ClusterRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEVICES = 24;
  private static final int REQUESTS = 10;

  /** Two groups of closed-loop devices on one shared adapter domain and one bus. */
  static final String SCENARIO = String.join("\n",
      "run {",
      "  seed = 11",
      "  requests = " + REQUESTS,
      "  warm-up = 0ms",
      "  time-scale = 0.05",
      "  interval = 10ms",
      "}",
      "topology {",
      "  adapter-domains { iommu { map-registers = 64, policy = fifo, lock-policy = fifo } }",
      "  buses { pcie { bandwidth = \"2 GB/s\", header = 100ns, policy = round-robin } }",
      "  groups {",
      "    nic {",
      "      count = 12",
      "      driver = scatter-gather",
      "      transactions = 2",
      "      adapter-domain = iommu",
      "      bus = pcie",
      "      enabler { profile = scatter-gather64-duplex, maximum-length = 64 KiB, wdm-dma-version-override = 3 }",
      "    }",
      "    disk {",
      "      count = 12",
      "      driver = packet",
      "      transactions = 2",
      "      adapter-domain = iommu",
      "      bus = pcie",
      "      enabler { profile = packet64, maximum-length = 64 KiB, wdm-dma-version-override = 3 }",
      "    }",
      "  }",
      "}",
      "workloads {",
      "  nic { pattern = closed, outstanding = 2, read-fraction = 0.5, size { distribution = uniform, min = 512, max = 32 KiB } }",
      "  disk { pattern = closed, outstanding = 2, read-fraction = 0.7, size { distribution = fixed, bytes = 4 KiB } }",
      "}",
      "power { cycles = 1 }",
      "");

  private static TestCluster cluster;
  private static Scenario scenario;

  @BeforeAll
  static void startCluster(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("cluster-small.conf");
    Files.writeString(file, SCENARIO, StandardCharsets.UTF_8);
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file);
    assertTrue(loaded.isValid(), loaded.problems().toString());
    scenario = loaded.scenario();
    assertEquals(DEVICES, scenario.devices());
    cluster = TestCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName("a run on three nodes: devices on every node, one adapter domain waited on across nodes, merged accounting adds up")
  void threeNodes(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("run");
    AtomicLong lastEnded = new AtomicLong();
    ClusterRun.Report report = ClusterRun.runReporting(cluster.node(0), scenario, dir, 3, (ended, expected) -> lastEnded.set(ended));
    ScenarioRun.Result r = report.result();
    assertEquals(List.of(), r.failedChecks());
    assertEquals((long) DEVICES * REQUESTS, lastEnded.get(), "the progress ends at every request");

    JsonNode s = JSON.readTree(dir.resolve(ScenarioRun.SUMMARY).toFile());
    JsonNode acc = s.path("accounting");
    assertEquals((long) DEVICES * REQUESTS, acc.path("submitted").asLong());
    assertEquals(acc.path("submitted").asLong(),
        acc.path("completed").asLong() + acc.path("failed").asLong() + acc.path("cancelled").asLong()
            + acc.path("aborted").asLong());
    assertEquals(0, acc.path("unaccounted").asLong());
    assertEquals(DEVICES, s.path("devices").path("accounted").asInt());
    assertEquals(0, s.path("devices").path("unaccounted").asInt());

    // Devices ran on every node; the adapter domain on one of them, and the other nodes' devices waited on it.
    assertEquals(3, report.nodes().size());
    int devices = 0;
    String domainNode = null;
    for (ClusterResult.NodeShare n : report.nodes()) {
      assertTrue(n.devices() > 0, n.node() + " ran no device: " + report.nodes());
      devices += n.devices();
      if (n.arbiters().contains("domain iommu")) {
        domainNode = n.node();
      }
    }
    assertEquals(DEVICES, devices);
    assertTrue(domainNode != null, "the adapter domain ran on a node: " + report.nodes());
    int remoteWaiters = 0;
    for (ClusterResult.NodeShare n : report.nodes()) {
      if (!n.node().equals(domainNode)) {
        assertTrue(n.adapterLockWaits() > 0, n.node() + " recorded no adapter-lock wait on the remote domain");
        assertTrue(n.mapRegisterWaits() > 0, n.node() + " recorded no map-register wait on the remote domain");
        remoteWaiters++;
      }
    }
    assertEquals(2, remoteWaiters);
    long busWaits = report.nodes().stream().mapToLong(ClusterResult.NodeShare::busWaits).sum();
    assertTrue(busWaits > 0, "the bus recorded its waits");

    // The run directory: what an embedded run writes, from the merged results.
    for (String f : List.of("config.resolved.conf", "summary.json", "metrics.csv", "trace.json", "devices.csv",
        "report.html", "latency.hlog", "adapter-lock-wait.hlog", "map-register-wait.hlog", "bus-wait.hlog")) {
      assertTrue(Files.size(dir.resolve(f)) > 0, f);
    }
    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"), StandardCharsets.UTF_8);
    long completedInRows = 0;
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",", -1);
      if (cells[3].equals("group")) {
        completedInRows += Long.parseLong(cells[6]);
      }
    }
    assertEquals(acc.path("completed").asLong(), completedInRows, "the merged intervals add up to the totals");
    assertEquals(DEVICES + 1, Files.readAllLines(dir.resolve("devices.csv")).size());

    JsonNode trace = JSON.readTree(dir.resolve("trace.json").toFile());
    Set<Integer> pids = new HashSet<>();
    for (JsonNode e : trace.path("traceEvents")) {
      if (!e.path("ph").asText().equals("M")) {
        pids.add(e.path("pid").asInt());
      }
    }
    assertEquals(Set.of(1, 2, 3), pids, "every node's events are in the one trace, under its own pid");
  }

  @Test
  @DisplayName("DESIGN §5: placement does not change what devices do: 1 node, 3 nodes and an embedded run give equal workload digests")
  void placementDoesNotChangeResults(@TempDir Path tmp) throws IOException {
    ScenarioRun.Result three = ClusterRun.run(cluster.node(1), scenario, tmp.resolve("three"), 3, ScenarioRun.Progress.NONE);
    ScenarioRun.Result one;
    try (TestCluster single = TestCluster.start(1)) {
      one = ClusterRun.run(single.node(0), scenario, tmp.resolve("one"), 1, ScenarioRun.Progress.NONE);
    }
    ScenarioRun.Result embedded =
        ScenarioRun.run(scenario, tmp.resolve("embedded"), ConfigFactory.load(), ScenarioRun.Progress.NONE);

    Map<String, String> digests = digests(tmp.resolve("embedded"));
    assertEquals(DEVICES, digests.size());
    assertEquals(digests, digests(tmp.resolve("one")));
    assertEquals(digests, digests(tmp.resolve("three")));
    long submitted = submitted(embedded);
    assertEquals((long) DEVICES * REQUESTS, submitted);
    assertEquals(submitted, submitted(one));
    assertEquals(submitted, submitted(three));
    assertFalse(three.failedChecks().size() > 0, three.failedChecks().toString());
  }

  @Test
  @DisplayName("DESIGN §10 arbiter crash in a cluster run: the coordinator crashes the shared domain when due; lock and"
      + " registers rebuild, the summary counts the devices involved, and every request is accounted for")
  void arbiterCrashInClusterRun(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("crash.conf");
    Files.writeString(file, SCENARIO, StandardCharsets.UTF_8);
    // Long enough that the crash, 2 modeled ms after every device started, finds the domain busy.
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(
        file, Map.of("run.requests", "150"), List.of("arbiter-crash:id=crash-c,adapter-domain=iommu,at=2ms"));
    assertTrue(loaded.isValid(), loaded.problems().toString());
    Path dir = tmp.resolve("run");
    ScenarioRun.Result r = ClusterRun.run(cluster.node(2), loaded.scenario(), dir, 3, ScenarioRun.Progress.NONE);
    assertEquals(List.of(), r.failedChecks());

    JsonNode s = JSON.readTree(dir.resolve(ScenarioRun.SUMMARY).toFile());
    assertEquals((long) DEVICES * 150, s.path("accounting").path("submitted").asLong());
    assertEquals(0, s.path("accounting").path("unaccounted").asLong());
    JsonNode fault = s.path("faults").get(0);
    assertEquals("crash-c", fault.path("id").asText());
    assertTrue(fault.path("injected").asInt() > 0, "the crash found devices holding or waiting: " + fault);
    assertEquals(0, s.path("invariants").path("failing").asInt(), s.path("invariants").toString());

    Set<String> crashed = new HashSet<>();
    Set<String> rebuilt = new HashSet<>();
    for (JsonNode e : JSON.readTree(dir.resolve("trace.json").toFile()).path("traceEvents")) {
      if (e.path("args").path("fault").asText().equals("crash-c")) {
        String arbiter = e.path("args").path("arbiter").asText();
        if (e.path("name").asText().equals("ArbiterCrash")) {
          crashed.add(arbiter);
        } else if (e.path("name").asText().equals("ArbiterRebuild")) {
          rebuilt.add(arbiter);
        }
      }
    }
    assertEquals(Set.of("adapter lock", "map registers"), crashed);
    assertEquals(Set.of("adapter lock", "map registers"), rebuilt);
  }

  @Test
  @DisplayName("DESIGN §5 a cluster run whose requests keep ending is not stalled, however long before its first device finishes")
  void longClusterRunIsNotStalled(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("long.conf");
    Files.writeString(file, SCENARIO, StandardCharsets.UTF_8);
    // 150 modeled ms of requests per device: 3 s of real time; no device finishes before then.
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file, Map.of("run.duration", "150ms", "run.requests", "1000000",
        "run.callback-deadline", "20ms", "power.cycles", "0", "run.trace", "false"));
    assertTrue(loaded.isValid(), loaded.problems().toString());
    // No final answer for 1 s plus two deadlines (0.8 s) would be a stall.
    try (TestCluster one = TestCluster.start(1, ConfigFactory.parseString("dmaemu.stall-after = 1s"))) {
      ScenarioRun.Result r = ClusterRun.run(one.node(0), loaded.scenario(), tmp.resolve("run"), 1, ScenarioRun.Progress.NONE);
      assertEquals(List.of(), r.failedChecks());
      assertEquals(0, r.json().path("accounting").path("unaccounted").asLong(), r.json().path("accounting").toString());
    }
  }

  @Test
  @DisplayName("a client member (dmaemu run --join) submits a run and hosts none of it")
  void clientHostsNothing(@TempDir Path tmp) throws IOException {
    try (TestCluster four = TestCluster.start(2)) {
      ActorSystem<Void> client = four.joinClient();
      ScenarioRun.Result r = ClusterRun.run(client, scenario, tmp.resolve("client"), 2, ScenarioRun.Progress.NONE);
      assertEquals(List.of(), r.failedChecks());
      assertEquals((long) DEVICES * REQUESTS, submitted(r));
      List<String> rows = Files.readAllLines(tmp.resolve("client").resolve(ClusterRun.NODES));
      assertEquals(3, rows.size(), "a header and the two hosting nodes: " + rows);
      String clientAddress = client.address().toString();
      assertTrue(rows.stream().noneMatch(row -> row.contains(clientAddress)), rows + " has no " + clientAddress);
    }
  }

  @Test
  @DisplayName("dmaemu inspect: while a run goes, the shared domain's registers and lock, and devices with their transactions, from any node")
  void inspectWhileRunning(@TempDir Path tmp) throws Exception {
    // Longer than the other runs (300 requests a device), so that there is a run to look at.
    Path file = Files.writeString(tmp.resolve("longer.conf"), SCENARIO, StandardCharsets.UTF_8);
    ScenarioLoader.Loaded longer = ScenarioLoader.load(file, Map.of("run.requests", "300"));
    assertTrue(longer.isValid(), longer.problems().toString());
    CompletableFuture<ScenarioRun.Result> running = CompletableFuture.supplyAsync(() -> {
      try {
        return ClusterRun.run(cluster.node(0), longer.scenario(), tmp.resolve("run"), 3, ScenarioRun.Progress.NONE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    ActorTestKit kit = ActorTestKit.create(cluster.node(2));
    TestProbe<Inspection> probe = kit.createTestProbe();
    ActorRef<RunCoordinator.Command> coordinator = ClusterServices.start(cluster.node(2)).coordinator();
    Inspection seen = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      coordinator.tell(new RunCoordinator.InspectRun(List.of("nic-0001", "disk-0012"), 0, probe.getRef()));
      Inspection i = probe.receiveMessage(Duration.ofSeconds(10));
      assertFalse(i.run().isEmpty(), "a run is going");
      assertEquals(2, i.devices().size(), i.toString());
      return i;
    });
    assertEquals(3, seen.nodes().size());
    assertEquals(1, seen.adapters().size());
    assertEquals("iommu", seen.adapters().get(0).registers().adapterId());
    assertEquals(64, seen.adapters().get(0).registers().total());
    assertEquals(List.of("disk-0012", "nic-0001"), seen.devices().stream().map(d -> d.device().device().deviceId()).toList());
    for (Inspection.DeviceEntry d : seen.devices()) {
      assertEquals(2, d.device().transactions().size(), "two transactions each: " + d);
      assertTrue(seen.nodes().contains(d.node()), d.node());
    }
    assertTrue(InspectText.render(seen).contains("ADAPTER iommu"));
    ScenarioRun.Result done = running.get(120, TimeUnit.SECONDS);
    assertEquals(List.of(), done.failedChecks());
    // After the run: nothing to see.
    coordinator.tell(new RunCoordinator.InspectRun(List.of(), 5, probe.getRef()));
    assertTrue(probe.receiveMessage().run().isEmpty());
  }

  private static long submitted(ScenarioRun.Result r) {
    return r.json().path("accounting").path("submitted").asLong();
  }

  private static Map<String, String> digests(Path dir) throws IOException {
    Map<String, String> d = new TreeMap<>();
    List<String> lines = Files.readAllLines(dir.resolve("devices.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",");
      d.put(c[0], c[8]);
    }
    return d;
  }
}
