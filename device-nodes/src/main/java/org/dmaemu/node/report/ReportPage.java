package org.dmaemu.node.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Report} as one self-contained HTML5 page (DESIGN §7, {@code report.html}): inline CSS
 * and inline SVG, no script and no external reference, so it opens offline, prints, and cannot fail with a
 * script error. The markup is well-formed XML as well (every element closed, attributes quoted, only XML's
 * entities), so it can be checked with any XML parser. All text from the model is escaped.
 */
public final class ReportPage {

  private static final String STYLE = """
      :root { color-scheme: light; }
      * { box-sizing: border-box; }
      body { margin: 0 auto; max-width: 1040px; padding: 28px 24px 56px; color: #1f2328; background: #fff;
        font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
      header { border-bottom: 2px solid #1f2328; padding-bottom: 12px; margin-bottom: 8px; }
      h1 { font-size: 1.75em; line-height: 1.2; margin: 0 0 4px; }
      .subtitle { color: #57606a; margin: 0; }
      nav.toc { margin: 12px 0 8px; font-size: 0.93em; }
      nav.toc ol { margin: 4px 0 0; padding-left: 1.6em; columns: 2 16em; column-gap: 2em; }
      nav.toc a { color: #0b5cad; text-decoration: none; }
      nav.toc a:hover { text-decoration: underline; }
      .toc-title { font-weight: 600; }
      section { margin-top: 36px; }
      h2 { font-size: 1.3em; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
      .note { white-space: pre-line; margin: 0 0 12px; color: #31363c; }
      figure { margin: 20px 0 28px; break-inside: avoid; page-break-inside: avoid; }
      figcaption { font-weight: 600; font-size: 1.02em; margin-bottom: 2px; }
      .annotation { margin: 0 0 4px; color: #31363c; font-size: 0.93em; }
      .plot { overflow-x: auto; }
      svg.chart { display: block; width: 100%; min-width: 540px; height: auto; margin-top: 4px; }
      svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
      .tick { font-size: 11px; fill: #57606a; }
      .axis-label { font-size: 12px; fill: #31363c; }
      .bar-label { font-size: 10.5px; fill: #31363c; }
      .bar-value { font-size: 10px; fill: #57606a; }
      .panel-label { font-size: 12px; fill: #31363c; font-weight: 600; }
      .guide-label { font-size: 10.5px; fill: #6e7781; }
      .grid { stroke: #e1e4e8; stroke-width: 1; }
      .grid.minor { stroke: #eff1f3; }
      .axis { stroke: #8c959f; stroke-width: 1; }
      .zero { stroke: #8c959f; stroke-width: 1; }
      .guide { stroke: #9aa1a9; stroke-width: 1; stroke-dasharray: 4 3; }
      .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
      .marker { stroke: #fff; stroke-width: 0.8; }
      .bar { stroke: none; }
      .area { fill-opacity: 0.3; stroke-width: 1.2; stroke-linejoin: round; }
      ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 20px; margin: 6px 0 0; padding: 0 0 0 8px;
        font-size: 0.87em; }
      ul.legend li { display: flex; align-items: center; gap: 6px; max-width: 100%; overflow-wrap: anywhere; }
      .swatch { flex: none; width: 26px; height: 0; border-top: 3px solid; }
      .swatch.box { width: 0; height: 0; border: 6px solid; }
      .muted { color: #6e7781; }
      .chart-note { margin: 6px 0 0; font-size: 0.85em; color: #57606a; }
      .nodata { border: 1px dashed #8c959f; border-radius: 4px; padding: 36px 16px; margin-top: 6px;
        text-align: center; color: #57606a; }
      .table-wrap { overflow-x: auto; margin: 16px 0 24px; }
      table { border-collapse: collapse; font-size: 0.93em; font-variant-numeric: tabular-nums; }
      caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
      th, td { padding: 4px 12px; border-bottom: 1px solid #d8dee4; text-align: left; vertical-align: top; }
      thead th { border-bottom: 2px solid #8c959f; white-space: nowrap; }
      tbody tr:nth-child(even) { background: #f6f8fa; }
      table.kv th { font-weight: normal; color: #31363c; }
      td.num, th.num { text-align: right; white-space: nowrap; }
      td.empty { color: #6e7781; font-style: italic; }
      footer { margin-top: 48px; font-size: 0.8em; color: #6e7781; }
      @media print {
        body { max-width: none; padding: 0; font-size: 10pt; }
        nav.toc a { color: inherit; }
        section { break-before: auto; }
        h2 { break-after: avoid; page-break-after: avoid; }
        tbody tr:nth-child(even) { background: none; }
        .plot { overflow: visible; }
        svg.chart { min-width: 0; }
      }
      """;

  private ReportPage() {}

