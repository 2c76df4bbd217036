package org.dmaemu.node.report;

import java.util.ArrayList;
import java.util.List;

/** Fewer points for a long series, drawn the same at a chart's resolution. */
final class Downsample {

  private Downsample() {}

  /**
   * At most {@code limit} (at least 4) of {@code points}, in order: the first, the last, and the smallest
   * and largest y of each of equal runs of the rest, so every peak and trough survives.
   */
  static List<Point> minMax(List<Point> points, int limit) {
    if (limit < 4) {
      throw new IllegalArgumentException("limit must be at least 4: " + limit);
    }
    int n = points.size();
    if (n <= limit) {
      return points;
    }
    int buckets = (limit - 2) / 2;
    int interior = n - 2;
    List<Point> out = new ArrayList<>(limit);
    out.add(points.get(0));
    for (int b = 0; b < buckets; b++) {
      int from = 1 + (int) ((long) b * interior / buckets);
      int to = 1 + (int) ((long) (b + 1) * interior / buckets);
      int lowest = from;
      int highest = from;
      for (int i = from + 1; i < to; i++) {
        double y = points.get(i).y();
        if (y < points.get(lowest).y()) {
          lowest = i;
        }
        if (y > points.get(highest).y()) {
          highest = i;
        }
      }
      out.add(points.get(Math.min(lowest, highest)));
      if (lowest != highest) {
        out.add(points.get(Math.max(lowest, highest)));
      }
    }
    out.add(points.get(n - 1));
    return out;
  }
}
