package org.dmaemu.node.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads a scenario file (DESIGN §6): parses the HOCON, applies {@code --set} overrides, checks
 * every key and reports every problem with file, line and key path. Nothing about a scenario is
 * started here; a caller starts a run only from a {@link Loaded} that holds a scenario.
 *
 * <p>Substitutions ({@code ${run.seed}}) refer to keys of the scenario only: environment variables
 * are not read, so a file means the same on every machine.
 */
public final class ScenarioLoader {

  /** The arbitration policy names of adapter domains, per-enabler adapters and buses. */
  public static final List<String> POLICIES = List.of("fifo", "priority", "round-robin", "weighted-fair", "lottery");

  private static final ConfigParseOptions PARSE =
      ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false);
  private static final ConfigResolveOptions RESOLVE = ConfigResolveOptions.defaults().setUseSystemEnvironment(false);

  private ScenarioLoader() {}

  /**
   * The outcome of a load: a scenario and no problems, or problems (ordered by file and line, then
   * overrides in the order given) and no scenario.
   */
  public record Loaded(Scenario scenario, List<Problem> problems) {

    public Loaded {
      problems = List.copyOf(problems);
      if ((scenario == null) == problems.isEmpty()) {
        throw new IllegalArgumentException("a load gives a scenario or problems, not both or neither");
      }
    }

    public boolean isValid() {
      return scenario != null;
    }
  }

  public static Loaded load(Path file) {
    return load(file, Map.of());
  }

  /**
   * @param overrides {@code --set} pairs in the order given: a HOCON key path (e.g.
   *     {@code topology.groups.nic.count}) and a HOCON value text (e.g. {@code 32}); each replaces the
   *     value in the file, a later one an earlier one
   */
  public static Loaded load(Path file, Map<String, String> overrides) {
    return load(file, overrides, List.of());
  }

  /**
   * @param faultFlags {@code --fault} arguments in the order given, each one fault appended to the
   *     file's {@code faults} list: {@code TYPE}, {@code TYPE:KEY=VALUE,KEY=VALUE} or a HOCON object
   *     (docs/faults.md)
   */
  public static Loaded load(Path file, Map<String, String> overrides, List<String> faultFlags) {
    ProblemLog log = new ProblemLog(file);
    String unreadable = unreadable(file);
    if (unreadable != null) {
      log.inFile(log.fileName(), 0, unreadable);
      return new Loaded(null, log.sorted());
    }
    Config fileConfig;
    try {
      fileConfig = ConfigFactory.parseFile(file.toFile(), PARSE);
    } catch (ConfigException.Parse e) {
      log.atOrigin(e.origin(), "syntax error: " + reason(e));
      return new Loaded(null, log.sorted());
    } catch (ConfigException e) {
      log.atOrigin(e.origin(), "cannot be read: " + reason(e));
      return new Loaded(null, log.sorted());
    }
    log.fileRoot(fileConfig.root());

    Config merged = fileConfig;
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      Config override = override(log, o.getKey(), o.getValue());
      if (override != null) {
        merged = override.withFallback(merged);
      }
    }
    merged = withFaultFlags(log, merged, faultFlags);
    Config resolved;
    try {
      resolved = merged.resolve(RESOLVE);
    } catch (ConfigException.UnresolvedSubstitution e) {
      log.atOrigin(e.origin(),
          reason(e) + " (substitutions refer to keys of the scenario; environment variables are not read)");
      return new Loaded(null, log.sorted());
    } catch (ConfigException e) {
      log.atOrigin(e.origin(), reason(e));
      return new Loaded(null, log.sorted());
    }
    Scenario scenario = new ScenarioReader(log, resolved.root(), defaultName(file)).read(file);
    return log.isEmpty() ? new Loaded(scenario, List.of()) : new Loaded(null, log.sorted());
  }

  /**
   * A scenario from its text, e.g. the {@link #resolved} text a cluster run sends its nodes, which
   * load it again. Problems name {@code source}, as if the text had been read from that file.
   */
  public static Loaded fromText(String text, Path source) {
    return fromText(text, source, List.of());
  }

  /**
   * A scenario from its text with {@code --fault} flags appended to its fault plan, as {@link
   * #load(Path, Map, List)} appends them to a file's: how a running cluster run checks a fault
   * injected into it ({@code dmaemu inject}) against its scenario.
   */
  public static Loaded fromText(String text, Path source, List<String> faultFlags) {
    ProblemLog log = new ProblemLog(source);
    Config config;
    try {
      Config parsed = ConfigFactory.parseString(text, PARSE.setOriginDescription(source.toString()));
      config = withFaultFlags(log, parsed, faultFlags).resolve(RESOLVE);
    } catch (ConfigException e) {
      log.atOrigin(e.origin(), reason(e));
      return new Loaded(null, log.sorted());
    }
    log.fileRoot(config.root());
    Scenario scenario = new ScenarioReader(log, config.root(), defaultName(source)).read(source);
    return log.isEmpty() ? new Loaded(scenario, List.of()) : new Loaded(null, log.sorted());
  }

  /**
   * The complete scenario as HOCON: every key, defaults filled in, the seed included. Loading this
   * text gives a scenario equal to {@code s} except for {@link Scenario#source()}, which names the
   * file it was loaded from; the name is written out, so it does not follow the new file's name.
   */
  public static String resolved(Scenario s) {
    return ResolvedText.of(s);
  }

  /**
   * One fault as a {@code --fault} flag in its object form ({@code { id = "f1", type = ... }}),
   * every key written: appended to the scenario it came from, it reads back to an equal fault.
   */
  public static String faultFlag(org.dmaemu.fault.Fault f) {
    return ResolvedText.fault(f);
  }

  /**
   * {@code config} with each {@code --fault} flag appended to its {@code faults} list, the flag as
   * the origin of everything in its entry. A file whose {@code faults} is not a list keeps it as it
   * is (the reader reports it).
   */
  private static Config withFaultFlags(ProblemLog log, Config config, List<String> flags) {
    if (flags.isEmpty()) {
      return config;
    }
    List<ConfigValue> entries = new ArrayList<>();
    if (config.hasPath("faults")) {
      ConfigValue existing = config.getValue("faults");
      if (!(existing instanceof ConfigList list)) {
        return config;
      }
      entries.addAll(list);
    }
    for (String flag : flags) {
      String label = "--fault " + flag;
      log.override(new ProblemLog.Override(label, List.of("faults")));
      String text = flag.strip();
      if (!text.startsWith("{")) {
        int colon = text.indexOf(':');
        String type = colon < 0 ? text : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1).strip();
        text = "type = " + type + (rest.isEmpty() ? "" : ", " + rest);
      } else {
        text = text.substring(1, text.lastIndexOf('}') < 0 ? text.length() : text.lastIndexOf('}'));
      }
      try {
        entries.add(ConfigFactory.parseString(text, PARSE.setOriginDescription(label)).root());
      } catch (ConfigException e) {
        log.inOverride(label, "faults", "not a fault: " + reason(e)
            + " (write TYPE:KEY=VALUE,KEY=VALUE, e.g. --fault lost-interrupt:probability=0.01)");
      }
    }
    return config.withValue("faults", ConfigValueFactory.fromIterable(entries));
  }

  /** One override as a config of its own, with the override as the origin of everything in it. */
  private static Config override(ProblemLog log, String key, String value) {
    String label = "--set " + key + "=" + value;
    List<String> keys;
    try {
      keys = ConfigUtil.splitPath(key.strip());
    } catch (ConfigException e) {
      log.override(new ProblemLog.Override(label, List.of()));
      log.inOverride(label, "", "not a key path: write --set key.path=value, e.g. --set run.seed=7");
      return null;
    }
    log.override(new ProblemLog.Override(label, keys));
    String path = ConfigUtil.joinPath(keys);
    if (value.isBlank()) {
      log.inOverride(label, path, "missing a value after '='");
      return null;
    }
    ConfigParseOptions options = PARSE.setOriginDescription(label);
    try {
      // One value and nothing else: "1, other = 2" must not set a second key behind the user's back.
      Config alone = ConfigFactory.parseString("v = " + value, options);
      if (!alone.root().keySet().equals(Set.of("v"))) {
        log.inOverride(label, path, "must be one HOCON value (got " + value + ")");
        return null;
      }
      return ConfigFactory.parseString(path + " = " + value, options);
    } catch (ConfigException e) {
      log.inOverride(label, path, "not a HOCON value: " + reason(e) + " (got " + value + ")");
      return null;
    }
  }

  private static String unreadable(Path file) {
    if (Files.isDirectory(file)) {
      return "is a directory, not a scenario file";
    }
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (!Files.isReadable(file)) {
      return "cannot be read (permission denied)";
    }
    return null;
  }

  /** The file name without its extension, made safe for a directory name. */
  static String defaultName(Path file) {
    Path fileName = file.getFileName();
    String base = fileName == null ? "" : fileName.toString();
    int dot = base.lastIndexOf('.');
    if (dot > 0) {
      base = base.substring(0, dot);
    }
    base = base.replaceAll("[^A-Za-z0-9._-]", "-");
    return base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0)) ? "scenario" : base;
  }

  /** Typesafe Config's message without the origin it starts with, lower-case first, as the node's errors are. */
  private static String reason(ConfigException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e.origin() != null && m.startsWith(e.origin().description() + ": ")) {
      m = m.substring(e.origin().description().length() + 2);
    }
    m = m.strip();
    if (m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))) {
      m = m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }
    return m;
  }
}
