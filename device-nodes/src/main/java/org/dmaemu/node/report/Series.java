package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * A named line of a chart, drawn through its points in the order given.
 *
 * @param name the legend's text for this line
 * @param points the data; non-finite points are skipped and break the line
 */
public record Series(String name, List<Point> points) {

  public Series {
    name = Objects.requireNonNullElse(name, "");
    points = List.copyOf(points);
  }
}
