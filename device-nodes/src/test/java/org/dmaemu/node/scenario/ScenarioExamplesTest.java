package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The example scenarios in scenarios/: valid, small enough for CI, and stable through resolved(). */
class ScenarioExamplesTest {

  static List<Path> examples() {
    return ScenarioFiles.examples();
  }

  @Test
  void theExamplesAreThere() {
    assertEquals(
        List.of("adapter-lock-convoy.conf", "fault-plan.conf", "map-register-starvation.conf", "power-during-io.conf", "quickstart.conf",
            "reservation-vs-none.conf", "shared-system-dma.conf"),
        examples().stream().map(p -> p.getFileName().toString()).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void loadsWithoutProblems(Path file) {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file);
    assertEquals(List.of(), loaded.problems(), () -> String.join("\n", loaded.problems().stream().map(Problem::toString).toList()));
    Scenario s = loaded.scenario();
    String base = file.getFileName().toString().replace(".conf", "");
    assertEquals(base, s.name());
    assertTrue(s.devices() <= 64, "at most 64 devices for CI, got " + s.devices());
    assertTrue(s.run().requests() >= 1 && s.run().requests() <= 200, "at most 200 requests per device");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void resolvedTextLoadsToTheSameScenario(Path file, @TempDir Path dir) {
    Scenario original = ScenarioLoader.load(file).scenario();
    String text = ScenarioLoader.resolved(original);
    Path copy = ScenarioFiles.write(dir, "copy-of-" + file.getFileName(), text);
    ScenarioLoader.Loaded again = ScenarioLoader.load(copy);
    assertEquals(List.of(), again.problems(), text);
    // The name is written out; only the source differs.
    assertEquals(withSource(original, copy), again.scenario(), text);
    // Resolving twice changes nothing but the header's source.
    assertEquals(withoutComments(text), withoutComments(ScenarioLoader.resolved(again.scenario())));
  }

  @Test
  @DisplayName("§7 the resolved text round-trips every kind of value, odd names and non-default numbers included")
  void resolvedRoundTripOfEveryFeature(@TempDir Path dir) {
    Path file = ScenarioFiles.write(dir, "every feature.conf", """
        run { seed = -9, duration = 1500us, warm-up = 250us, time-scale = 0.1, interval = 7ms, output = "a b/c" }
        topology {
          page-size = 512
          map-register-limit = 3
          verifier.on-violation = record
          adapter-domains {
            "0" { map-registers = 9, policy = lottery, lock-policy = priority }
          }
          buses { include-x { bandwidth = "800 MiB/s", header = 1ns, policy = weighted-fair } }
          groups {
            true-x {
              count = 2, driver = system, transactions = 3, adapter-domain = "0", weight = 7
              enabler { profile = system-duplex, maximum-length = 1000, callbacks = [flush, fill] }
              engine { channels = 3, bandwidth = "1234.5678 KB/s", latency = 0 }
            }
            null-y {
              count = 1, driver = scatter-gather, kmdf-version = "1.19", interrupts = 3, bus = include-x
              policies { adapter-lock = round-robin, map-registers = weighted-fair }
              enabler {
                profile = scatter-gather-duplex, address-width-override = 30, wdm-dma-version-override = 3
                flags = [require-single-transfer, no-sglist-preallocation], callbacks = none
              }
            }
          }
        }
        workloads {
          true-x { pattern = on-off, rate = 0.3, on = 1us, off = 0, read-fraction = 0.1,
                   size { distribution = lognormal, median = 3000, sigma = 0.7, min = 100, max = 5 MiB } }
          null-y { pattern = open, rate = 12345.678, size { distribution = empirical,
                   table = [ { bytes = 1 }, { bytes = 3 GiB, weight = 0.25 } ] } }
        }
        power { cycles = 5, every = 3ms, surprise-removal { fraction = 0.3, after = 0 } }
        """);
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file);
    assertEquals(List.of(), loaded.problems());
    Scenario original = loaded.scenario();
    assertEquals("every-feature", original.name());
    String text = ScenarioLoader.resolved(original);
    Path copy = ScenarioFiles.write(dir, "copy.conf", text);
    ScenarioLoader.Loaded again = ScenarioLoader.load(copy);
    assertEquals(List.of(), again.problems(), text);
    assertEquals(withSource(original, copy), again.scenario(), text);
  }

  static Scenario withSource(Scenario s, Path source) {
    return new Scenario(s.name(), source, s.run(), s.topology(), s.groups(), s.power(), s.faults());
  }

  private static String withoutComments(String text) {
    return String.join("\n", text.lines().filter(l -> !l.startsWith("#")).toList());
  }
}
