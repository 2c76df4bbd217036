package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.node.Main;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dmaemu validate FILE}: DESIGN §8 exit codes, problems one per line on stderr. */
class ScenarioValidateCommandTest {

  private record Result(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Result execute(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.execute(
        args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String example(String name) {
    return ScenarioFiles.examplesDir().resolve(name).toString();
  }

  @Test
  @DisplayName("§8 a valid file: one line on stdout, exit 0")
  void validFile() {
    String file = example("quickstart.conf");
    Result r = execute("validate", file);
    assertEquals(Main.OK, r.exit(), r.err());
    assertEquals(file + ": valid — 2 groups, 16 devices, 0 adapter domains, 0 buses\n", r.out());
    assertEquals("", r.err());

    Result shared = execute("validate", example("shared-system-dma.conf"));
    assertEquals(example("shared-system-dma.conf") + ": valid — 3 groups, 16 devices, 1 adapter domain, 1 bus\n",
        shared.out());
  }

  @Test
  @DisplayName("§8 an invalid file: every problem on stderr, then the count, exit 2, nothing on stdout")
  void invalidFile() {
    Path file = ScenarioFiles.badDir().resolve("several-problems.conf");
    Result r = execute("validate", file.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals("", r.out());
    List<String> expected = new ArrayList<>();
    ScenarioLoader.load(file).problems().forEach(p -> expected.add(p.toString()));
    expected.add("dmaemu: 10 problems in " + file);
    assertEquals(expected, r.errLines());
  }

  @Test
  void oneProblem() {
    Path file = ScenarioFiles.badDir().resolve("count-zero.conf");
    Result r = execute("validate", file.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals(List.of(file + ":5: topology.groups.nic.count: must be at least 1 (got 0)",
        "dmaemu: 1 problem in " + file), r.errLines());
  }

  @Test
  void missingFile(@TempDir Path dir) {
    Path file = dir.resolve("nope.conf");
    Result r = execute("validate", file.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals(List.of(file + ": no such file", "dmaemu: 1 problem in " + file), r.errLines());
  }

  @Test
  void overridesOnTheCommandLine() {
    String file = example("quickstart.conf");
    Result ok = execute("validate", file, "--set", "topology.groups.nic.count=32", "--set", "run.seed=9");
    assertEquals(Main.OK, ok.exit(), ok.err());
    assertEquals(file + ": valid — 2 groups, 40 devices, 0 adapter domains, 0 buses\n", ok.out());

    Result bad = execute("validate", file, "--set", "topology.groups.nic.count=0");
    assertEquals(Main.BAD_INPUT, bad.exit());
    assertEquals(List.of("--set topology.groups.nic.count=0: topology.groups.nic.count: must be at least 1 (got 0)",
        "dmaemu: 1 problem in " + file), bad.errLines());

    Result malformed = execute("validate", file, "--set", "seed");
    assertEquals(Main.BAD_INPUT, malformed.exit());
    assertEquals(List.of("dmaemu: --set needs KEY=VALUE, e.g. --set run.seed=7 (got seed)"), malformed.errLines());
  }

  @Test
  void missingFileArgument() {
    Result r = execute("validate");
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals(List.of("dmaemu: missing required parameter: 'FILE'"), r.errLines());
  }

  @Test
  void helpListsValidate() {
    Result top = execute("--help");
    assertTrue(top.out().contains("validate"), top.out());
    Result validate = execute("validate", "--help");
    assertEquals(Main.OK, validate.exit());
    assertTrue(validate.out().contains("--set"), validate.out());
  }
}
