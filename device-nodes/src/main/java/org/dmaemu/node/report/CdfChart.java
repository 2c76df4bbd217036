package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * Cumulative distributions: each series' points are (value, fraction in [0,1]) ascending; x on a log scale
 * when all x > 0. Drawn as step lines, with guide lines at p50, p90 and p99.
 *
 * @param title shown above the chart
 * @param xLabel the value's name and unit, such as "map-register wait (µs)"
 * @param series one distribution per line
 */
public record CdfChart(String title, String xLabel, List<Series> series) implements Block {

  public CdfChart {
    title = Objects.requireNonNullElse(title, "");
    xLabel = Objects.requireNonNullElse(xLabel, "");
    series = List.copyOf(series);
  }
}
