package org.dmaemu.node.scenario;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations, sizes and bandwidths as scenario files write them, both ways. Parsing follows HOCON
 * (Typesafe Config's duration and memory-size formats); formatting gives text that parses back to
 * the same value, exactly.
 */
final class Units {

  static final long KIB = 1024;
  static final long MIB = KIB * KIB;
  static final long GIB = MIB * KIB;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final long NANOS_PER_MICRO = 1_000L;

  private static final Pattern BANDWIDTH =
      Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\\s*(B|KB|MB|GB|KiB|MiB|GiB)/s\\s*");

  private Units() {}

  /**
   * A HOCON duration. Unlike plain HOCON, a bare number other than 0 is refused: HOCON reads it as
   * milliseconds, and {@code latency = 2} meaning 2 ms is a trap in a file full of microseconds.
   *
   * @throws IllegalArgumentException with a message that ends in the value as written
   */
  static Duration duration(ConfigValue value) {
    if (value.valueType() == ConfigValueType.NUMBER) {
      if (((Number) value.unwrapped()).doubleValue() == 0) {
        return Duration.ZERO;
      }
      throw new IllegalArgumentException("a duration needs a unit, e.g. 500us, 2ms, 1s");
    }
    if (value.valueType() != ConfigValueType.STRING) {
      throw new IllegalArgumentException("must be a duration such as 500us, 2ms, 1s");
    }
    try {
      return ConfigFactory.empty().withValue("d", value).getDuration("d");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          "not a duration: write a number and a unit (ns, us, ms, s), e.g. 500us, 2ms, 1s");
    }
  }

  /**
   * A HOCON memory size: a whole number of bytes or a number and a unit ({@code 4 KiB}, {@code 1 MiB},
   * {@code 64KiB}; {@code kB}, {@code MB} are powers of ten).
   */
  static long bytes(ConfigValue value) {
    if (value.valueType() == ConfigValueType.NUMBER) {
      Number n = (Number) value.unwrapped();
      if (n instanceof Integer || n instanceof Long) {
        return n.longValue();
      }
      throw new IllegalArgumentException("a size must be a whole number of bytes or a number and a unit, e.g. 4 KiB");
    }
    if (value.valueType() != ConfigValueType.STRING) {
      throw new IllegalArgumentException("must be a size such as 4096, 4 KiB, 1 MiB");
    }
    try {
      return ConfigFactory.empty().withValue("b", value).getMemorySize("b").toBytes();
    } catch (ConfigException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a size: write bytes or a number and a unit, e.g. 4096, 4 KiB, 1 MiB");
    }
  }

  /**
   * {@code "<number> <unit>/s"} with unit B, KB, MB, GB (steps of 10^3) or KiB, MiB, GiB (2^10), as
   * bytes per microsecond. MB/s is exactly one byte per microsecond, so {@link #bandwidth(double)}
   * writes MB/s or GB/s and the value reads back bit for bit.
   */
  static double bandwidth(ConfigValue value) {
    if (value.valueType() != ConfigValueType.STRING) {
      throw new IllegalArgumentException("a bandwidth is a string such as \"1 GB/s\" or \"800 MiB/s\"");
    }
    Matcher m = BANDWIDTH.matcher((String) value.unwrapped());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a bandwidth: write \"<number> <unit>/s\" with unit B, KB, MB, GB, KiB, MiB or GiB, e.g. \"1 GB/s\"");
    }
    double number = Double.parseDouble(m.group(1));
    double perMicrosecond = switch (m.group(2)) {
      case "B" -> number / 1e6;
      case "KB" -> number / 1e3;
      case "MB" -> number;
      case "GB" -> number * 1e3;
      case "KiB" -> number * KIB / 1e6;
      case "MiB" -> number * MIB / 1e6;
      case "GiB" -> number * GIB / 1e6;
      default -> throw new IllegalStateException(m.group(2));
    };
    if (!(perMicrosecond > 0) || Double.isInfinite(perMicrosecond)) {
      throw new IllegalArgumentException("a bandwidth must be a positive, finite number of bytes per second");
    }
    return perMicrosecond;
  }

  /** The shortest exact HOCON form: {@code 1s}, {@code 500ms}, {@code 2us}, {@code 50ns}. */
  static String duration(Duration d) {
    long nanos = d.toNanos();
    if (nanos % NANOS_PER_SECOND == 0) {
      return nanos / NANOS_PER_SECOND + "s";
    }
    if (nanos % NANOS_PER_MILLI == 0) {
      return nanos / NANOS_PER_MILLI + "ms";
    }
    if (nanos % NANOS_PER_MICRO == 0) {
      return nanos / NANOS_PER_MICRO + "us";
    }
    return nanos + "ns";
  }

  /** {@code 4 KiB}, {@code 16 MiB}, or plain bytes when no binary unit divides the size. */
  static String bytes(long b) {
    if (b != 0 && b % GIB == 0) {
      return b / GIB + " GiB";
    }
    if (b != 0 && b % MIB == 0) {
      return b / MIB + " MiB";
    }
    if (b != 0 && b % KIB == 0) {
      return b / KIB + " KiB";
    }
    return Long.toString(b);
  }

  /** A size for messages: {@code 4 KiB}, {@code 512 B}. */
  static String shown(long b) {
    String s = bytes(b);
    return s.chars().allMatch(Character::isDigit) ? s + " B" : s;
  }

  /** A bandwidth string that {@link #bandwidth(ConfigValue)} reads back to exactly {@code perMicrosecond}. */
  static String bandwidth(double perMicrosecond) {
    if (perMicrosecond == Math.rint(perMicrosecond) && perMicrosecond % 1000 == 0 && perMicrosecond < 1e15) {
      return "\"" + plain(perMicrosecond / 1000) + " GB/s\"";
    }
    return "\"" + plain(perMicrosecond) + " MB/s\"";
  }

  /** A double as Java's shortest round-trip decimal, without exponent or a trailing {@code .0}. */
  static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString().toLowerCase(Locale.ROOT);
  }
}
