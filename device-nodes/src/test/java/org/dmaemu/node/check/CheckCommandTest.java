package org.dmaemu.node.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dmaemu.node.Main;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dmaemu check RUN_DIR}: DESIGN §8 exit codes, the report, --json, and bad input named plainly. */
class CheckCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Result(int exit, String out, String err) {}

  private static Result execute(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.execute(
        args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A run directory holding one of the test traces as trace.json, and a summary.json when accounting is given. */
  private static Path runDir(Path tmp, String trace, String accounting) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("run"));
    Files.copy(CheckTraces.file(trace), dir.resolve("trace.json"));
    if (accounting != null) {
      Files.writeString(dir.resolve("summary.json"), "{\"schema\":\"dmaemu-summary/1\",\"accounting\":" + accounting + "}");
    }
    return dir;
  }

  private static final String BALANCED =
      "{\"submitted\":10,\"completed\":7,\"failed\":1,\"cancelled\":1,\"aborted\":1,\"unaccounted\":0,\"balanced\":true}";

  @Test
  @DisplayName("§8 exit 0: a clean trace and balanced accounting; the last lines count what was checked")
  void clean(@TempDir Path tmp) throws IOException {
    Path dir = runDir(tmp, "clean.json", BALANCED);
    Result r = execute("check", dir.toString());
    assertEquals(Main.OK, r.exit(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("dmaemu check: " + dir.resolve("trace.json") + "\n"), r.out());
    assertTrue(r.out().contains("invariants: 56 events checked, 0 violations\n"), r.out());
    assertTrue(r.out().contains("accounting: 10 submitted = 7 completed + 1 failed + 1 cancelled + 1 aborted (0 unaccounted): balanced"),
        r.out());
    assertTrue(r.out().endsWith("check passed\n"), r.out());
  }

  @Test
  @DisplayName("§8 exit 1: each violation with its events, the count line, one line on stderr")
  void violation(@TempDir Path tmp) throws IOException {
    // reference §4.3 (lock-overlap.json).
    Result r = execute("check", runDir(tmp, "lock-overlap.json", BALANCED).toString());
    assertEquals(Main.RUN_FAILED, r.exit());
    assertTrue(r.out().contains("[adapter-lock-exclusion] dev-2/enabler-0/tx-1 at 15 us: the lock of adapter shared"), r.out());
    assertTrue(r.out().contains("10 X AdapterLockHeld [shared] dur=10 device=dev-1 transaction=dev-1/enabler-0/tx-1\n"), r.out());
    assertTrue(r.out().contains("invariants: 3 events checked, 1 violation (adapter-lock-exclusion 1), 0 injected by faults, 1 failing"),
        r.out());
    assertTrue(r.out().endsWith("check FAILED\n"), r.out());
    assertTrue(r.err().startsWith("dmaemu: 1 invariant violation in the trace (adapter-lock-exclusion 1); first:"), r.err());
    assertEquals(1, r.err().lines().count());
  }

  @Test
  @DisplayName("DESIGN §10 exit 1: summary.json's accounting does not balance, although the trace is clean")
  void unbalanced(@TempDir Path tmp) throws IOException {
    Result r = execute("check", runDir(tmp, "clean.json",
        "{\"submitted\":10,\"completed\":7,\"failed\":1,\"cancelled\":1,\"aborted\":0,\"unaccounted\":1}").toString());
    assertEquals(Main.RUN_FAILED, r.exit());
    assertTrue(r.out().contains("NOT balanced"), r.out());
    assertEquals("dmaemu: summary.json accounting does not balance: submitted 10 != completed 7 + failed 1 + cancelled 1"
        + " + aborted 0 (= 9)\n", r.err());
  }

  @Test
  @DisplayName("DESIGN §10 injected violations are reported with their fault and leave exit 0")
  void injected(@TempDir Path tmp) throws IOException {
    Result r = execute("check", runDir(tmp, "injected.json", null).toString());
    assertEquals(Main.OK, r.exit(), r.err());
    assertTrue(r.out().contains("(injected: fault drop-1)"), r.out());
    assertTrue(r.out().contains("3 violations (adapter-lock-exclusion 1 (1 injected), power-callback-order 2 (2 injected)),"
        + " 3 injected by faults, 0 failing"), r.out());
    assertTrue(r.out().contains("accounting: not checked (no summary.json)"), r.out());
  }

  @Test
  @DisplayName("--json: the same result for machines, violations with their events")
  void json(@TempDir Path tmp) throws IOException {
    Result r = execute("check", runDir(tmp, "registers-leak.json", BALANCED).toString(), "--json");
    assertEquals(Main.RUN_FAILED, r.exit());
    JsonNode j = JSON.readTree(r.out());
    assertFalse(j.path("passed").asBoolean());
    assertEquals(1, j.path("invariants").path("violations").asInt());
    assertEquals(1, j.path("invariants").path("byClass").path("map-register-leak").asInt());
    assertEquals(0, j.path("invariants").path("byClass").path("adapter-lock-exclusion").asInt());
    JsonNode v = j.path("violations").get(0);
    assertEquals("map-register-leak", v.path("class").asText());
    assertEquals("dev-1/enabler-0/tx-1", v.path("transaction").asText());
    assertEquals("MapRegistersGranted", v.path("events").get(0).path("name").asText());
    assertEquals("3", v.path("events").get(0).path("args").path("count").asText());
    assertTrue(j.path("accounting").path("balanced").asBoolean());
  }

  @Test
  @DisplayName("a trace file instead of a directory (dmaemu run --trace FILE) is checked as is")
  void traceFile() {
    Result r = execute("check", CheckTraces.file("clean.json").toString());
    assertEquals(Main.OK, r.exit(), r.err());
    assertTrue(r.out().contains("accounting: not checked (no summary.json)"), r.out());
  }

  @Test
  @DisplayName("§8 exit 2 with one plain line: no such directory, no trace.json, invalid JSON (file and byte), a bad summary.json")
  void badInput(@TempDir Path tmp) throws IOException {
    Path missing = tmp.resolve("nowhere");
    Result r = execute("check", missing.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals("dmaemu: " + missing + ": no such directory\n", r.err());
    assertEquals("", r.out());

    Path untraced = Files.createDirectories(tmp.resolve("untraced"));
    Files.writeString(untraced.resolve("summary.json"), "{\"accounting\":" + BALANCED + "}");
    r = execute("check", untraced.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals("dmaemu: " + untraced + " has no trace.json: the run wrote no trace (run.trace = false), so there is"
        + " nothing to check\n", r.err());

    Path cut = Files.createDirectories(tmp.resolve("cut"));
    byte[] whole = Files.readAllBytes(CheckTraces.file("clean.json"));
    Files.write(cut.resolve("trace.json"), java.util.Arrays.copyOf(whole, 700));
    r = execute("check", cut.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertTrue(r.err().startsWith("dmaemu: " + cut.resolve("trace.json") + ": not valid JSON: "), r.err());
    assertTrue(r.err().endsWith("(at byte 700)\n"), r.err());

    Path badSummary = runDir(tmp.resolve("s"), "clean.json", null);
    Files.writeString(badSummary.resolve("summary.json"), "{\"accounting\":{\"submitted\":\"ten\"}}");
    r = execute("check", badSummary.toString());
    assertEquals(Main.BAD_INPUT, r.exit());
    assertEquals("dmaemu: " + badSummary.resolve("summary.json") + ": accounting.submitted is not an integer (got \"ten\")\n",
        r.err());
  }

  /** requests.json's ends: 2 completed, 1 cancelled, 1 aborted by irq, 1 by hang. */
  private static final String AS_TRACED = "{\"submitted\":5,\"completed\":2,\"failed\":0,\"cancelled\":1,\"aborted\":2,"
      + "\"abortedByFault\":{\"irq\":1,\"hang\":1,\"pull\":0},\"unaccounted\":0}";

  @Test
  @DisplayName("DESIGN §10 the trace's request ends are recounted and held against summary.json: agreeing, exit 0")
  void requestsAgree(@TempDir Path tmp) throws IOException {
    Result r = execute("check", runDir(tmp, "requests.json", AS_TRACED).toString());
    assertEquals(Main.OK, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("requests in the trace: 2 completed + 0 failed + 1 cancelled + 2 aborted:"
        + " as summary.json counts them\n"), r.out());
  }

  @Test
  @DisplayName("DESIGN §10 exit 1: summary.json balances, but the trace shows other outcomes than it counts")
  void requestsDiffer(@TempDir Path tmp) throws IOException {
    // One request moved from aborted by irq to completed: still balanced.
    String moved = AS_TRACED.replace("\"completed\":2", "\"completed\":3").replace("\"irq\":1", "\"irq\":0")
        .replace("\"aborted\":2", "\"aborted\":1");
    Result r = execute("check", runDir(tmp, "requests.json", moved).toString());
    assertEquals(Main.RUN_FAILED, r.exit(), r.out());
    String problem = "the trace's request ends and summary.json's accounting differ: completed 2 in the trace, 3 in"
        + " summary.json; aborted by irq 1 in the trace, 0 in summary.json";
    assertTrue(r.out().contains(": balanced\n"), r.out());
    assertTrue(r.out().contains("requests in the trace: 2 completed + 0 failed + 1 cancelled + 2 aborted: DIFFERENT: "
        + problem + "\n"), r.out());
    assertEquals("dmaemu: " + problem + "\n", r.err());

    Result json = execute("check", "--json", runDir(tmp.resolve("j"), "requests.json", moved).toString());
    JsonNode trace = JSON.readTree(json.out()).path("accounting").path("trace");
    assertFalse(trace.path("agrees").asBoolean(), trace.toString());
    assertEquals(1, trace.path("abortedByFault").path("irq").asLong());
    assertEquals(problem, trace.path("problem").asText());
  }

  @Test
  @DisplayName("DESIGN §10 a run that lost a node is not recounted from the trace: the node's last requests are accounted from its reports")
  void requestsOfLostNode(@TempDir Path tmp) throws IOException {
    Path dir = runDir(tmp, "requests.json", null);
    Files.writeString(dir.resolve("summary.json"), "{\"devices\":{\"lostWithNode\":3},\"accounting\":"
        + AS_TRACED.replace("\"completed\":2", "\"completed\":1").replace("\"cancelled\":1", "\"cancelled\":2") + "}");
    Result r = execute("check", dir.toString());
    assertEquals(Main.OK, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("requests in the trace: 2 completed + 0 failed + 1 cancelled + 2 aborted; not compared"
        + " with summary.json (the run lost a node"), r.out());
  }
}
