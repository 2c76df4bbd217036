package org.dmaemu.node.scenario;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The problems found in one scenario, each placed where the user can fix it: the file and line the
 * value came from, or the {@code --set} override that supplied it.
 */
final class ProblemLog {

  /** An override as given: {@code --set key=value}, and its key path. */
  record Override(String label, List<String> keys) {}

  private record Entry(Problem problem, int rank, long sequence) {}

  private final Path file;
  private final String fileName;
  private final List<Override> overrides = new ArrayList<>();
  private final List<Entry> entries = new ArrayList<>();
  // The file alone, before overrides: where an object that the file and an override both fill began.
  private ConfigObject fileRoot;

  ProblemLog(Path file) {
    this.file = file;
    this.fileName = file.toString();
  }

  String fileName() {
    return fileName;
  }

  void fileRoot(ConfigObject root) {
    this.fileRoot = root;
  }

  void override(Override o) {
    overrides.add(o);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  /** A problem of the file as a whole, or at a line the parser named. */
  void inFile(String inFile, int line, String message) {
    add(new Problem(inFile, Math.max(line, 0), "", message), rank(inFile));
  }

  /** A problem of one {@code --set} override. */
  void inOverride(String label, String path, String message) {
    int index = 0;
    for (int i = 0; i < overrides.size(); i++) {
      if (overrides.get(i).label().equals(label)) {
        index = i;
      }
    }
    add(new Problem(label, 0, path, message), 2 + index);
  }

  /**
   * A problem about {@code value} (for a missing key: the object that should hold it) at the key
   * path {@code keys}, shown as {@code path}.
   */
  void at(ConfigValue value, List<String> keys, String path, String message) {
    ConfigOrigin origin = value == null ? null : value.origin();
    if (origin != null && origin.filename() != null && origin.lineNumber() > 0) {
      String name = displayName(origin.filename());
      add(new Problem(name, origin.lineNumber(), path, message), rank(name));
      return;
    }
    Override from = origin == null ? null : overrideOf(origin);
    if (from != null) {
      inOverride(from.label(), path, message);
      return;
    }
    // An object the file and an override both fill (its origin is a merge of the two): its line in
    // the file; something only overrides made: the override.
    FileLine found = fileLine(keys);
    Override covering = overrideCovering(keys);
    if (!found.exact() && covering != null) {
      inOverride(covering.label(), path, message);
      return;
    }
    add(new Problem(fileName, Math.max(found.line(), 0), path, message), 0);
  }

  /** A problem the parser or the resolver found, at its origin. */
  void atOrigin(ConfigOrigin origin, String message) {
    if (origin != null && origin.filename() != null) {
      inFile(displayName(origin.filename()), origin.lineNumber(), message);
      return;
    }
    Override from = origin == null ? null : overrideOf(origin);
    if (from != null) {
      inOverride(from.label(), "", message);
      return;
    }
    inFile(fileName, origin == null ? 0 : origin.lineNumber(), message);
  }

  /** The line a value starts at in the file, for ordering; {@link Integer#MAX_VALUE} if it has none. */
  int line(ConfigValue value, List<String> keys) {
    ConfigOrigin origin = value.origin();
    if (origin.filename() != null && origin.lineNumber() > 0 && rank(displayName(origin.filename())) == 0) {
      return origin.lineNumber();
    }
    FileLine found = fileLine(keys);
    return found.exact() && found.line() > 0 ? found.line() : Integer.MAX_VALUE;
  }

  /** Main file first, by line; then included files; then overrides in the order given. */
  List<Problem> sorted() {
    return entries.stream()
        .sorted(Comparator.comparingInt(Entry::rank)
            .thenComparing(e -> e.problem().file())
            .thenComparingInt(e -> e.problem().line())
            .thenComparingLong(Entry::sequence))
        .map(Entry::problem)
        .toList();
  }

  private void add(Problem p, int rank) {
    entries.add(new Entry(p, rank, entries.size()));
  }

  private int rank(String name) {
    return name.equals(fileName) ? 0 : 1;
  }

  private String displayName(String originFile) {
    Path p = Path.of(originFile);
    if (p.equals(file) || p.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
      return fileName;
    }
    return originFile;
  }

  private Override overrideOf(ConfigOrigin origin) {
    String description = origin.description();
    for (int i = overrides.size() - 1; i >= 0; i--) {
      String label = overrides.get(i).label();
      if (description.equals(label) || description.startsWith(label + ": ")) {
        return overrides.get(i);
      }
    }
    return null;
  }

  /** The last override that set {@code keys} or an object around it, or an object inside it. */
  private Override overrideCovering(List<String> keys) {
    for (int i = overrides.size() - 1; i >= 0; i--) {
      List<String> k = overrides.get(i).keys();
      int n = Math.min(k.size(), keys.size());
      if (k.subList(0, n).equals(keys.subList(0, n))) {
        return overrides.get(i);
      }
    }
    return null;
  }

  /** Where {@code keys} (or its nearest enclosing object) is in the file alone; {@code exact}: the key itself. */
  private record FileLine(int line, boolean exact) {}

  private FileLine fileLine(List<String> keys) {
    if (fileRoot == null) {
      return new FileLine(0, false);
    }
    ConfigValue v = fileRoot;
    int line = lineOf(v);
    int depth = 0;
    try {
      for (String key : keys) {
        if (!(v instanceof ConfigObject o) || !o.containsKey(key)) {
          break;
        }
        v = o.get(key);
        line = lineOf(v) > 0 ? lineOf(v) : line;
        depth++;
      }
    } catch (RuntimeException unresolved) {
      // The file alone may not resolve (it leaves a substitution to an override): keep the line found so far.
    }
    return new FileLine(line, depth == keys.size());
  }

  private static int lineOf(ConfigValue v) {
    return v.origin() == null ? 0 : v.origin().lineNumber();
  }
}
