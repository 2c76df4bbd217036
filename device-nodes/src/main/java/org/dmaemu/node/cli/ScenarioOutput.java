package org.dmaemu.node.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.dmaemu.node.Main;
import org.dmaemu.node.output.SummaryJson;
import org.dmaemu.node.scenario.ScenarioRun;

/** How {@code run} and {@code cluster} report a scenario run on the terminal. */
final class ScenarioOutput {
  private ScenarioOutput() {}

  /**
   * The summary table (or one line, or summary.json) on stdout, failed checks on stderr.
   *
   * @return the command's exit code
   */
  static int print(PrintWriter stdout, PrintWriter err, ScenarioRun.Result result, Path dir, boolean quiet, boolean json) {
    if (json) {
      stdout.println(SummaryJson.toJson(result.json()));
    } else {
      stdout.print(quiet ? ScenarioTable.line(result.json(), dir) + "\n" : ScenarioTable.table(result.json(), dir));
    }
    stdout.flush();
    for (String failedCheck : result.failedChecks()) {
      err.printf("dmaemu: %s%n", failedCheck);
    }
    err.flush();
    return result.exitCode() == 0 ? Main.OK : Main.RUN_FAILED;
  }
}
