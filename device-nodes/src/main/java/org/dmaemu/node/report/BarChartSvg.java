package org.dmaemu.node.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Bar charts: a labelled bar per item when they are few; when they are many (thousands of devices), each
 * group's values sorted from highest to lowest in a panel of its own, so an unfair share shows as a slope.
 */
final class BarChartSvg {

  /** Up to this many bars each get a label. */
  static final int LABELLED_BARS = 60;
  /** Up to this many bars each also show their value. */
  private static final int VALUED_BARS = 20;
  private static final int LABEL_CHARACTERS = 18;
  private static final double PANEL_GAP = 18;

  private BarChartSvg() {}

  static void render(StringBuilder out, String id, BarChart c) {
    List<BarChart.Bar> bars = c.bars().stream().filter(b -> Double.isFinite(b.value())).toList();
    long skipped = c.bars().size() - bars.size();
    Map<String, Integer> groups = new LinkedHashMap<>();
    for (BarChart.Bar b : bars) {
      groups.putIfAbsent(b.group(), groups.size());
    }
    List<String> notes = new ArrayList<>();
    Figure.open(out, id, c.title(), c.annotation());
    if (bars.isEmpty()) {
      Figure.noData(out, c.bars().isEmpty() ? "" : "None of the bars has a finite value.");
    } else if (bars.size() <= LABELLED_BARS) {
      labelled(out, c, bars, groups);
    } else {
      distribution(out, c, bars, groups);
      notes.add(Numbers.count(bars.size()) + " bars" + (groups.size() > 1 ? " in " + groups.size() + " groups" : "")
          + ", too many to label: " + (groups.size() > 1 ? "each panel shows one group's" : "the panel shows their")
          + " values sorted from highest to lowest.");
    }
    if (!bars.isEmpty() && (groups.size() > 1 || !groups.containsKey(""))) {
      List<Figure.Entry> legend = new ArrayList<>();
      groups.forEach((name, index) -> legend.add(new Figure.Entry(groupName(name), index, false)));
      Figure.boxLegend(out, legend);
    }
    if (skipped > 0) {
      notes.add(Figure.plural(skipped, "bar", "bars") + " with a non-finite value (NaN, infinity) skipped.");
    }
    Figure.notes(out, notes);
    Figure.close(out);
  }

  private static String groupName(String group) {
    return group.isEmpty() ? "(no group)" : group;
  }

  private static Axis valueAxis(List<BarChart.Bar> bars) {
    double min = 0;
    double max = 0;
    for (BarChart.Bar b : bars) {
      min = Math.min(min, b.value());
      max = Math.max(max, b.value());
    }
    return Ticks.linear(min, max, 5);
  }

  private static void labelled(StringBuilder out, BarChart c, List<BarChart.Bar> bars, Map<String, Integer> groups) {
    Axis y = valueAxis(bars);
    double left = (c.yLabel().isEmpty() ? 10 : 30) + Svg.labelWidth(y) + 8;
    double right = Svg.WIDTH - 16;
    double top = Svg.TOP;
    double bottom = top + Svg.PLOT_HEIGHT;
    double band = (right - left) / bars.size();
    double labelWidth = bars.stream()
        .mapToDouble(b -> Svg.textWidth(Html.shorten(b.label(), LABEL_CHARACTERS)) * 0.92).max().orElse(0);
    // Upright labels when they fit the bar's band; slanted, then vertical, as bands narrow.
    int angle = labelWidth <= band - 4 ? 0 : band >= 16 ? -45 : -90;
    double labelDrop = angle == 0 ? 0 : labelWidth * Math.sin(Math.toRadians(-angle));
    double height = bottom + 22 + labelDrop;
    boolean valued = bars.size() <= VALUED_BARS
        && bars.stream().allMatch(b -> Svg.textWidth(Numbers.compact(b.value())) * 0.9 <= band);

    Svg.open(out, height, c.title());
    valueGrid(out, y, left, right, top, bottom);
    for (int i = 0; i < bars.size(); i++) {
      BarChart.Bar b = bars.get(i);
      double centre = left + (i + 0.5) * band;
      double width = Math.min(64, Math.max(1, band * 0.72));
      double y0 = bottom - y.fraction(0) * (bottom - top);
      double yv = bottom - y.fraction(b.value()) * (bottom - top);
      out.append("<rect class=\"bar\" x=\"").append(Svg.num(centre - width / 2)).append("\" y=\"")
          .append(Svg.num(Math.min(y0, yv))).append("\" width=\"").append(Svg.num(width)).append("\" height=\"")
          .append(Svg.num(Math.abs(yv - y0))).append("\" fill=\"").append(Palette.colour(groups.get(b.group())))
          .append("\">");
      Svg.title(out, b.label() + (b.group().isEmpty() ? "" : " (" + b.group() + ")") + ": "
          + Numbers.compact(b.value()));
      out.append("</rect>\n");
      if (valued) {
        double labelY = b.value() >= 0 ? yv - 4 : yv + 12;
        Svg.text(out, "bar-value", centre, labelY, "middle", Numbers.compact(b.value()));
      }
      barLabel(out, Html.shorten(b.label(), LABEL_CHARACTERS), centre, bottom, angle);
    }
    Svg.line(out, "axis", left, bottom, right, bottom);
    Svg.yAxisLabel(out, c.yLabel(), top, bottom);
    Svg.close(out);
  }

