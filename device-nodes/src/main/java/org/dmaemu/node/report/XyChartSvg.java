package org.dmaemu.node.report;

import java.util.ArrayList;
import java.util.List;

/** Line charts and CDF charts: series over two numeric axes. */
final class XyChartSvg {

  /** Above this many points a series is thinned: more than the chart has pixels to show them. */
  static final int MAX_POINTS = 2000;
  /** Series this short get a marker, with a tooltip, at each point. */
  private static final int MARKED_POINTS = 60;
  private static final double[] GUIDES = {0.5, 0.9, 0.99};
  private static final String[] GUIDE_LABELS = {"p50", "p90", "p99"};

  /** A series cut where points were skipped, so a gap in the data stays a gap on the chart. */
  private record Trace(int index, String name, List<List<Point>> segments, int points) {}

  /** What was left out of a chart, for its note. */
  private static final class Skipped {
    long nonFinite;
    long nonPositive;
    long outsideUnit;
    boolean thinned;
  }

  private XyChartSvg() {}

  static void line(StringBuilder out, String id, LineChart c) {
    draw(out, id, c.title(), c.xLabel(), c.yLabel(), c.series(), c.logX(), c.logY(), false);
  }

  static void cdf(StringBuilder out, String id, CdfChart c) {
    boolean anyPoint = false;
    boolean allPositive = true;
    for (Series s : c.series()) {
      for (Point p : s.points()) {
        if (Double.isFinite(p.x()) && Double.isFinite(p.y())) {
          anyPoint = true;
          allPositive &= p.x() > 0;
        }
      }
    }
    draw(out, id, c.title(), c.xLabel(), "cumulative fraction", c.series(), anyPoint && allPositive, false, true);
  }

  private static void draw(StringBuilder out, String id, String title, String xLabel, String yLabel,
      List<Series> series, boolean logX, boolean logY, boolean cdf) {
    Skipped skipped = new Skipped();
    List<Trace> traces = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      traces.add(trace(i, series.get(i), logX, logY, cdf, skipped));
    }
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (Trace t : traces) {
      for (List<Point> segment : t.segments()) {
        for (Point p : segment) {
          xMin = Math.min(xMin, p.x());
          xMax = Math.max(xMax, p.x());
          yMin = Math.min(yMin, p.y());
          yMax = Math.max(yMax, p.y());
        }
      }
    }
    List<Figure.Entry> legend =
        traces.stream().map(t -> new Figure.Entry(legendName(t), t.index(), t.points() == 0)).toList();
    Figure.open(out, id, title, "");
    if (xMin > xMax) {
      Figure.noData(out, series.isEmpty() ? "" : "None of the series has a point that can be drawn.");
      Figure.notes(out, notes(skipped, logX, logY));
      Figure.close(out);
      return;
    }

    Axis y;
    if (cdf) {
      y = Ticks.linear(0, 1, 5);
    } else if (logY) {
      y = Ticks.log(yMin, yMax, Svg.PLOT_HEIGHT / decades(yMin, yMax) >= 85);
    } else {
      y = Ticks.linear(Math.min(0, yMin), Math.max(0, yMax), 5);
    }
    double left = (yLabel.isEmpty() ? 10 : 30) + Svg.labelWidth(y) + 8;
    double right = cdf ? 40 : 24;
    double plotWidth = Svg.WIDTH - left - right;
    // The x axis ends where the data does; the y axis keeps round ends, and zero, for honest heights.
    if (xMin == xMax && !logX) {
      // One x value: centre it (Ticks would start a non-negative axis at zero, as a y axis should).
      double pad = xMin == 0 ? 1 : Math.abs(xMin) * 0.1;
      xMin -= pad;
      xMax += pad;
    }
    Axis x = (logX
        ? Ticks.log(xMin, xMax, plotWidth / decades(xMin, xMax) >= 150)
        : Ticks.linear(xMin, xMax, Math.max(3, (int) (plotWidth / 110)))).within(xMin, xMax);
    double top = Svg.TOP;
    double bottom = top + Svg.PLOT_HEIGHT;
    double height = bottom + (xLabel.isEmpty() ? 28 : 48);
    Plot plot = new Plot(x, y, left, left + plotWidth, top, bottom);

