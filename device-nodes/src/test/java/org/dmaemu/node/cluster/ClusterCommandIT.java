package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dmaemu cluster --nodes 3} for real: three JVMs on 127.0.0.1 started from the shaded jar
 * (so it runs after {@code package}), one scenario across them, one merged run directory, and every
 * node stopped at the end. Bounded: the command must end within two minutes.
 */
class ClusterCommandIT {

  private static final Path JAR = Path.of("target", "dmaemu.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String SCENARIO = """
      run { seed = 5, requests = 30, time-scale = 0.05, interval = 10ms }
      topology {
        adapter-domains.iommu { map-registers = 32, policy = fifo }
        groups {
          nic { count = 12, driver = scatter-gather, transactions = 2, adapter-domain = iommu
                enabler { profile = scatter-gather64-duplex, maximum-length = 64 KiB, wdm-dma-version-override = 3 } }
          disk { count = 12, driver = packet, transactions = 2, adapter-domain = iommu
                 enabler { profile = packet64, maximum-length = 64 KiB, wdm-dma-version-override = 3 } }
        }
      }
      workloads {
        nic { pattern = closed, outstanding = 2, size { distribution = uniform, min = 512, max = 32 KiB } }
        disk { pattern = closed, outstanding = 2, size { distribution = fixed, bytes = 8 KiB } }
      }
      """;

  @Test
  @DisplayName("DESIGN §9: dmaemu cluster --nodes 3 runs a scenario on three JVMs, merges the results, stops every node")
  void threeJvms(@TempDir Path tmp) throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the shaded jar is built in package, before this test: " + JAR.toAbsolutePath());
    Path scenario = tmp.resolve("three.conf");
    Files.writeString(scenario, SCENARIO);
    Path run = tmp.resolve("run");
    Path output = tmp.resolve("output.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx512m", "-jar", JAR.toString(), "cluster", "--nodes", "3",
            scenario.toString(), "--out", run.toString(), "--quiet", "--node-heap", "384m")
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      // SIGTERM: the command's shutdown hook kills the nodes it started.
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    String printed = Files.readString(output);
    assertTrue(ended, "dmaemu cluster did not end within 2 minutes:\n" + printed);
    assertEquals(0, p.exitValue(), printed);

    JsonNode summary = JSON.readTree(run.resolve("summary.json").toFile());
    JsonNode acc = summary.path("accounting");
    assertEquals(24 * 30, acc.path("submitted").asLong(), printed);
    assertEquals(24 * 30, acc.path("completed").asLong());
    assertEquals(0, acc.path("unaccounted").asLong());
    assertEquals(24, summary.path("devices").path("accounted").asInt());

    List<String> nodes = Files.readAllLines(run.resolve("nodes.csv"));
    assertEquals(4, nodes.size(), "a header and three nodes:\n" + nodes);
    int devices = 0;
    int holdingTheDomain = 0;
    for (String row : nodes.subList(1, nodes.size())) {
      String[] f = row.split(",", -1);
      int n = Integer.parseInt(f[2]);
      assertTrue(n > 0, "devices ran on every node: " + nodes);
      devices += n;
      if (f[7].contains("domain iommu")) {
        holdingTheDomain++;
      }
      // The node is gone: its remoting port is free again.
      int port = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1));
      assertTrue(portFree(port), "node " + f[1] + " still listens after the command ended");
    }
    assertEquals(24, devices);
    assertEquals(1, holdingTheDomain, "the shared adapter domain is one entity on one node: " + nodes);
    try (var logs = Files.list(run.resolve("nodes"))) {
      assertEquals(2, logs.count(), "one log per child node");
    }
  }

  private static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
