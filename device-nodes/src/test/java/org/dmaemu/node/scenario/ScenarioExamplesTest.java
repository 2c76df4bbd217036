package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
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
  void theFiveExamplesAreThere() {
    assertEquals(
        List.of("adapter-lock-convoy.conf", "map-register-starvation.conf", "quickstart.conf",
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

  static Scenario withSource(Scenario s, Path source) {
    return new Scenario(s.name(), source, s.run(), s.topology(), s.groups(), s.power());
  }

  private static String withoutComments(String text) {
    return String.join("\n", text.lines().filter(l -> !l.startsWith("#")).toList());
  }
}
