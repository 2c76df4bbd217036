package org.dmaemu.node.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Pattern;

/** How the report writes numbers, and how it recognises them in table cells. */
final class Numbers {

  private static final MathContext FOUR_DIGITS = new MathContext(4, RoundingMode.HALF_EVEN);
  private static final String[] SUFFIXES = {"", "k", "M", "G", "T"};

  /**
   * A number, perhaps signed, with thousands separators or not, a fraction, an exponent, then perhaps a
   * percent sign or a short unit ("12 ms", "3.2 MB/s", "1.5k", "45%", "2×").
   */
  private static final Pattern NUMERIC =
      Pattern.compile(
          "[+\\-\u2212]?(?:\\d{1,3}(?:[,\u202F\u00A0 ]\\d{3})+|\\d+)?(?:\\.\\d+)?(?:[eE][+\\-]?\\d+)?"
              + "(?:\\s?(?:%|×|[A-Za-zµμ°][A-Za-zµμ°/]{0,7}))?");

  private Numbers() {}

  /**
   * {@code v} in at most four significant digits with an SI suffix: 0.25, 950, 1.5k, 2M, 12.35G; very large
   * or very small magnitudes in exponent form (1e-5, 1e15).
   */
  static String compact(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "∞" : "−∞";
    }
    if (v == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(v).round(FOUR_DIGITS);
    double a = Math.abs(rounded.doubleValue());
    String sign = v < 0 ? "−" : "";
    if (a >= 1e15 || a < 1e-4) {
      BigDecimal abs = rounded.abs();
      int exponent = abs.precision() - abs.scale() - 1;
      BigDecimal mantissa = abs.movePointLeft(exponent).stripTrailingZeros();
      return sign + mantissa.toPlainString() + "e" + exponent;
    }
    int k = 0;
    while (k < SUFFIXES.length - 1 && a >= 1000) {
      a /= 1000;
      k++;
    }
    BigDecimal scaled = rounded.abs().movePointLeft(3 * k).stripTrailingZeros();
    return sign + scaled.toPlainString() + SUFFIXES[k];
  }

  /** A count with thousands separators: 1,234,567. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Whether a table cell reads as a number, and so is right-aligned. */
  static boolean isNumeric(String cell) {
    String s = cell.strip();
    if (s.isEmpty() || !s.chars().anyMatch(Character::isDigit)) {
      return false;
    }
    return NUMERIC.matcher(s).matches() && Character.isDigit(firstDigitOrDot(s));
  }

  /** A cell that stands for a missing number ("—", "-", "n/a"): aligned with the numbers of its column. */
  static boolean isPlaceholder(String cell) {
    return switch (cell.strip().toLowerCase(Locale.ROOT)) {
      case "—", "–", "-", "−", "n/a", "na", "none", "∞" -> true;
      default -> false;
    };
  }

  // "e5" or "ms" alone would match the optional parts: a number starts with a digit (after a sign or dot).
  private static char firstDigitOrDot(String s) {
    int i = 0;
    while (i < s.length() && "+-\u2212.".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i < s.length() ? s.charAt(i) : ' ';
  }
}
