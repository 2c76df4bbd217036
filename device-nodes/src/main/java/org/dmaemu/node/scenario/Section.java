package org.dmaemu.node.scenario;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One object of a scenario file, read key by key. Every read checks type, unit and range; a
 * problem goes to the {@link ProblemLog} and the read returns the default (or a valid placeholder
 * for a required key), so that reading goes on and finds every problem of the file.
 */
final class Section {

  /** Group, adapter-domain and bus names. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

  private static final ConfigObject EMPTY = ConfigValueFactory.fromMap(Map.of());
  private static final int MAX_SHOWN = 60;

  private final ProblemLog log;
  private final List<String> keys;
  private final String path;
  private final ConfigObject object;
  private final boolean present;
  // What a missing key's problem points at: this object, or the nearest enclosing object that exists.
  private final ConfigValue anchor;
  private final List<String> anchorKeys;
  private final List<String> vocabulary;
  // This object or one around it had the wrong type, already reported: what it lacks is no news.
  private final boolean wrongType;

  private Section(
      ProblemLog log,
      List<String> keys,
      String path,
      ConfigObject object,
      boolean present,
      ConfigValue anchor,
      List<String> anchorKeys,
      List<String> vocabulary,
      boolean wrongType) {
    this.log = log;
    this.keys = List.copyOf(keys);
    this.path = path;
    this.object = object;
    this.present = present;
    this.anchor = anchor;
    this.anchorKeys = List.copyOf(anchorKeys);
    this.vocabulary = List.copyOf(vocabulary);
    this.wrongType = wrongType;
  }

  static Section root(ProblemLog log, ConfigObject root, List<String> vocabulary) {
    return new Section(log, List.of(), "", root, true, root, List.of(), vocabulary, false);
  }

  String path() {
    return path;
  }

  String path(String key) {
    return join(path, key);
  }

  boolean present() {
    return present;
  }

  /** The keys present, in file order. */
  List<String> keys() {
    List<String> present = new ArrayList<>(object.keySet());
    present.sort(Comparator.comparingInt((String k) -> log.line(object.get(k), child(k))).thenComparing(k -> k));
    return present;
  }

  boolean has(String key) {
    return object.containsKey(key);
  }

  /** The value under {@code key} as written, or {@code null}. */
  ConfigValue value(String key) {
    return object.get(key);
  }

  /** Whether {@code key} is absent or one of {@code names}. */
  boolean isOneOf(String key, List<String> names) {
    ConfigValue v = object.get(key);
    return v == null || (v.valueType() == ConfigValueType.STRING && names.contains((String) v.unwrapped()));
  }

  /** The value as written, for messages. */
  String shown(String key) {
    return show(object.get(key));
  }

  // ---- problems

  /** A problem about {@code key}: at its value if present, else at the enclosing object. */
  void problem(String key, String message) {
    ConfigValue v = object.get(key);
    if (v != null) {
      log.at(v, child(key), path(key), message + got(v));
    } else {
      log.at(anchor, anchorKeys, path(key), message);
    }
  }

  /** A problem about this object as a whole (unless it is not an object at all, which is reported already). */
  void problem(String message) {
    if (!wrongType) {
      log.at(anchor, anchorKeys, path, message);
    }
  }

  /** A key that may not appear here: {@code message} says why. */
  void forbid(String key, String message) {
    if (has(key)) {
      problem(key, message);
    }
  }

  /**
   * Every key outside this section's vocabulary (and {@code handled}, keys the caller reported
   * itself) is a problem; a near miss gets a suggestion.
   */
  void rejectUnknownKeys(String... handled) {
    for (String key : keys()) {
      if (!vocabulary.contains(key) && !List.of(handled).contains(key)) {
        String suggestion = closest(key, vocabulary);
        log.at(object.get(key), child(key), path(key), suggestion == null
            ? "unknown key (known here: " + String.join(", ", vocabulary) + ")"
            : "unknown key; did you mean " + suggestion + "?");
      }
    }
  }

  // ---- nested objects

  /** The object under {@code key}; absent → an empty section; not an object → a problem and an empty section. */
  Section section(String key, List<String> childVocabulary) {
    ConfigValue v = object.get(key);
    if (v instanceof ConfigObject o) {
      return new Section(log, child(key), path(key), o, true, o, child(key), childVocabulary, wrongType);
    }
    if (v != null) {
      problem(key, "must be an object { ... }");
    }
    return new Section(
        log, child(key), path(key), EMPTY, false, anchor, anchorKeys, childVocabulary, wrongType || v != null);
  }

