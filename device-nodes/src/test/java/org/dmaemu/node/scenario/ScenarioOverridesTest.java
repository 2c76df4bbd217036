package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --set key=value} overrides: applied on top of the file before validation, problems named after the override. */
class ScenarioOverridesTest {

  private static final String FILE = """
      run.seed = 1
      topology {
        adapter-domains.iommu { map-registers = 64 }
        groups.nic {
          count = 8
          driver = packet
          transactions = 4
          adapter-domain = iommu
        }
      }
      """;

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void writeFile() {
    file = ScenarioFiles.write(dir, "base.conf", FILE);
  }

  private static Map<String, String> sets(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private List<String> problems(Map<String, String> overrides) {
    return ScenarioLoader.load(file, overrides).problems().stream().map(Problem::toString).toList();
  }

  @Test
  void overridesReplaceValuesOfTheFile() {
    Scenario s = ScenarioLoader.load(file, sets(
        "topology.groups.nic.count", "32",
        "topology.adapter-domains.iommu.policy", "lottery",
        "run.seed", "99",
        "topology.groups.nic.engine.bandwidth", "\"2 GB/s\"",
        "workloads.nic.size", "{ distribution = uniform, min = 1 KiB, max = 8 KiB }")).scenario();
    assertEquals(32, s.groups().get(0).count());
    assertEquals("lottery", s.topology().adapterDomains().get(0).policy());
    assertEquals(99, s.run().seed());
    assertEquals(2000.0, s.groups().get(0).engine().bytesPerMicrosecond());
    assertEquals(8192, s.groups().get(0).workload().sizes().max());
  }

  @Test
  @DisplayName("§6 a problem in an override names the override, not a file line")
  void problemsInOverridesNameTheOverride() {
    assertEquals(List.of(
            "--set topology.groups.nic.count=0: topology.groups.nic.count: must be at least 1 (got 0)",
            "--set topology.adapter-domains.iommu.policy=lotery: topology.adapter-domains.iommu.policy: must be one of"
                + " fifo, priority, round-robin, weighted-fair, lottery (got lotery)",
            "--set run.sed=3: run.sed: unknown key; did you mean seed?",
            "--set topology.groups.new.count=2: topology.groups.new.driver: missing: one of scatter-gather, packet,"
                + " reserving-packet, system"),
        problems(sets(
            "topology.groups.nic.count", "0",
            "topology.adapter-domains.iommu.policy", "lotery",
            "run.sed", "3",
            "topology.groups.new.count", "2")));
  }

  @Test
  void overridesThatAreNotKeyValuePairs() {
    assertEquals(List.of(
            "--set a..b=1: not a key path: write --set key.path=value, e.g. --set run.seed=7",
            "--set run.seed=: run.seed: missing a value after '='",
            "--set run.requests=1, run.seed = 5: run.requests: must be one HOCON value (got 1, run.seed = 5)"),
        problems(sets("a..b", "1", "run.seed", "", "run.requests", "1, run.seed = 5")));
    List<String> unparsable = problems(sets("run.seed", "[1"));
    assertEquals(1, unparsable.size());
    assertTrue(unparsable.get(0).startsWith("--set run.seed=[1: run.seed: not a HOCON value: "), unparsable.get(0));
  }

  @Test
  void fileProblemsComeFirstByLineThenOverridesInOrder() {
    Path bad = ScenarioFiles.write(dir, "bad.conf", FILE + "power.cycles = -1\n");
    List<String> problems = ScenarioLoader.load(bad, sets("run.seed", "x", "topology.groups.nic.weight", "0"))
        .problems().stream().map(Problem::toString).toList();
    assertEquals(List.of(
            bad + ":11: power.cycles: must be at least 0 (got -1)",
            "--set run.seed=x: run.seed: must be a whole number (got x)",
            "--set topology.groups.nic.weight=0: topology.groups.nic.weight: must be at least 1 (got 0)"),
        problems);
  }

  @Test
  void anOverrideCanFixTheFile() {
    Path bad = ScenarioFiles.write(dir, "bad.conf", FILE.replace("count = 8", "count = 0"));
    assertTrue(ScenarioLoader.load(bad, sets("topology.groups.nic.count", "4")).isValid());
  }

  @Test
  void anObjectValueMergesWithTheFilesObject() {
    Scenario s = ScenarioLoader.load(file, sets("topology.groups.nic", "{ count = 3 }")).scenario();
    assertEquals(3, s.groups().get(0).count());
    assertEquals(4, s.groups().get(0).transactions());
  }

  @Test
  void laterOverridesWinAndSubstitutionsSeeTheResult() {
    Scenario s = ScenarioLoader.load(file, sets(
        "topology.groups.nic", "{ count = 3 }",
        "topology.groups.nic.count", "5",
        "run.requests", "${topology.groups.nic.count}")).scenario();
    assertEquals(5, s.groups().get(0).count());
    assertEquals(5, s.run().requests());
  }

  @Test
  void aProblemInTheFileStaysOnItsLineWhenAnOverrideTouchesTheSameObject() {
    Path bad = ScenarioFiles.write(dir, "bad.conf", FILE.replace("transactions = 4", "transactions = 0"));
    assertEquals(List.of(bad + ":7: topology.groups.nic.transactions: must be at least 1 (got 0)"),
        ScenarioLoader.load(bad, sets("topology.groups.nic.count", "2")).problems().stream().map(Problem::toString).toList());
  }
}
