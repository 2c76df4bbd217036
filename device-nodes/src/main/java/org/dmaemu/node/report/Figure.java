package org.dmaemu.node.report;

import java.util.List;

/** The HTML around a chart: its caption, legend, notes, or the frame that says there is no data. */
final class Figure {

  /** A legend entry: the series' or group's name and its position in the palette. */
  record Entry(String name, int index, boolean empty) {}

  private Figure() {}

  static void open(StringBuilder out, String id, String title, String annotation) {
    out.append("<figure class=\"chart\" id=\"").append(id).append("\">\n");
    if (!title.isEmpty()) {
      out.append("<figcaption>");
      Html.appendEscaped(out, title);
      out.append("</figcaption>\n");
    }
    if (!annotation.isEmpty()) {
      out.append("<p class=\"annotation\">");
      Html.appendEscaped(out, annotation);
      out.append("</p>\n");
    }
  }

  static void close(StringBuilder out) {
    out.append("</figure>\n");
  }

  static void noData(StringBuilder out, String why) {
    out.append("<div class=\"nodata\"><strong>No data</strong>");
    if (!why.isEmpty()) {
      out.append("<br/>");
      Html.appendEscaped(out, why);
    }
    out.append("</div>\n");
  }

  /** A legend of line swatches, in the series' colours and dash patterns. */
  static void lineLegend(StringBuilder out, List<Entry> entries) {
    legend(out, entries, true);
  }

  /** A legend of colour boxes, one per bar group. */
  static void boxLegend(StringBuilder out, List<Entry> entries) {
    legend(out, entries, false);
  }

  private static void legend(StringBuilder out, List<Entry> entries, boolean lines) {
    if (entries.isEmpty()) {
      return;
    }
    out.append("<ul class=\"legend\">\n");
    for (Entry e : entries) {
      out.append("<li>");
      if (lines) {
        out.append("<span class=\"swatch\" style=\"border-top-color:").append(Palette.colour(e.index()))
            .append(";border-top-style:").append(Palette.borderStyle(e.index())).append("\"></span>");
      } else {
        out.append("<span class=\"swatch box\" style=\"border-color:").append(Palette.colour(e.index()))
            .append("\"></span>");
      }
      out.append("<span>");
      Html.appendEscaped(out, e.name());
      if (e.empty()) {
        out.append(" <span class=\"muted\">(no data)</span>");
      }
      out.append("</span></li>\n");
    }
    out.append("</ul>\n");
  }

  static void notes(StringBuilder out, List<String> notes) {
    if (notes.isEmpty()) {
      return;
    }
    out.append("<p class=\"chart-note\">");
    Html.appendEscaped(out, String.join(" ", notes));
    out.append("</p>\n");
  }

  /** "1 point" or "12 points". */
  static String plural(long n, String one, String many) {
    return Numbers.count(n) + " " + (n == 1 ? one : many);
  }
}