    Svg.open(out, height, title);
    grid(out, plot);
    if (cdf) {
      guides(out, plot);
    }
    for (Trace t : traces) {
      series(out, plot, t, cdf, skipped);
    }
    axisLabels(out, plot, xLabel, yLabel, height);
    Svg.close(out);
    Figure.lineLegend(out, legend);
    Figure.notes(out, notes(skipped, logX, logY));
    Figure.close(out);
  }

  /** The plotting area and its axes; maps data to view-box coordinates. */
  private record Plot(Axis x, Axis y, double left, double right, double top, double bottom) {

    double px(double v) {
      return left + x.fraction(v) * (right - left);
    }

    double py(double v) {
      return bottom - y.fraction(v) * (bottom - top);
    }
  }

  private static Trace trace(int index, Series s, boolean logX, boolean logY, boolean cdf, Skipped skipped) {
    List<List<Point>> segments = new ArrayList<>();
    List<Point> current = new ArrayList<>();
    int kept = 0;
    for (Point p : s.points()) {
      if (!Double.isFinite(p.x()) || !Double.isFinite(p.y())) {
        skipped.nonFinite++;
      } else if ((logX && p.x() <= 0) || (logY && p.y() <= 0)) {
        skipped.nonPositive++;
      } else if (cdf && (p.y() < 0 || p.y() > 1)) {
        skipped.outsideUnit++;
      } else {
        current.add(p);
        kept++;
        continue;
      }
      // A CDF's steps bridge a skipped value; a line breaks there.
      if (!cdf && !current.isEmpty()) {
        segments.add(current);
        current = new ArrayList<>();
      }
    }
    if (!current.isEmpty()) {
      segments.add(current);
    }
    return new Trace(index, s.name(), segments, kept);
  }

  private static String legendName(Trace t) {
    return t.name().isEmpty() ? "series " + (t.index() + 1) : t.name();
  }

  private static double decades(double min, double max) {
    return Math.max(1, Math.ceil(Math.log10(max) - 1e-9) - Math.floor(Math.log10(min) + 1e-9));
  }

  private static void grid(StringBuilder out, Plot p) {
    for (Axis.Tick t : p.x().ticks()) {
      double px = p.px(t.value());
      Svg.line(out, t.major() ? "grid" : "grid minor", px, p.top(), px, p.bottom());
    }
    for (Axis.Tick t : p.y().ticks()) {
      double py = p.py(t.value());
      Svg.line(out, t.major() ? "grid" : "grid minor", p.left(), py, p.right(), py);
    }
    if (p.y().lo() < 0 && p.y().hi() > 0) {
      Svg.line(out, "zero", p.left(), p.py(0), p.right(), p.py(0));
    }
    Svg.line(out, "axis", p.left(), p.bottom(), p.right(), p.bottom());
    Svg.line(out, "axis", p.left(), p.top(), p.left(), p.bottom());
    for (Axis.Tick t : Svg.fitLabels(p.x(), p::px, false, 0, Svg.WIDTH)) {
      Svg.text(out, "tick", p.px(t.value()), p.bottom() + 16, "middle", t.label());
    }
    for (Axis.Tick t : Svg.fitLabels(p.y(), p::py, true, 0, 0)) {
      Svg.text(out, "tick", p.left() - 6, p.py(t.value()) + 4, "end", t.label());
    }
  }

  private static void guides(StringBuilder out, Plot p) {
    for (int i = 0; i < GUIDES.length; i++) {
      double py = p.py(GUIDES[i]);
      Svg.line(out, "guide", p.left(), py, p.right(), py);
      Svg.text(out, "guide-label", p.right() + 4, py + 4, "start", GUIDE_LABELS[i]);
    }
  }

  private static void series(StringBuilder out, Plot p, Trace t, boolean cdf, Skipped skipped) {
    if (t.points() == 0) {
      return;
    }
    String colour = Palette.colour(t.index());
    String dash = Palette.dash(t.index());
    StringBuilder d = new StringBuilder();
    for (List<Point> segment : t.segments()) {
      List<Point> drawn = segment;
      if (t.points() > MAX_POINTS) {
        int budget = (int) Math.max(4, (long) MAX_POINTS * segment.size() / t.points());
        drawn = Downsample.minMax(segment, budget);
        skipped.thinned |= drawn.size() < segment.size();
      }
      if (cdf) {
        steps(d, p, drawn);
      } else {
        polyline(d, p, drawn);
      }
    }
    out.append("<path class=\"series\" stroke=\"").append(colour).append('"');
    if (!dash.isEmpty()) {
      out.append(" stroke-dasharray=\"").append(dash).append('"');
    }
    out.append(" d=\"").append(d.toString().strip()).append("\">");
    Svg.title(out, legendName(t));
    out.append("</path>\n");
    for (List<Point> segment : t.segments()) {
      boolean mark = cdf ? t.points() == 1 : (t.points() <= MARKED_POINTS || segment.size() == 1);
      if (mark) {
        for (Point pt : segment) {
          marker(out, p, pt, colour, legendName(t));
        }
      }
    }
  }

  private static void polyline(StringBuilder d, Plot p, List<Point> points) {
    char command = 'M';
    for (Point pt : points) {
      d.append(command).append(Svg.num(p.px(pt.x()))).append(',').append(Svg.num(p.py(pt.y())));
      command = 'L';
    }
    d.append(' ');
  }

  /** Rises from zero at the first value, then holds each fraction until the next value. */
  private static void steps(StringBuilder d, Plot p, List<Point> points) {
    Point first = points.get(0);
    d.append('M').append(Svg.num(p.px(first.x()))).append(',').append(Svg.num(p.py(0)))
        .append('V').append(Svg.num(p.py(first.y())));
    for (int i = 1; i < points.size(); i++) {
      Point pt = points.get(i);
      d.append('H').append(Svg.num(p.px(pt.x()))).append('V').append(Svg.num(p.py(pt.y())));
    }
    d.append(' ');
  }

  private static void marker(StringBuilder out, Plot p, Point pt, String colour, String name) {
    out.append("<circle class=\"marker\" cx=\"").append(Svg.num(p.px(pt.x()))).append("\" cy=\"")
        .append(Svg.num(p.py(pt.y()))).append("\" r=\"3\" fill=\"").append(colour).append("\">");
    Svg.title(out, name + ": " + Numbers.compact(pt.x()) + ", " + Numbers.compact(pt.y()));
    out.append("</circle>\n");
  }

  private static void axisLabels(StringBuilder out, Plot p, String xLabel, String yLabel, double height) {
    Svg.xAxisLabel(out, xLabel, p.left(), p.right(), height - 10);
    Svg.yAxisLabel(out, yLabel, p.top(), p.bottom());
  }

  private static List<String> notes(Skipped s, boolean logX, boolean logY) {
    List<String> notes = new ArrayList<>();
    if (s.nonPositive > 0) {
      notes.add(Figure.plural(s.nonPositive, "point", "points") + " at or below zero not shown on the log "
          + (logX && logY ? "axes." : "axis."));
    }
    if (s.nonFinite > 0) {
      notes.add(Figure.plural(s.nonFinite, "point", "points") + " with a non-finite value (NaN, infinity) skipped.");
    }
    if (s.outsideUnit > 0) {
      notes.add(Figure.plural(s.outsideUnit, "point", "points") + " with a fraction outside [0, 1] skipped.");
    }
    if (s.thinned) {
      notes.add("Series of more than " + Numbers.count(MAX_POINTS) + " points are drawn through a subset that"
          + " keeps their first, last, smallest and largest values.");
    }
    return notes;
  }
}