  /** The list under {@code key} as sections, one per element, each of which must be an object. */
  List<Section> objectList(String key, List<String> elementVocabulary) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof ConfigList list)) {
      problem(key, "must be a list [ ... ]");
      return List.of();
    }
    List<Section> elements = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = path(key) + "[" + i + "]";
      if (list.get(i) instanceof ConfigObject o) {
        elements.add(new Section(log, child(key), at, o, true, o, child(key), elementVocabulary, wrongType));
      } else {
        log.at(list.get(i), child(key), at, "must be an object { ... }" + got(list.get(i)));
      }
    }
    return elements;
  }

  /** The strings of the list under {@code key}; {@code null} if absent or not a list of strings. */
  List<String> strings(String key) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof ConfigList list)) {
      problem(key, "must be a list [ ... ]");
      return null;
    }
    List<String> strings = new ArrayList<>();
    for (ConfigValue element : list) {
      if (element.valueType() != ConfigValueType.STRING) {
        problem(key, "must be a list of names");
        return null;
      }
      strings.add((String) element.unwrapped());
    }
    return strings;
  }

  // ---- scalars

  /** {@code true} or {@code false} (HOCON also reads {@code on}/{@code off} and {@code yes}/{@code no} as these). */
  boolean bool(String key, boolean dflt) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return dflt;
    }
    if (v.valueType() == ConfigValueType.BOOLEAN) {
      return (Boolean) v.unwrapped();
    }
    if (v.valueType() == ConfigValueType.STRING) {
      switch (((String) v.unwrapped()).toLowerCase(java.util.Locale.ROOT)) {
        case "true": case "on": case "yes":
          return true;
        case "false": case "off": case "no":
          return false;
        default:
          break;
      }
    }
    problem(key, "must be true or false");
    return dflt;
  }

  /** A whole number in [min, max]; {@code dflt == null}: required. */
  long whole(String key, Long dflt, long min, long max, String missing) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return orMissing(key, dflt, min, missing);
    }
    Long n = wholeNumber(v);
    if (n == null) {
      problem(key, "must be a whole number");
      return dflt == null ? min : dflt;
    }
    if (!inRange(key, n, min, max)) {
      return dflt == null ? min : dflt;
    }
    return n;
  }

  int integer(String key, Integer dflt, int min, int max, String missing) {
    return (int) whole(key, dflt == null ? null : (long) dflt, min, max, missing);
  }

  int integer(String key, int dflt, int min, int max) {
    return integer(key, dflt, min, max, null);
  }

  /** A number in [min, max] ({@code minExclusive}: above min). */
  double decimal(String key, double dflt, double min, boolean minExclusive, double max) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return dflt;
    }
    Double d = decimalNumber(v);
    if (d == null) {
      problem(key, "must be a number");
      return dflt;
    }
    boolean aboveMin = minExclusive ? d > min : d >= min;
    if (!aboveMin || !(d <= max)) {
      String range;
      if (max == Double.MAX_VALUE) {
        range = minExclusive ? "must be above " + Units.plain(min) : "must be at least " + Units.plain(min);
      } else {
        range = "must be between " + Units.plain(min) + " and " + Units.plain(max);
      }
      problem(key, range);
      return dflt;
    }
    return d;
  }

  /**
   * A duration; {@code dflt == null} and absent → {@code null}. {@code positive}: must be &gt; 0, else &gt;= 0.
   */
  Duration duration(String key, Duration dflt, boolean positive) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return dflt;
    }
    Duration d;
    try {
      d = Units.duration(v);
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return dflt;
    }
    if (d.isNegative() || (positive && d.isZero())) {
      problem(key, positive ? "must be positive" : "must not be negative");
      return dflt;
    }
    return d;
  }

  /** A size in bytes in [min, max]; {@code dflt == null}: required. */
  long bytes(String key, Long dflt, long min, long max, String missing) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return orMissing(key, dflt, min, missing);
    }
    long b;
    try {
      b = Units.bytes(v);
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return dflt == null ? min : dflt;
    }
    if (b < min) {
      problem(key, "must be at least " + Units.shown(min));
      return dflt == null ? min : dflt;
    }
    if (b > max) {
      problem(key, "must be at most " + Units.shown(max));
      return dflt == null ? min : dflt;
    }
    return b;
  }

  /** A bandwidth, bytes per microsecond; {@code dflt == null}: required. */
  double bandwidth(String key, Double dflt, String missing) {
    ConfigValue v = object.get(key);
    if (v == null) {
      if (dflt == null) {
        missing(key, missing);
        return 1;
      }
      return dflt;
    }
    try {
      return Units.bandwidth(v);
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return dflt == null ? 1 : dflt;
    }
  }

  /** A string; {@code missing != null}: required, and {@code missing} says what is missing. */
  String string(String key, String dflt, String missing) {
    ConfigValue v = object.get(key);
    if (v == null) {
      if (missing != null) {
        missing(key, missing);
      }
      return dflt;
    }
    if (v.valueType() != ConfigValueType.STRING) {
      problem(key, "must be a string");
      return dflt;
    }
    return (String) v.unwrapped();
  }

  /** The name of another entry; a whole number is a name too ({@code adapter-domain = 0} for a domain "0"). */
  String name(String key, String dflt) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return dflt;
    }
    if (v.valueType() == ConfigValueType.STRING) {
      return (String) v.unwrapped();
    }
    Long n = v.valueType() == ConfigValueType.NUMBER ? wholeNumber(v) : null;
    if (n == null) {
      problem(key, "must be a name");
      return dflt;
    }
    return Long.toString(n);
  }

  /**
   * One of {@code choices} by name; {@code dflt == null}: required. Returns {@code dflt} when the
   * value is wrong, so a required key that is missing or wrong gives {@code null}.
   */
  <T> T choice(String key, T dflt, Map<String, T> choices) {
    ConfigValue v = object.get(key);
    if (v == null) {
      if (dflt == null) {
        missing(key, "missing: one of " + String.join(", ", choices.keySet()));
      }
      return dflt;
    }
    T chosen = v.valueType() == ConfigValueType.STRING ? choices.get((String) v.unwrapped()) : null;
    if (chosen == null) {
      problem(key, "must be one of " + String.join(", ", choices.keySet()));
      return dflt;
    }
    return chosen;
  }

  /** One of {@code names}: a choice whose values are the names themselves. */
  String oneOf(String key, String dflt, List<String> names) {
    Map<String, String> choices = new LinkedHashMap<>();
    names.forEach(n -> choices.put(n, n));
    return choice(key, dflt, choices);
  }

  void missing(String key, String message) {
    if (!wrongType) {
      log.at(anchor, anchorKeys, path(key), message);
    }
  }

  // ---- helpers

  private long orMissing(String key, Long dflt, long placeholder, String missing) {
    if (dflt == null) {
      missing(key, missing == null ? "missing" : missing);
      return placeholder;
    }
    return dflt;
  }

  private boolean inRange(String key, long n, long min, long max) {
    if (n < min) {
      problem(key, "must be at least " + min);
      return false;
    }
    if (n > max) {
      problem(key, "must be at most " + max);
      return false;
    }
    return true;
  }

  private List<String> child(String key) {
    List<String> k = new ArrayList<>(keys);
    k.add(key);
    return k;
  }

  private static String join(String path, String key) {
    String quoted = ConfigUtil.joinPath(key);
    return path.isEmpty() ? quoted : path + "." + quoted;
  }

  static Long wholeNumber(ConfigValue v) {
    if (v.valueType() == ConfigValueType.NUMBER) {
      Object n = v.unwrapped();
      return n instanceof Integer || n instanceof Long ? ((Number) n).longValue() : null;
    }
    if (v.valueType() == ConfigValueType.STRING) {
      try {
        return Long.parseLong(((String) v.unwrapped()).strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Double decimalNumber(ConfigValue v) {
    if (v.valueType() == ConfigValueType.NUMBER) {
      return ((Number) v.unwrapped()).doubleValue();
    }
    if (v.valueType() == ConfigValueType.STRING) {
      try {
        return Double.parseDouble(((String) v.unwrapped()).strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** {@code (got X)} for a scalar; nothing for an object or a list, which would not fit on the line. */
  private static String got(ConfigValue v) {
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
      return "";
    }
    return " (got " + show(v) + ")";
  }

  /** A value as the user wrote it: strings bare (quoted when empty), others as concise HOCON. */
  static String show(ConfigValue v) {
    if (v == null) {
      return "";
    }
    String s;
    if (v.valueType() == ConfigValueType.STRING) {
      s = (String) v.unwrapped();
      s = s.isEmpty() ? "\"\"" : s;
    } else {
      s = v.render(ConfigRenderOptions.concise());
    }
    return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN - 3) + "..." : s;
  }

  /** The known key within edit distance 2 of {@code key}, or {@code null}. */
  static String closest(String key, List<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = editDistance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  static boolean isName(String s) {
    return NAME.matcher(s).matches();
  }
}
