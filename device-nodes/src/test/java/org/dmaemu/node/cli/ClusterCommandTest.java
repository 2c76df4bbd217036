package org.dmaemu.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dmaemu.node.Main;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dmaemu cluster}'s checks of a fault plan before it starts anything (DESIGN §8: exit code 2). */
class ClusterCommandTest {

  private static final String SCENARIO = """
      run { seed = 1, requests = 5 }
      topology.groups.nic { count = 2, driver = packet, enabler { profile = packet64, maximum-length = 64 KiB } }
      workloads.nic { pattern = closed, outstanding = 1, size { distribution = fixed, bytes = 4 KiB } }
      """;

  private static int dmaemu(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("§8 a node fault on a node the cluster does not have: exit code 2, one line naming the fault, nothing started")
  void nodeBeyondTheCluster(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("small.conf"), SCENARIO);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = dmaemu(out, err, "cluster", "--nodes", "2", file.toString(), "--out", tmp.resolve("run").toString(),
        "--fault", "node-crash:id=c,node=3,at=1s");
    assertEquals(Main.BAD_INPUT, exit);
    assertEquals(List.of("dmaemu: fault c (node-crash) names node 3, but --nodes is 2: nodes are numbered 1 (this JVM, "
        + "which no fault may hit) to 2"), err.toString(StandardCharsets.UTF_8).lines().toList());
    assertEquals(false, Files.exists(tmp.resolve("run")), "no run directory");
  }

  @Test
  @DisplayName("§8 a node fault on node 1, the command's own JVM: exit code 2 with the file's problem")
  void nodeOne(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("small.conf"), SCENARIO);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = dmaemu(out, err, "cluster", "--nodes", "3", file.toString(), "--fault", "node-pause:node=1,at=1s");
    assertEquals(Main.BAD_INPUT, exit);
    List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals("dmaemu: 1 problem in " + file, lines.get(lines.size() - 1), lines.toString());
  }
}
