package org.dmaemu.node.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dmaemu.node.Main;
import org.dmaemu.node.scenario.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dmaemu validate FILE}: checks a scenario file and starts nothing. */
@Command(
    name = "validate",
    description = {
      "Checks a scenario file (HOCON) without running it: unknown keys, wrong types,",
      "bad units, impossible values. Every problem is printed on stderr as",
      "FILE:LINE: key.path: what is wrong (got X). See docs/scenarios.md.",
      "",
      "Exit code: 0 the file is valid, 2 it has problems (or cannot be read).",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class ValidateCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file.")
  private Path file;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one key of the file, e.g. --set topology.groups.nic.count=32 (repeatable).")
  private List<String> sets = new ArrayList<>();

  @Option(
      names = "--fault",
      paramLabel = "FAULT",
      description = "Scenario only: add one fault to the scenario's fault plan, e.g. --fault lost-interrupt:probability=0.01 "
          + "(repeatable; syntax in docs/faults.md).")
  private List<String> faults = new ArrayList<>();

  @Override
  public Integer call() {
    Scenario scenario = ScenarioInput.load(spec, file, ScenarioInput.overrides(spec, sets), faults);
    spec.commandLine().getOut().println(file + ": valid — " + ScenarioInput.describe(scenario));
    return Main.OK;
  }
}
