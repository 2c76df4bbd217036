package org.dmaemu.node.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/** Axes with round tick values: 1-2-5 steps on linear axes, decades on log axes. */
final class Ticks {

  /** Above this many decades a log axis labels every second (third…) decade. */
  private static final int MAX_LABELLED_DECADES = 8;

  private Ticks() {}

  /**
   * A linear axis over [{@code min}, {@code max}] widened to whole steps of 1, 2 or 5 times a power of ten,
   * with about {@code target} intervals: 0..97 gives 0, 20, 40, 60, 80, 100.
   */
  static Axis linear(double min, double max, int target) {
    if (!(Double.isFinite(min) && Double.isFinite(max))) {
      throw new IllegalArgumentException("axis bounds must be finite: " + min + ", " + max);
    }
    if (min > max) {
      double t = min;
      min = max;
      max = t;
    }
    if (min == max) {
      double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
      min -= min == 0 ? 0 : pad;
      max += pad;
    }
    target = Math.max(1, target);
    double step = niceStep(max - min, target);
    // Nice rounding alone can leave a third of the axis empty (-3..155 by 50s spans -50..200): a
    // neighbouring 1-2-5 step wins when it wastes less span for its number of ticks.
    double bestScore = score(min, max, step, target);
    for (double other : new double[] {neighbour(step, false), neighbour(step, true)}) {
      double intervals = Math.ceil(max / other - 1e-9) - Math.floor(min / other + 1e-9);
      double score = score(min, max, other, target);
      if (intervals <= 2 * target && score < bestScore) {
        step = other;
        bestScore = score;
      }
    }
    long first = (long) Math.floor(min / step + 1e-9);
    long last = (long) Math.ceil(max / step - 1e-9);
    List<Axis.Tick> ticks = new ArrayList<>();
    for (long i = first; i <= last; i++) {
      double v = clean(i * step);
      ticks.add(new Axis.Tick(v, Numbers.compact(v), true));
    }
    return new Axis(clean(first * step), clean(last * step), false, ticks);
  }

  /**
   * A log axis over [{@code min}, {@code max}], both above zero. Spanning a decade or more, it runs from
   * one power of ten to another, labelled at each (3..4200 gives 1, 10, 100, 1000, 10000), with minor ticks
   * at 2 and 5 times each, labelled when {@code labelMinor}. Spanning less, it takes linear ticks, which
   * read better than a lone decade mark.
   */
  static Axis log(double min, double max, boolean labelMinor) {
    if (!(min > 0 && max > 0 && Double.isFinite(min) && Double.isFinite(max))) {
      throw new IllegalArgumentException("log axis bounds must be finite and above zero: " + min + ", " + max);
    }
    if (min > max) {
      double t = min;
      min = max;
      max = t;
    }
    if (max / min < 10) {
      return narrowLog(min, max);
    }
    int lo = (int) Math.floor(Math.log10(min) + 1e-9);
    int hi = (int) Math.ceil(Math.log10(max) - 1e-9);
    int stride = Math.max(1, (hi - lo + MAX_LABELLED_DECADES - 1) / MAX_LABELLED_DECADES);
    hi = lo + ((hi - lo + stride - 1) / stride) * stride;
    List<Axis.Tick> ticks = new ArrayList<>();
    for (int d = lo; d <= hi; d++) {
      double decade = clean(Math.pow(10, d));
      boolean major = (d - lo) % stride == 0;
      ticks.add(new Axis.Tick(decade, major ? Numbers.compact(decade) : "", major));
      if (stride == 1 && d < hi) {
        for (int m : new int[] {2, 5}) {
          double v = clean(m * Math.pow(10, d));
          ticks.add(new Axis.Tick(v, labelMinor ? Numbers.compact(v) : "", false));
        }
      }
    }
    return new Axis(clean(Math.pow(10, lo)), clean(Math.pow(10, hi)), true, ticks);
  }

  private static Axis narrowLog(double min, double max) {
    Axis linear = linear(min, max, 5);
    double lo = linear.lo() > 0 ? linear.lo() : min;
    List<Axis.Tick> ticks = linear.ticks().stream().filter(t -> t.value() >= lo).toList();
    return new Axis(lo, linear.hi(), true, ticks);
  }

  /** The 1-2-5 step nearest to {@code range / target} (Heckbert's nice numbers). */
  static double niceStep(double range, int target) {
    double raw = range / target;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double norm = raw / magnitude;
    double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
    return clean(nice * magnitude);
  }

  private static double score(double min, double max, double step, int target) {
    double first = Math.floor(min / step + 1e-9);
    double last = Math.ceil(max / step - 1e-9);
    double intervals = last - first;
    double waste = intervals * step / (max - min) - 1;
    return Math.abs(intervals - target) / target + 3 * waste;
  }

  /** The next 1-2-5 step up (2 after 1, 5 after 2, 10 after 5) or down. */
  private static double neighbour(double step, boolean up) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
    long mantissa = Math.round(step / magnitude);
    double next = up
        ? (mantissa == 1 ? 2 : mantissa == 2 ? 5 : 10) * magnitude
        : (mantissa == 1 ? 0.5 : mantissa == 2 ? 1 : 2) * magnitude;
    return clean(next);
  }

  // i * step drifts (3 * 0.1 = 0.30000000000000004): round to 12 digits; never -0.
  private static double clean(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return 0 * v + 0.0;
    }
    return new BigDecimal(v).round(new MathContext(12)).doubleValue() + 0.0;
  }
}