  private static void barLabel(StringBuilder out, String label, double centre, double bottom, int angle) {
    if (angle == 0) {
      Svg.text(out, "bar-label", centre, bottom + 15, "middle", label);
      return;
    }
    double x = centre + (angle == -90 ? 3.5 : 0);
    double y = bottom + 10;
    out.append("<text class=\"bar-label\" transform=\"translate(").append(Svg.num(x)).append(',').append(Svg.num(y))
        .append(") rotate(").append(angle).append(")\" text-anchor=\"end\">");
    Html.appendEscaped(out, label);
    out.append("</text>\n");
  }

  private static void distribution(StringBuilder out, BarChart c, List<BarChart.Bar> bars,
      Map<String, Integer> groups) {
    Axis y = valueAxis(bars);
    double left = (c.yLabel().isEmpty() ? 10 : 30) + Svg.labelWidth(y) + 8;
    double right = Svg.WIDTH - 16;
    double top = Svg.TOP;
    double bottom = top + Svg.PLOT_HEIGHT;
    double height = bottom + 44;
    int count = groups.size();
    double panel = (right - left - PANEL_GAP * (count - 1)) / count;
    Map<String, List<Double>> values = new LinkedHashMap<>();
    groups.keySet().forEach(g -> values.put(g, new ArrayList<>()));
    bars.forEach(b -> values.get(b.group()).add(b.value()));

    Svg.open(out, height, c.title());
    valueGrid(out, y, left, right, top, bottom);
    for (Map.Entry<String, List<Double>> e : values.entrySet()) {
      int index = groups.get(e.getKey());
      double from = left + index * (panel + PANEL_GAP);
      List<Double> sorted = new ArrayList<>(e.getValue());
      sorted.sort((a, b) -> Double.compare(b, a));
      area(out, groupName(e.getKey()), sorted, index, from, panel, y, top, bottom);
      Svg.line(out, "axis", from, bottom, from + panel, bottom);
      String name = Html.shorten(groupName(e.getKey()), Math.max(4, (int) (panel / Svg.CHAR_WIDTH)));
      Svg.text(out, "panel-label", from + panel / 2, bottom + 17, "middle", name);
      Svg.text(out, "tick", from + panel / 2, bottom + 33, "middle", "n = " + Numbers.count(sorted.size()));
    }
    Svg.yAxisLabel(out, c.yLabel(), top, bottom);
    Svg.close(out);
  }

  /**
   * One group's sorted values as a filled area: a step per bar while the panel has room for them, else a
   * line through evenly spaced ranks, the highest and lowest among them.
   */
  private static void area(StringBuilder out, String name, List<Double> sorted, int index, double from,
      double width, Axis y, double top, double bottom) {
    int n = sorted.size();
    double base = bottom - y.fraction(0) * (bottom - top);
    StringBuilder d = new StringBuilder();
    d.append('M').append(Svg.num(from)).append(',').append(Svg.num(base));
    if (n <= width) {
      for (int i = 0; i < n; i++) {
        d.append('V').append(Svg.num(bottom - y.fraction(sorted.get(i)) * (bottom - top)))
            .append('H').append(Svg.num(from + (i + 1) * width / n));
      }
    } else {
      int samples = Math.max(2, (int) width);
      d.append('V').append(Svg.num(bottom - y.fraction(sorted.get(0)) * (bottom - top)));
      for (int j = 0; j < samples; j++) {
        int rank = (int) Math.round((double) j * (n - 1) / (samples - 1));
        double x = from + (rank + 0.5) * width / n;
        d.append('L').append(Svg.num(x)).append(',')
            .append(Svg.num(bottom - y.fraction(sorted.get(rank)) * (bottom - top)));
      }
      d.append('H').append(Svg.num(from + width));
    }
    d.append('V').append(Svg.num(base)).append('Z');
    String colour = Palette.colour(index);
    out.append("<path class=\"area\" fill=\"").append(colour).append("\" stroke=\"").append(colour)
        .append("\" d=\"").append(d).append("\">");
    Svg.title(out, name + ": " + Figure.plural(n, "bar", "bars") + ": highest " + Numbers.compact(sorted.get(0))
        + ", median " + Numbers.compact(sorted.get(n / 2)) + ", lowest " + Numbers.compact(sorted.get(n - 1)));
    out.append("</path>\n");
  }

  private static void valueGrid(StringBuilder out, Axis y, double left, double right, double top, double bottom) {
    DoubleUnaryOperator py = v -> bottom - y.fraction(v) * (bottom - top);
    for (Axis.Tick t : y.ticks()) {
      Svg.line(out, t.value() == 0 ? "zero" : "grid", left, py.applyAsDouble(t.value()), right,
          py.applyAsDouble(t.value()));
    }
    Svg.line(out, "axis", left, top, left, bottom);
    for (Axis.Tick t : Svg.fitLabels(y, py, true, 0, 0)) {
      Svg.text(out, "tick", left - 6, py.applyAsDouble(t.value()) + 4, "end", t.label());
    }
  }
}
