package org.dmaemu.node.report;

import java.util.List;

/**
 * A chart axis: the span it shows, linear or logarithmic, and its ticks.
 *
 * @param lo the value at the axis' start
 * @param hi the value at its end, above {@code lo} (both above zero on a log axis)
 * @param log whether values map by their logarithm
 * @param ticks grid positions, in ascending order; a minor tick may have an empty label
 */
record Axis(double lo, double hi, boolean log, List<Tick> ticks) {

  Axis {
    ticks = List.copyOf(ticks);
  }

  /** One grid position; a major one draws a stronger grid line. */
  record Tick(double value, String label, boolean major) {}

  /** Where {@code v} lies along the axis: 0 at {@code lo}, 1 at {@code hi}. */
  double fraction(double v) {
    if (log) {
      return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    }
    // Halves: hi - lo overflows for data near Double.MAX_VALUE.
    double span = hi * 0.5 - lo * 0.5;
    return span > 0 ? (v * 0.5 - lo * 0.5) / span : 0.5;
  }

  /**
   * This axis cut to [{@code min}, {@code max}], keeping the ticks inside: a time axis then ends where the
   * data ends. Unchanged when the data span is empty.
   */
  Axis within(double min, double max) {
    if (!(min < max) || min < lo || max > hi) {
      return this;
    }
    double slack = (hi - lo) * 1e-9;
    List<Tick> inside = ticks.stream().filter(t -> t.value() >= min - slack && t.value() <= max + slack).toList();
    return new Axis(min, max, log, inside);
  }

  List<Double> majorValues() {
    return ticks.stream().filter(Tick::major).map(Tick::value).toList();
  }

  List<Double> values() {
    return ticks.stream().map(Tick::value).toList();
  }
}
