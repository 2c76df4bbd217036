package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos, bounded (DESIGN §10; anchors §C: Jepsen's nemesis kills and pauses processes while the
 * workload runs, then a checker reads the history): {@code dmaemu cluster --nodes 3} on 127.0.0.1
 * with a few hundred devices, some on a shared adapter domain, message and callback faults, node 2
 * paused (shorter than the failure detector's acceptable pause, so it comes back) and node 3
 * killed mid-run. Whatever the faults did, every request must be accounted for, the crash must be
 * seen in the accounting, the run's checks must pass except where a fault explains it, and no node
 * may outlive the command. Prints how long the shared domain took to get back what the dead node's
 * transactions held. Runs from the shaded jar, after {@code package}; must end within 90 s.
 */
class ClusterChaosIT {

  private static final Path JAR = Path.of("target", "dmaemu.jar");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LIMIT_SECONDS = 90;

  /**
   * 240 devices, NICs on one shared adapter domain, node 2 paused 3 s and node 3 killed 6 s after
   * every device has started (the file says why each number is what it is).
   */
  private static final Path SCENARIO =
      Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("benchmarks/scenarios/node-crash.conf");

  private static final Pattern SIGNALLED = Pattern.compile("fault (\\S+) \\(.*\\): SIG(KILL|STOP) to node (\\d) \\(pid (\\d+),");

  @Test
  @DisplayName("§10 chaos: lost interrupts, callback failures, node 2 paused and node 3 killed mid-run: every request accounted, no node left")
  void chaos(@TempDir Path tmp) throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the shaded jar is built in package, before this test: " + JAR.toAbsolutePath());
    assertTrue(Files.isRegularFile(SCENARIO), SCENARIO.toString());
    Path run = tmp.resolve("run");
    Path output = tmp.resolve("output.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long start = System.nanoTime();
    Process p = new ProcessBuilder(java, "-Xmx384m", "-jar", JAR.toString(), "cluster", "--nodes", "3",
            SCENARIO.toString(), "--out", run.toString(), "--quiet", "--node-heap", "256m", "--set", "run.trace=true",
            "--fault", "lost-interrupt:id=lost,probability=0.01",
            "--fault", "callback-failure:id=start,callback=EvtDmaEnablerSelfManagedIoStart,probability=0.01")
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    boolean ended = p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
    if (!ended) {
      // SIGTERM: the command's shutdown hook kills the nodes it started.
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String printed = Files.readString(output);
    assertTrue(ended, "dmaemu cluster did not end within " + LIMIT_SECONDS + " s:\n" + printed);

    // Both node faults were carried out, on the processes the plan names.
    Map<String, Long> pids = new HashMap<>();
    Matcher m = SIGNALLED.matcher(printed);
    while (m.find()) {
      pids.put(m.group(1), Long.parseLong(m.group(4)));
    }
    assertEquals(2, pids.size(), "a SIGSTOP and a SIGKILL line:\n" + printed);
    assertTrue(printed.contains("fault pause2 over: SIGCONT to node 2 (pid " + pids.get("pause2") + ")"), printed);

    JsonNode s = JSON.readTree(run.resolve("summary.json").toFile());
    JsonNode acc = s.path("accounting");
    JsonNode devices = s.path("devices");
    assertEquals(0, acc.path("unaccounted").asLong(), acc + "\n" + printed);
    assertTrue(acc.path("balanced").asBoolean(), acc.toString());
    assertEquals(acc.path("submitted").asLong(), acc.path("completed").asLong() + acc.path("failed").asLong()
        + acc.path("cancelled").asLong() + acc.path("aborted").asLong(), acc.toString());
    long abortedByFaults = 0;
    for (JsonNode n : acc.path("abortedByFault")) {
      abortedByFaults += n.asLong();
    }
    assertEquals(acc.path("aborted").asLong(), abortedByFaults, "every aborted request names its fault: " + acc);
    assertEquals(0, devices.path("unaccounted").asInt(), devices.toString());
    assertEquals(devices.path("total").asInt(), devices.path("accounted").asInt() + devices.path("lostWithNode").asInt(),
        devices.toString());

    Map<String, JsonNode> nodeFaults = new HashMap<>();
    for (JsonNode f : s.path("nodeFaults")) {
      nodeFaults.put(f.path("id").asText(), f);
    }
    JsonNode crash = nodeFaults.get("crash3");
    JsonNode pause = nodeFaults.get("pause2");
    assertEquals("executed", crash.path("outcome").asText(), crash.toString());
    assertEquals("executed", pause.path("outcome").asText(), pause.toString());
    assertTrue(pause.path("removedAfterMillis").isNull(), "the paused node came back and stayed: " + pause);
    assertTrue(acc.path("abortedByFault").path("crash3").asLong() > 0 || crash.path("devicesLost").asInt() > 0,
        "the crash aborted requests or took devices: " + crash);
    assertEquals(crash.path("devicesLost").asInt(), devices.path("lostWithNode").asInt());
    assertTrue(crash.path("removedAfterMillis").asLong() > 0, crash.toString());

    // The run's checks pass: the watchdog recovers every lost interrupt, and what the lost node's
    // devices left unfinished is within the crash's reach (the coordinator traces each lost device).
    long lostInterrupts = 0;
    for (JsonNode f : s.path("faults")) {
      if (f.path("fault").asText().startsWith("message interrupts drop")) {
        lostInterrupts += f.path("injected").asLong();
      }
    }
    assertEquals(lostInterrupts, faultById(s, "lost").path("injected").asLong());
    // The seed has the callback failures hit three devices as they start (seeded: the same ones every run).
    assertEquals(3, faultById(s, "start").path("injected").asLong(), s.path("faults").toString());
    assertEquals(3, devices.path("failed").asInt(), devices.toString());
    assertTrue(lostInterrupts > 0, "1% of the interrupts were dropped: " + s.path("faults"));
    List<String> failedChecks = new ArrayList<>();
    s.path("run").path("failedChecks").forEach(c -> failedChecks.add(c.asText()));
    assertEquals(List.of(), failedChecks, printed);
    JsonNode invariants = s.path("invariants");
    assertTrue(invariants.path("traced").asBoolean(), invariants.toString());
    assertTrue(invariants.path("checked").asLong() > 0, invariants.toString());
    assertEquals(0, invariants.path("failing").asLong(), "no invariant violation beyond the injected ones: " + invariants);
    assertEquals(s.path("run").path("checksPassed").asBoolean() ? 0 : 1, p.exitValue(), printed);
    assertEquals(0, s.path("bugChecks").size(), s.path("bugChecks").toString());

    // No node outlives the command: not the killed one, not the paused one, not the third.
    for (long pid : pids.values()) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is still running");
    }
    List<String> rows = Files.readAllLines(run.resolve("nodes.csv"));
    assertEquals(4, rows.size(), rows.toString());
    for (String row : rows.subList(1, rows.size())) {
      String address = row.split(",", -1)[1];
      int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
      assertTrue(portFree(port), "node " + address + " still listens after the command ended");
    }
    assertTrue(rows.stream().anyMatch(r -> r.startsWith("3,") && r.contains(",crash3,")), rows.toString());

    System.out.printf(Locale.ROOT,
        "chaos run: %.1f s wall; crash3: %d devices lost, %d requests aborted, node removed %.1f s after SIGKILL, "
            + "shared domain took back %d locks and %d map registers %s; aborted by fault %s; faults %s%n",
        seconds, crash.path("devicesLost").asInt(), crash.path("requestsAborted").asLong(),
        crash.path("removedAfterMillis").asLong() / 1000.0, crash.path("locksReclaimed").asLong(),
        crash.path("mapRegistersReclaimed").asLong(),
        crash.path("reclaimedAfterMillis").isNull()
            ? "(the node held nothing of it)"
            : String.format(Locale.ROOT, "%.1f s after SIGKILL", crash.path("reclaimedAfterMillis").asLong() / 1000.0),
        acc.path("abortedByFault"), s.path("faults"));
  }

  private static JsonNode faultById(JsonNode summary, String id) {
    for (JsonNode f : summary.path("faults")) {
      if (f.path("id").asText().equals(id)) {
        return f;
      }
    }
    throw new AssertionError("no fault " + id + " in " + summary.path("faults"));
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
