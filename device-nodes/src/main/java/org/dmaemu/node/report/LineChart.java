package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * Lines over a shared x axis, such as throughput over time, or one line per policy in a sweep. A linear y
 * axis starts at zero. On a log axis, points with a value at or below zero are skipped and counted in a
 * note under the chart. Series of more than 2,000 points are thinned, keeping each one's first, last,
 * smallest and largest values.
 *
 * @param title shown above the chart
 * @param xLabel the x axis' name and unit
 * @param yLabel the y axis' name and unit
 * @param series the lines, each in its own colour and (beyond the palette) dash pattern
 * @param logX whether the x axis is logarithmic
 * @param logY whether the y axis is logarithmic
 */
public record LineChart(String title, String xLabel, String yLabel, List<Series> series, boolean logX, boolean logY)
    implements Block {

  public LineChart {
    title = Objects.requireNonNullElse(title, "");
    xLabel = Objects.requireNonNullElse(xLabel, "");
    yLabel = Objects.requireNonNullElse(yLabel, "");
    series = List.copyOf(series);
  }
}
