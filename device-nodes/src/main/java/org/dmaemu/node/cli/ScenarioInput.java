package org.dmaemu.node.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.node.scenario.Problem;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * How a command gets its scenario: {@code --set} arguments, then the file loaded and checked. Every
 * command that takes a scenario file ({@code validate}, {@code run}, {@code sweep}) goes through
 * here, so that a bad file reads the same everywhere: each problem on its own line on stderr, then
 * {@code dmaemu: N problems in FILE}, exit code 2 (DESIGN §8), and nothing started.
 */
public final class ScenarioInput {

  private ScenarioInput() {}

  /**
   * {@code --set KEY=VALUE} arguments as overrides, in the order given; a key given twice keeps
   * its last value. The value is HOCON text: {@code 32}, {@code lottery}, {@code "4 GB/s"}, {@code 2ms}.
   */
  public static Map<String, String> overrides(CommandSpec spec, List<String> sets) {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(
            spec.commandLine(), "--set needs KEY=VALUE, e.g. --set run.seed=7 (got " + set + ")");
      }
      String key = set.substring(0, eq);
      overrides.remove(key);
      overrides.put(key, set.substring(eq + 1));
    }
    return overrides;
  }

  /**
   * The scenario in {@code file} with {@code overrides} applied. If it has problems, prints them on
   * the command's stderr and throws the {@link ParameterException} that ends the command with exit
   * code 2.
   */
  public static Scenario load(CommandSpec spec, Path file, Map<String, String> overrides) {
    return load(spec, file, overrides, List.of());
  }

  /** The same, with {@code --fault} flags appended to the file's fault plan. */
  public static Scenario load(CommandSpec spec, Path file, Map<String, String> overrides, List<String> faults) {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file, overrides, faults);
    List<Problem> problems = loaded.isValid() ? List.of() : loaded.problems();
    if (problems.isEmpty()) {
      return loaded.scenario();
    }
    PrintWriter err = spec.commandLine().getErr();
    for (Problem p : problems) {
      err.println(p);
    }
    err.flush();
    int n = problems.size();
    throw new ParameterException(spec.commandLine(), count(n, "problem", "problems") + " in " + file);
  }

  /** {@code 2 groups, 48 devices, 1 adapter domain, 0 buses}. */
  public static String describe(Scenario s) {
    return count(s.groups().size(), "group", "groups") + ", "
        + count(s.devices(), "device", "devices") + ", "
        + count(s.topology().adapterDomains().size(), "adapter domain", "adapter domains") + ", "
        + count(s.topology().buses().size(), "bus", "buses");
  }

  private static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
