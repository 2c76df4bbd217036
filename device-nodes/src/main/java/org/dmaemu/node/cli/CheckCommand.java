package org.dmaemu.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dmaemu.node.Main;
import org.dmaemu.node.check.CheckOutput;
import org.dmaemu.node.check.FileFormatException;
import org.dmaemu.node.check.InvariantChecker;
import org.dmaemu.node.check.InvariantReport;
import org.dmaemu.node.check.RequestLedger;
import org.dmaemu.node.check.RunAccounting;
import org.dmaemu.node.check.TraceFile;
import org.dmaemu.node.check.Violation;
import org.dmaemu.node.scenario.ScenarioRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dmaemu check RUN_DIR}: the run's invariants, checked again offline from its trace (docs/checks.md). */
@Command(
    name = "check",
    description = {
      "Checks a run's trace.json against the invariants (docs/checks.md): adapter",
      "lock mutual exclusion, map registers never over-granted and all returned, no",
      "completion after cancel, power and transaction callback order as in the",
      "reference, reservation rules, every request ending once; and summary.json's",
      "request accounting when the directory has one, recounted from the trace's",
      "request ends. Each violation is printed with the trace events that show it.",
      "RUN_DIR may also be a trace file (dmaemu run --trace FILE).",
      "",
      "A violation on a device that a planned fault reached (a FaultInjected event",
      "before it) is injected: reported, but it does not fail the check.",
      "",
      "Exit code: 0 no failing violation and balanced accounting, 1 a violation that",
      "no fault explains, unbalanced accounting, or a trace whose request ends differ",
      "from summary.json's accounting, 2 bad input (no such directory,",
      "no trace.json, a file that is not valid JSON).",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class CheckCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory (or a trace file).")
  private Path runDir;

  @Option(names = "--json", description = "Print the result as JSON on stdout instead of text.")
  private boolean json;

  @Override
  public Integer call() {
    Path trace;
    Path summary = null;
    if (!Files.exists(runDir)) {
      throw bad(runDir + ": no such directory");
    }
    if (Files.isDirectory(runDir)) {
      trace = runDir.resolve(ScenarioRun.TRACE);
      Path s = runDir.resolve(ScenarioRun.SUMMARY);
      summary = Files.isRegularFile(s) ? s : null;
      if (!Files.isRegularFile(trace)) {
        throw bad(runDir + " has no " + ScenarioRun.TRACE + ": the run wrote no trace (run.trace = false),"
            + " so there is nothing to check");
      }
    } else {
      trace = runDir;
    }
    InvariantChecker checker = new InvariantChecker();
    try {
      TraceFile.read(trace, checker::accept);
    } catch (FileFormatException e) {
      throw bad(e.getMessage());
    } catch (IOException e) {
      throw bad("cannot read " + trace + ": " + RunCommand.reason(e));
    }
    InvariantReport report = checker.finish();
    RunAccounting accounting = null;
    if (summary != null) {
      try {
        accounting = RunAccounting.read(summary);
      } catch (FileFormatException e) {
        throw bad(e.getMessage());
      } catch (IOException e) {
        throw bad("cannot read " + summary + ": " + RunCommand.reason(e));
      }
    }
    RequestLedger.Tally requests = checker.requests();
    TraceAccounting traced = TraceAccounting.of(requests, accounting);
    boolean passed = report.passed() && (accounting == null || accounting.balanced()) && traced.problem() == null;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(json(trace, summary, report, accounting, traced, passed));
    } else {
      out.print(text(trace, report, accounting, traced, passed));
    }
    out.flush();
    if (!passed) {
      PrintWriter err = spec.commandLine().getErr();
      if (!report.passed()) {
        err.println("dmaemu: " + report.failedCheck());
      }
      if (accounting != null && !accounting.balanced()) {
        err.println("dmaemu: " + accounting.problem());
      }
      if (traced.problem() != null) {
        err.println("dmaemu: " + traced.problem());
      }
      err.flush();
      return Main.RUN_FAILED;
    }
    return Main.OK;
  }

  /**
   * The trace's request ends held against summary.json's accounting: {@code compared} false with
   * the reason in {@code note} when they cannot be (no summary, no request ends in the trace, a
   * node lost mid-run), else {@code problem} null when they agree.
   */
  record TraceAccounting(RequestLedger.Tally tally, boolean compared, String note, String problem) {

    static TraceAccounting of(RequestLedger.Tally tally, RunAccounting summary) {
      if (summary == null) {
        return new TraceAccounting(tally, false, "no summary.json", null);
      }
      if (!tally.recorded()) {
        return summary.submitted() == 0
            ? new TraceAccounting(tally, true, null, null)
            : new TraceAccounting(tally, false, "the trace records no request ends (an older dmaemu wrote it)", null);
      }
      if (summary.lostWithNode() > 0) {
        return new TraceAccounting(tally, false, "the run lost a node: what its devices did last is accounted from the"
            + " node's progress reports, not from the trace", null);
      }
      return new TraceAccounting(tally, true, null, summary.disagreement(tally));
    }

    String line() {
      RequestLedger.Tally t = tally;
      String counts = String.format(Locale.ROOT, "%,d completed + %,d failed + %,d cancelled + %,d aborted",
          t.completed(), t.failed(), t.cancelled(), t.aborted());
      if (!compared) {
        return "requests in the trace: " + (t.recorded() ? counts + "; " : "") + "not compared with summary.json ("
            + note + ")";
      }
      return "requests in the trace: " + counts + ": " + (problem == null ? "as summary.json counts them" : "DIFFERENT: "
          + problem);
    }
  }

  private static String text(Path trace, InvariantReport r, RunAccounting a, TraceAccounting traced, boolean passed) {
    StringBuilder b = new StringBuilder();
    b.append("dmaemu check: ").append(trace).append('\n');
    b.append(CheckOutput.violations(r));
    for (String note : r.notes()) {
      b.append("note: ").append(note).append('\n');
    }
    b.append(CheckOutput.countLine(r)).append('\n');
    if (a != null) {
      b.append(String.format(Locale.ROOT,
          "accounting: %,d submitted = %,d completed + %,d failed + %,d cancelled + %,d aborted (%,d unaccounted): %s%n",
          a.submitted(), a.completed(), a.failed(), a.cancelled(), a.aborted(), a.unaccounted(),
          a.balanced() ? "balanced" : "NOT balanced"));
    } else {
      b.append("accounting: not checked (no summary.json)\n");
    }
    if (a != null) {
      b.append(traced.line()).append('\n');
    }
    b.append(passed ? "check passed\n" : "check FAILED\n");
    return b.toString();
  }

  private static String json(
      Path trace, Path summary, InvariantReport r, RunAccounting a, TraceAccounting traced, boolean passed) {
    ObjectNode root = JSON.createObjectNode();
    root.put("trace", trace.toString());
    root.put("summary", summary == null ? null : summary.toString());
    root.put("passed", passed);
    root.set("invariants", CheckOutput.summary(r, 0));
    ArrayNode violations = root.putArray("violations");
    for (Violation v : r.details()) {
      violations.add(CheckOutput.violation(v, true));
    }
    if (a == null) {
      root.putNull("accounting");
    } else {
      ObjectNode acc = root.putObject("accounting");
      acc.put("submitted", a.submitted());
      acc.put("completed", a.completed());
      acc.put("failed", a.failed());
      acc.put("cancelled", a.cancelled());
      acc.put("aborted", a.aborted());
      acc.put("unaccounted", a.unaccounted());
      acc.put("balanced", a.balanced());
      acc.put("problem", a.problem());
      ObjectNode t = acc.putObject("trace");
      t.put("compared", traced.compared());
      t.put("note", traced.note());
      t.put("completed", traced.tally().completed());
      t.put("failed", traced.tally().failed());
      t.put("cancelled", traced.tally().cancelled());
      t.put("aborted", traced.tally().aborted());
      ObjectNode byFault = t.putObject("abortedByFault");
      traced.tally().abortedByFault().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
          .forEach(f -> byFault.put(f.getKey(), f.getValue()));
      t.put("agrees", traced.compared() && traced.problem() == null);
      t.put("problem", traced.problem());
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
