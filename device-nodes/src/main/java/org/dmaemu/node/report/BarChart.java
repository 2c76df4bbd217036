package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * One bar per item, such as per-device throughput, coloured by group. Up to 60 bars are drawn labelled, in
 * the order given; more are drawn as each group's values sorted from highest to lowest, unlabelled, with
 * the count stated.
 *
 * @param title shown above the chart
 * @param yLabel the value's name and unit
 * @param bars the items; a bar with a non-finite value is skipped
 * @param annotation a line under the title, such as the fairness index per group; may be empty
 */
public record BarChart(String title, String yLabel, List<Bar> bars, String annotation) implements Block {

  public BarChart {
    title = Objects.requireNonNullElse(title, "");
    yLabel = Objects.requireNonNullElse(yLabel, "");
    bars = List.copyOf(bars);
    annotation = Objects.requireNonNullElse(annotation, "");
  }

  /**
   * One item.
   *
   * @param label the bar's name, shown under it when bars are few
   * @param group the legend entry and colour the bar belongs to, may be empty
   * @param value the bar's height
   */
  public record Bar(String label, String group, double value) {

    public Bar {
      label = Objects.requireNonNullElse(label, "");
      group = Objects.requireNonNullElse(group, "");
    }
  }
}