  /** The page, as a string. */
  public static String render(Report report) {
    StringBuilder out = new StringBuilder(64 * 1024);
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<meta name=\"generator\" content=\"dmaemu\"/>\n<title>");
    Html.appendEscaped(out, report.title().isEmpty() ? "dmaemu report" : report.title());
    out.append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<header>\n<h1>");
    Html.appendEscaped(out, report.title());
    out.append("</h1>\n");
    if (!report.subtitle().isEmpty()) {
      out.append("<p class=\"subtitle\">");
      Html.appendEscaped(out, report.subtitle());
      out.append("</p>\n");
    }
    List<String> ids = sectionIds(report.sections());
    contents(out, report.sections(), ids);
    out.append("</header>\n<main>\n");
    int[] figures = {0};
    for (int i = 0; i < report.sections().size(); i++) {
      section(out, report.sections().get(i), i, ids.get(i), figures);
    }
    out.append("</main>\n<footer>Written by dmaemu. Self-contained: no scripts, no external resources.</footer>\n")
        .append("</body>\n</html>\n");
    return out.toString();
  }

  /**
   * Writes the page to {@code file}, creating its directory. The page appears whole or not at all: it is
   * written beside {@code file} and moved into place. Blocking I/O: call it off the actors' dispatcher.
   */
  public static void write(Path file, Report report) throws IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    // Not Files.createTempFile: its owner-only permissions would stay with the page.
    Path partial = target.resolveSibling(
        "." + target.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".part");
    try {
      Files.writeString(partial, render(report), StandardCharsets.UTF_8);
      try {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static List<String> sectionIds(List<Section> sections) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < sections.size(); i++) {
      String slug = Html.slug(sections.get(i).heading());
      ids.add("sec-" + (i + 1) + (slug.isEmpty() ? "" : "-" + slug));
    }
    return ids;
  }

  private static String headingText(Section s, int index) {
    return s.heading().isEmpty() ? "Section " + (index + 1) : s.heading();
  }

  private static void contents(StringBuilder out, List<Section> sections, List<String> ids) {
    if (sections.isEmpty()) {
      return;
    }
    out.append("<nav class=\"toc\">\n<span class=\"toc-title\">Contents</span>\n<ol>\n");
    for (int i = 0; i < sections.size(); i++) {
      out.append("<li><a href=\"#").append(ids.get(i)).append("\">");
      Html.appendEscaped(out, headingText(sections.get(i), i));
      out.append("</a></li>\n");
    }
    out.append("</ol>\n</nav>\n");
  }

  private static void section(StringBuilder out, Section s, int index, String id, int[] figures) {
    out.append("<section id=\"").append(id).append("\">\n<h2>");
    Html.appendEscaped(out, headingText(s, index));
    out.append("</h2>\n");
    if (!s.note().isEmpty()) {
      out.append("<p class=\"note\">");
      Html.appendEscaped(out, s.note().strip());
      out.append("</p>\n");
    }
    for (Block block : s.blocks()) {
      // Java 17 has no pattern switch; Block is sealed, so this chain is complete.
      if (block instanceof KeyValues kv) {
        keyValues(out, kv);
      } else if (block instanceof Table t) {
        table(out, t);
      } else if (block instanceof LineChart c) {
        XyChartSvg.line(out, "fig-" + ++figures[0], c);
      } else if (block instanceof CdfChart c) {
        XyChartSvg.cdf(out, "fig-" + ++figures[0], c);
      } else if (block instanceof BarChart c) {
        BarChartSvg.render(out, "fig-" + ++figures[0], c);
      }
    }
    out.append("</section>\n");
  }

  private static void keyValues(StringBuilder out, KeyValues kv) {
    if (kv.rows().isEmpty()) {
      return;
    }
    out.append("<div class=\"table-wrap\">\n<table class=\"kv\">\n<tbody>\n");
    for (KeyValues.Row row : kv.rows()) {
      out.append("<tr><th scope=\"row\">");
      Html.appendEscaped(out, row.label());
      out.append("</th>");
      cell(out, row.value(), Numbers.isNumeric(row.value()));
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n</div>\n");
  }

  private static void table(StringBuilder out, Table t) {
    int columns = t.headers().size();
    for (List<String> row : t.rows()) {
      columns = Math.max(columns, row.size());
    }
    boolean[] numericColumn = new boolean[columns];
    for (int c = 0; c < columns; c++) {
      boolean any = false;
      boolean all = true;
      for (List<String> row : t.rows()) {
        String cell = c < row.size() ? row.get(c).strip() : "";
        if (Numbers.isNumeric(cell)) {
          any = true;
        } else if (!cell.isEmpty() && !Numbers.isPlaceholder(cell)) {
          all = false;
        }
      }
      numericColumn[c] = any && all;
    }
    out.append("<div class=\"table-wrap\">\n<table class=\"data\">\n");
    if (!t.caption().isEmpty()) {
      out.append("<caption>");
      Html.appendEscaped(out, t.caption());
      out.append("</caption>\n");
    }
    if (!t.headers().isEmpty()) {
      out.append("<thead><tr>");
      for (int c = 0; c < columns; c++) {
        out.append(numericColumn[c] ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">");
        Html.appendEscaped(out, c < t.headers().size() ? t.headers().get(c) : "");
        out.append("</th>");
      }
      out.append("</tr></thead>\n");
    }
    out.append("<tbody>\n");
    if (t.rows().isEmpty()) {
      out.append("<tr><td class=\"empty\" colspan=\"").append(Math.max(1, columns)).append("\">No rows</td></tr>\n");
    }
    for (List<String> row : t.rows()) {
      out.append("<tr>");
      for (int c = 0; c < columns; c++) {
        String text = c < row.size() ? row.get(c) : "";
        cell(out, text, Numbers.isNumeric(text) || (numericColumn[c] && Numbers.isPlaceholder(text)));
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n</div>\n");
  }

  private static void cell(StringBuilder out, String text, boolean numeric) {
    out.append(numeric ? "<td class=\"num\">" : "<td>");
    Html.appendEscaped(out, text);
    out.append("</td>");
  }
}
