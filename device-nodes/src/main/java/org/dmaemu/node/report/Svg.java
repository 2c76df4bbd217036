package org.dmaemu.node.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** Pieces of SVG markup shared by the charts. Coordinates are in the view box's units. */
final class Svg {

  /** The view box's width: charts scale to the page, so this only sets the proportions of text to plot. */
  static final int WIDTH = 800;
  static final int PLOT_HEIGHT = 300;
  static final int TOP = 14;
  /** Rough width of one character of an 11-unit tick label, to lay out labels without a font. */
  static final double CHAR_WIDTH = 6.6;

  private Svg() {}

  /** Opens the chart's SVG in a wrapper that scrolls sideways on a window too narrow to read it. */
  static void open(StringBuilder out, double height, String label) {
    out.append("<div class=\"plot\">\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"100%\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(num(height)).append("\" role=\"img\" aria-label=\"");
    Html.appendEscaped(out, label);
    out.append("\">\n");
  }

  static void close(StringBuilder out) {
    out.append("</svg>\n</div>\n");
  }

  /** {@code v} with at most one decimal: enough at any screen size, and a tenth the bytes of a double. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      // A bug upstream: say so in the markup (tests look for it; Chromium logs an error) rather than draw at 0.
      return "NaN";
    }
    long tenths = Math.round(v * 10);
    if (tenths % 10 == 0) {
      return Long.toString(tenths / 10);
    }
    return (tenths < 0 ? "-" : "") + Math.abs(tenths) / 10 + "." + Math.abs(tenths) % 10;
  }

  static void line(StringBuilder out, String cls, double x1, double y1, double x2, double y2) {
    out.append("<line class=\"").append(cls).append("\" x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1))
        .append("\" x2=\"").append(num(x2)).append("\" y2=\"").append(num(y2)).append("\"/>\n");
  }

  static void text(StringBuilder out, String cls, double x, double y, String anchor, String text) {
    out.append("<text class=\"").append(cls).append("\" x=\"").append(num(x)).append("\" y=\"").append(num(y))
        .append("\" text-anchor=\"").append(anchor).append("\">");
    Html.appendEscaped(out, text);
    out.append("</text>\n");
  }

  /** The x axis' name, centred under the plot; cut to the plot's width, whole in its tooltip. */
  static void xAxisLabel(StringBuilder out, String label, double left, double right, double y) {
    if (label.isEmpty()) {
      return;
    }
    out.append("<text class=\"axis-label\" x=\"").append(num((left + right) / 2)).append("\" y=\"").append(num(y))
        .append("\" text-anchor=\"middle\">");
    labelText(out, label, right - left);
    out.append("</text>\n");
  }

  /** The y axis' name, read bottom to top along the chart's left edge; cut to the plot's height. */
  static void yAxisLabel(StringBuilder out, String label, double top, double bottom) {
    if (label.isEmpty()) {
      return;
    }
    out.append("<text class=\"axis-label\" transform=\"translate(16,").append(num((top + bottom) / 2))
        .append(") rotate(-90)\" text-anchor=\"middle\">");
    labelText(out, label, bottom - top);
    out.append("</text>\n");
  }

  private static void labelText(StringBuilder out, String label, double room) {
    // An axis label is 12 units high: its characters are wider than a tick label's.
    int max = Math.max(12, (int) (room / (CHAR_WIDTH * 1.1)));
    String shown = Html.shorten(label, max);
    // Keep a unit in parentheses at the end: "wait, from arriv… (µs)" still says what the numbers are.
    int unit = label.lastIndexOf(" (");
    if (!shown.equals(label) && label.endsWith(")") && unit > 0 && label.length() - unit <= 12) {
      shown = Html.shorten(label.substring(0, unit), max - (label.length() - unit)) + label.substring(unit);
    }
    if (!shown.equals(label)) {
      title(out, label);
    }
    Html.appendEscaped(out, shown);
  }

  static void title(StringBuilder out, String text) {
    out.append("<title>");
    Html.appendEscaped(out, text);
    out.append("</title>");
  }

  static double textWidth(String text) {
    return text.codePointCount(0, text.length()) * CHAR_WIDTH;
  }

  /** The widest labelled tick of {@code axis}. */
  static double labelWidth(Axis axis) {
    return axis.ticks().stream().mapToDouble(t -> textWidth(t.label())).max().orElse(0);
  }

  /**
   * The labelled ticks that fit side by side along an axis, major ticks first: a label is dropped when it
   * would overlap one already placed, or stick out of {@code [min, max]}.
   *
   * @param position where a tick lies along the axis, in view-box units
   * @param vertical whether labels stack (y axis: each takes a line's height) or sit in a row (x axis)
   */
  static List<Axis.Tick> fitLabels(Axis axis, DoubleUnaryOperator position, boolean vertical,
      double min, double max) {
    List<Axis.Tick> candidates = new ArrayList<>(axis.ticks().stream().filter(t -> !t.label().isEmpty()).toList());
    candidates.sort(Comparator.comparing((Axis.Tick t) -> !t.major()));
    List<double[]> taken = new ArrayList<>();
    List<Axis.Tick> placed = new ArrayList<>();
    for (Axis.Tick t : candidates) {
      double centre = position.applyAsDouble(t.value());
      double half = vertical ? 7 : textWidth(t.label()) / 2 + 4;
      double from = centre - half;
      double to = centre + half;
      boolean fits = (vertical || (from >= min && to <= max))
          && taken.stream().noneMatch(r -> from < r[1] && to > r[0]);
      if (fits) {
        taken.add(new double[] {from, to});
        placed.add(t);
      }
    }
    return placed;
  }
}
