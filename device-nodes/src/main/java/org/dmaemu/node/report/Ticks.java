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
    // One value, or values closer than 1e-300 (subnormal spans), get a width around their middle; a tiny
    // middle reads as zero. Halves throughout: max - min overflows near Double.MAX_VALUE.
    if (!(max * 0.5 - min * 0.5 >= 1e-300)) {
      double middle = min * 0.5 + max * 0.5;
      double pad = Math.abs(middle) < 1e-290 ? 1 : Math.abs(middle) * 0.1;
      min = min >= 0 && middle - pad < 0 ? 0 : middle - pad;
      max = middle + pad;
    }
    target = Math.max(1, target);
    double step = niceStep(min, max, target);
    if (!(step > 0 && Double.isFinite(step))) {
      return bounds(min, max);
    }
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
    if (last - first > 4L * target + 4) {
      return bounds(min, max);
    }
    List<Axis.Tick> ticks = new ArrayList<>();
    for (long i = first; i <= last; i++) {
      double v = clean(i * step);
      if (!Double.isFinite(v)) {
        continue; // a round bound past Double.MAX_VALUE: the axis ends at the data instead
      }
      if (!ticks.isEmpty() && v <= ticks.get(ticks.size() - 1).value()) {
        return bounds(min, max); // steps finer than a double's precision at this magnitude
      }
      ticks.add(new Axis.Tick(v, Numbers.compact(v), true));
    }
    if (ticks.isEmpty()) {
      return bounds(min, max);
    }
    return new Axis(Math.min(min, ticks.get(0).value()), Math.max(max, ticks.get(ticks.size() - 1).value()), false,
        ticks);
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
    // Ten to the -308 is still a normal double; 1e-324 would be zero.
    int lo = Math.max(-307, (int) Math.floor(Math.log10(min) + 1e-9));
    int hi = Math.min(308, (int) Math.ceil(Math.log10(max) - 1e-9));
    int stride = Math.max(1, (hi - lo + MAX_LABELLED_DECADES - 1) / MAX_LABELLED_DECADES);
    hi = Math.min(308, lo + ((hi - lo + stride - 1) / stride) * stride);
    List<Axis.Tick> ticks = new ArrayList<>();
    for (int d = lo; d <= hi; d++) {
      double decade = clean(Math.pow(10, d));
      boolean major = (d - lo) % stride == 0;
      // Unlabelled decades between labelled ones, while they are few enough to read as a grid.
      if (major || stride <= 3) {
        ticks.add(new Axis.Tick(decade, major ? Numbers.compact(decade) : "", major));
      }
      if (stride == 1 && d < hi) {
        for (int m : new int[] {2, 5}) {
          double v = clean(m * Math.pow(10, d));
          ticks.add(new Axis.Tick(v, labelMinor ? Numbers.compact(v) : "", false));
        }
      }
    }
    return new Axis(clean(Math.pow(10, lo)), clean(Math.pow(10, hi)), true, ticks);
  }

  /**
   * An axis labelled at its ends only, for spans no round step fits: subnormal ones, or ones narrower than a
   * double's precision at their magnitude.
   */
  private static Axis bounds(double min, double max) {
    return new Axis(min, max, false,
        List.of(new Axis.Tick(min, Numbers.compact(min), true), new Axis.Tick(max, Numbers.compact(max), true)));
  }

  private static Axis narrowLog(double min, double max) {
    Axis linear = linear(min, max, 5);
    double lo = linear.lo() > 0 ? linear.lo() : min;
    List<Axis.Tick> ticks = linear.ticks().stream().filter(t -> t.value() >= lo).toList();
    return new Axis(lo, linear.hi(), true, ticks);
  }

  /** The 1-2-5 step nearest to a {@code target}th of [min, max] (Heckbert's nice numbers). */
  static double niceStep(double min, double max, int target) {
    // Halves first: max - min overflows for data near Double.MAX_VALUE.
    double raw = (max * 0.5 - min * 0.5) / target * 2;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double norm = raw / magnitude;
    double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
    return clean(nice * magnitude);
  }

  private static double score(double min, double max, double step, int target) {
    double first = Math.floor(min / step + 1e-9);
    double last = Math.ceil(max / step - 1e-9);
    double intervals = last - first;
    double waste = intervals * (step * 0.5) / (max * 0.5 - min * 0.5) - 1;
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
