package org.dmaemu.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line: DESIGN §8 exit codes, one-line errors. */
class MainTest {

  private record Result(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Result execute(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.execute(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(List.of("run", "--devices", "0"), "dmaemu: --devices must be at least 1 (got 0)"),
        Arguments.of(List.of("run", "--devices", "-3"), "dmaemu: --devices must be at least 1 (got -3)"),
        Arguments.of(List.of("run", "--cycles", "-1"), "dmaemu: --cycles must be at least 0 (got -1)"),
        Arguments.of(List.of("run", "--time-scale", "0"), "dmaemu: --time-scale must be a positive number (got 0.0)"),
        Arguments.of(List.of("run", "--time-scale", "NaN"), "dmaemu: --time-scale must be a positive number (got NaN)"),
        Arguments.of(List.of("run", "--time-scale", "-2.5"), "dmaemu: --time-scale must be a positive number (got -2.5)"),
        Arguments.of(
            List.of("run", "--devices", "ten"), "dmaemu: invalid value for option '--devices': 'ten' is not an int"),
        Arguments.of(
            List.of("run", "--devices", "99999999999"),
            "dmaemu: invalid value for option '--devices': '99999999999' is not an int"),
        Arguments.of(List.of("run", "--seed", "1.5"), "dmaemu: invalid value for option '--seed': '1.5' is not a long"),
        Arguments.of(List.of("run", "--bogus"), "dmaemu: unknown option: '--bogus'; see 'dmaemu run --help'"),
        Arguments.of(List.of("run", "--devices"), "dmaemu: missing required parameter for option '--devices' (INT)"),
        Arguments.of(List.of(), "dmaemu: missing command; see 'dmaemu --help'"),
        Arguments.of(List.of("frobnicate", "x.conf"), "dmaemu: unmatched arguments from index 0: 'frobnicate', 'x.conf'; see 'dmaemu --help'"),
        Arguments.of(
            List.of("run", "--trace", "/nonexistent-dmaemu-dir/t.json"),
            "dmaemu: cannot write trace file /nonexistent-dmaemu-dir/t.json: no such directory"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badArguments")
  @DisplayName("§8 bad input: exit code 2 and one line on stderr")
  void badInput(List<String> args, String message) {
    Result r = execute(args.toArray(String[]::new));
    assertEquals(Main.BAD_INPUT, r.exit(), r.err());
    assertEquals(List.of(message), r.errLines());
    assertEquals("", r.out());
  }

  @Test
  @DisplayName("§8 a trace path that is a directory is bad input")
  void traceIntoDirectory(@TempDir Path dir) {
    Result r = execute("run", "--devices", "1", "--trace", dir.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals(List.of("dmaemu: cannot write trace file " + dir + ": is a directory"), r.errLines());
  }

  @Test
  void helpForTheCommandAndForRun() {
    Result top = execute("--help");
    assertEquals(Main.OK, top.exit());
    assertTrue(top.out().contains("run"), top.out());
    assertEquals("", top.err());

    Result run = execute("run", "--help");
    assertEquals(Main.OK, run.exit());
    for (String option : List.of("--seed", "--devices", "--cycles", "--trace", "--time-scale", "--quiet")) {
      assertTrue(run.out().contains(option), option + " missing from\n" + run.out());
    }
  }

  @Test
  @DisplayName("§8 a run whose devices all answered exits 0; --quiet prints one line")
  void quietRun() {
    Result r = execute("run", "--devices", "20", "--cycles", "1", "--seed", "3", "--quiet");
    assertEquals(Main.OK, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(1, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("dmaemu run: seed=3 devices=20 "), lines.get(0));
    assertTrue(lines.get(0).contains(" unaccounted=0 "), lines.get(0));
    for (String key : List.of(" crashed=0 ", " dma-devices=", " requests=", " requests-completed=", " requests-failed=",
        " requests-unfinished=0 ", " bytes=", " latency-us=", " lock-wait-us=", " register-wait-us=", " bug-checks=0 ",
        " leaked-registers=0 ", " held-by-stuck-devices=", " checks=passed ")) {
      assertTrue(lines.get(0).contains(key), key + " missing from " + lines.get(0));
    }
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void tableRun() {
    Result r = execute("run", "--devices", "10", "--cycles", "0", "--seed", "5");
    assertEquals(Main.OK, r.exit(), r.err());
    for (String row : List.of("devices", "reached D0", "crashed (bug check)", "failed power-ups", "failed power-downs",
        "hangs", "crashes", "DMA devices", "DMA transactions (I/O requests)", "unfinished", "bytes moved (MiB)",
        "request latency", "adapter-lock wait", "map-register wait", "bug checks", "map registers leaked",
        "map registers held by stuck devices", "callbacks delivered", "PnP requests", "wall time",
        "callbacks per second", "seed", "checks")) {
      assertTrue(r.out().contains(row), row + " missing from\n" + r.out());
    }
  }
}
