package org.dmaemu.node.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The page's structure, read back as XML (DESIGN §7, report.html). */
class ReportPageTest {

  private static final String HOSTILE = "</svg><script>alert('x')</script> & \"q\" <b>";
  private static final Pattern URL = Pattern.compile("https?://[^\"'\\s<>)]*");

  @Test
  @DisplayName("§7 report.html: one svg per chart with data, a heading per section, contents linking to them")
  void structure() {
    Report report = ReportSamples.full();
    String page = ReportPage.render(report);
    Document doc = ReportXml.parse(page);

    assertTrue(page.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
    List<String> headings = report.sections().stream().map(Section::heading).toList();
    assertEquals(headings, ReportXml.texts(doc, "//section/h2"));
    assertEquals(headings, ReportXml.texts(doc, "//nav[@class='toc']//a"));
    List<String> ids = ReportXml.texts(doc, "//section/@id");
    List<String> links = ReportXml.texts(doc, "//nav[@class='toc']//a/@href");
    assertEquals(ids.stream().map(id -> "#" + id).toList(), links);

    long charts = report.sections().stream().flatMap(s -> s.blocks().stream())
        .filter(b -> !(b instanceof KeyValues) && !(b instanceof Table)).count();
    assertEquals(charts, ReportXml.count(doc, "//figure"));
    // Two of the edge cases have no data: a framed message instead of an svg.
    assertEquals(charts - 2, ReportXml.count(doc, "//svg"));
    assertEquals(2, ReportXml.count(doc, "//figure/div[@class='nodata']"));
    assertEquals(ReportXml.count(doc, "//svg"), ReportXml.count(doc, "//svg[@viewBox and @width='100%']"));
    assertEquals(List.of("nic", "disk", "sensor"),
        ReportXml.texts(doc, "//figure[figcaption='Throughput per group']/ul[@class='legend']/li"));
    assertEquals(16,
        ReportXml.count(doc, "//figure[starts-with(figcaption, 'Sixteen series')]/ul[@class='legend']/li"));
    assertEquals(3, ReportXml.count(doc, "//figure[figcaption='Map-register wait per group']//path[@class='series']"));
    assertEquals(List.of("p50", "p90", "p99"),
        ReportXml.texts(doc, "//figure[figcaption='Map-register wait per group']//*[@class='guide-label']"));
    assertEquals(List.of("Jain's fairness index: nic 0.98, disk 0.71, sensor 0.98"),
        ReportXml.texts(doc, "//figure[figcaption='Throughput per device']/p[@class='annotation']"));
    Set<String> unique = ReportXml.texts(doc, "//*/@id").stream().collect(Collectors.toSet());
    assertEquals(ReportXml.count(doc, "//*/@id"), unique.size(), "ids are unique");
  }

  @Test
  @DisplayName("§7 report.html: self-contained — no script, no src, no link, no URL but the SVG namespace")
  void noExternalReferences() {
    String page = ReportPage.render(ReportSamples.full());
    Matcher m = URL.matcher(page);
    while (m.find()) {
      assertEquals("http://www.w3.org/2000/svg", m.group(), "external reference");
    }
    String lower = page.toLowerCase();
    assertFalse(lower.contains("<script"));
    assertFalse(lower.contains("src="));
    assertFalse(lower.contains("<link"));
    assertFalse(lower.contains("javascript:"));
    assertFalse(Pattern.compile("\\son[a-z]+=").matcher(lower).find(), "no event handler attributes");
    assertFalse(lower.contains("@import") || lower.contains("url(http"), "no CSS fetches");
  }

  @Test
  @DisplayName("every piece of text is escaped: hostile strings stay text")
  void escapesEverything() {
    List<Point> points = List.of(new Point(1, 2), new Point(2, 3));
    Report report = new Report(HOSTILE, HOSTILE, List.of(
        new Section(HOSTILE, HOSTILE, List.of(
            new KeyValues(List.of(new KeyValues.Row(HOSTILE, HOSTILE))),
            new Table(HOSTILE, List.of(HOSTILE), List.of(List.of(HOSTILE))),
            new LineChart(HOSTILE, HOSTILE, HOSTILE, List.of(new Series(HOSTILE, points)), false, false),
            new CdfChart(HOSTILE, HOSTILE, List.of(new Series(HOSTILE, List.of(new Point(1, 0.5))))),
            new BarChart(HOSTILE, HOSTILE, List.of(new BarChart.Bar(HOSTILE, HOSTILE, 1)), HOSTILE)))));
    String page = ReportPage.render(report);
    Document doc = ReportXml.parse(page);

    assertFalse(page.toLowerCase().contains("<script"));
    assertFalse(page.contains("</svg><"));
    assertFalse(page.contains("<b>"));
    assertEquals(HOSTILE, ReportXml.texts(doc, "/html/head/title").get(0));
    assertEquals(HOSTILE, ReportXml.texts(doc, "//h1").get(0));
    assertEquals(HOSTILE, ReportXml.texts(doc, "//p[@class='subtitle']").get(0));
    assertEquals(HOSTILE, ReportXml.texts(doc, "//h2").get(0));
    assertEquals(HOSTILE, ReportXml.texts(doc, "//p[@class='note']").get(0).strip());
    assertEquals(List.of(HOSTILE, HOSTILE), ReportXml.texts(doc, "//table[@class='kv']//th|//table[@class='kv']//td"));
    assertEquals(List.of(HOSTILE, HOSTILE, HOSTILE), ReportXml.texts(doc, "//table[@class='data']//caption"
        + "|//table[@class='data']//th|//table[@class='data']//td"));
    assertEquals(List.of(HOSTILE, HOSTILE, HOSTILE), ReportXml.texts(doc, "//figcaption"));
    assertEquals(List.of(HOSTILE, HOSTILE, HOSTILE), ReportXml.texts(doc, "//ul[@class='legend']/li"));
    assertEquals(HOSTILE, ReportXml.texts(doc, "//p[@class='annotation']").get(0));
    assertTrue(ReportXml.texts(doc, "//svg//text").containsAll(List.of(HOSTILE)), "axis labels");
    assertEquals(3, ReportXml.texts(doc, "//svg/@aria-label").stream().filter(HOSTILE::equals).count());
    assertTrue(ReportXml.texts(doc, "//svg//title").stream().allMatch(t -> t.startsWith(HOSTILE)));
  }

  @Test
  @DisplayName("characters XML forbids become U+FFFD, so the page still parses")
  void controlCharacters() {
    String nasty = "a\u0000b\u0007c\uD800d\uFFFEe 😀";
    String page = ReportPage.render(new Report(nasty, "", List.of(new Section(nasty, nasty, List.of()))));
    Document doc = ReportXml.parse(page);
    assertEquals("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe 😀", ReportXml.texts(doc, "//h1").get(0));
  }

  @Test
  @DisplayName("empty, NaN, single-point and out-of-range data render without failing")
  void edgeCasesRender() {
    List<Point> nan = List.of(new Point(Double.NaN, 1), new Point(1, Double.POSITIVE_INFINITY));
    List<Block> blocks = List.of(
        new LineChart("", "", "", List.of(), false, false),
        new LineChart("empty series", "x", "y", List.of(new Series("a", List.of()), new Series("b", List.of())),
            true, true),
        new LineChart("some empty", "x", "y", List.of(new Series("a", List.of()),
            new Series("b", List.of(new Point(1, 1), new Point(2, 2))), new Series("", List.of())), false, false),
        new LineChart("nan", "x", "y", List.of(new Series("a", nan)), false, false),
        new LineChart("single", "x", "y", List.of(new Series("a", List.of(new Point(3, 3)))), false, false),
        new LineChart("single log", "x", "y", List.of(new Series("a", List.of(new Point(3, 3)))), true, true),
        new LineChart("zero", "x", "y", List.of(new Series("a", List.of(new Point(0, 0)))), false, false),
        new LineChart("all nonpositive on log", "x", "y",
            List.of(new Series("a", List.of(new Point(-1, 0), new Point(0, -5)))), true, true),
        new LineChart("flat", "x", "y",
            List.of(new Series("a", List.of(new Point(1, 7), new Point(2, 7), new Point(3, 7)))), false, true),
        new LineChart("huge", "x", "y",
            List.of(new Series("a", List.of(new Point(-1e300, 1e-300), new Point(1e300, 1e300)))), false, true),
        new LineChart("extreme", "x", "y", List.of(new Series("a", List.of(new Point(-Double.MAX_VALUE, 1),
            new Point(Double.MAX_VALUE, Double.MAX_VALUE))), new Series("b", List.of(new Point(0, -Double.MAX_VALUE)))),
            false, false),
        new LineChart("subnormal", "x", "y", List.of(new Series("a", List.of(new Point(Double.MIN_VALUE,
            Double.MIN_VALUE)))), false, false),
        new LineChart("subnormal log", "x", "y", List.of(new Series("a", List.of(new Point(Double.MIN_VALUE,
            Double.MIN_VALUE), new Point(1e300, 1e300)))), true, true),
        new LineChart("below precision", "x", "y", List.of(new Series("a", List.of(new Point(1, 1),
            new Point(Math.nextUp(1.0), Math.nextUp(1.0))))), false, false),
        new LineChart("negative", "x", "y",
            List.of(new Series("a", List.of(new Point(-5, -100), new Point(5, -3)))), false, false),
        new CdfChart("", "", List.of()),
        new CdfChart("nan", "x", List.of(new Series("a", nan))),
        new CdfChart("one", "x", List.of(new Series("a", List.of(new Point(42, 1))))),
        new CdfChart("with zero", "x", List.of(new Series("a", List.of(new Point(0, 0.5), new Point(3, 1))))),
        new CdfChart("outside", "x", List.of(new Series("a", List.of(new Point(1, -0.5), new Point(3, 1.5))))),
        new BarChart("", "", List.of(), ""),
        new BarChart("nan", "y", List.of(new BarChart.Bar("a", "", Double.NaN)), ""),
        new BarChart("zeros", "y", List.of(new BarChart.Bar("a", "", 0), new BarChart.Bar("b", "", 0)), ""),
        new BarChart("one", "y", List.of(new BarChart.Bar("a", "", 5)), ""),
        new BarChart("many zeros", "y", bars(500, i -> 0), ""),
        new BarChart("many negative", "y", bars(100, i -> -i), ""),
        new KeyValues(List.of()),
        new Table("", List.of(), List.of()),
        new Table("", List.of("a", "b"), List.of()),
        new Table("", List.of(), List.of(List.of(), List.of("x"))));
    String page = ReportPage.render(new Report("", "", List.of(new Section("", "", blocks), new Section("", "",
        List.of()))));
    Document doc = ReportXml.parse(page);
    assertEquals(List.of("Section 1", "Section 2"), ReportXml.texts(doc, "//h2"));
    // No data: no series, empty series, NaN only, all at or below zero on log axes, CDF NaN, CDF outside
    // [0, 1], empty bars, NaN bars.
    assertEquals(9, ReportXml.count(doc, "//div[@class='nodata']"));
    assertTrue(page.contains("2 points at or below zero not shown on the log axes."));
    assertTrue(page.contains("2 points with a non-finite value (NaN, infinity) skipped."));
    assertTrue(page.contains("2 points with a fraction outside [0, 1] skipped."));
    Matcher badCoordinate = Pattern.compile(
        "(?:\\sd|x|y|x1|x2|y1|y2|cx|cy|width|height|viewBox|transform)=\"[^\"]*(?:NaN|Infinity)[^\"]*\"")
        .matcher(page);
    assertFalse(badCoordinate.find(), () -> "a non-finite coordinate: " + badCoordinate.group());
    assertFalse(page.contains("Infinity"), "no infinite coordinates");
    assertEquals(0, ReportXml.count(doc, "//figure[figcaption='empty series']/ul"), "no legend without a chart");
    assertEquals(List.of("a (no data)", "b", "series 3 (no data)"),
        ReportXml.texts(doc, "//figure[figcaption='some empty']/ul[@class='legend']/li"));
    assertEquals(1, ReportXml.count(doc, "//figure[figcaption='single']//circle"), "a lone point gets a marker");
    assertEquals(1, ReportXml.count(doc, "//figure[figcaption='with zero']//svg"), "a CDF with 0 goes linear");
  }

  @Test
  @DisplayName("an axis label longer than its axis is cut, and whole in its tooltip")
  void longAxisLabels() {
    String longLabel = "map-register wait, from the request's arrival to EvtReserveDma or EvtProgramDma (µs)";
    Document doc = ReportXml.parse(ReportPage.render(new Report("t", "", List.of(new Section("s", "", List.of(
        new LineChart("c", longLabel, longLabel, List.of(new Series("a", List.of(new Point(1, 1), new Point(2, 2)))),
            false, false)))))));
    List<String> labels = ReportXml.texts(doc, "//*[@class='axis-label']/title");
    assertEquals(List.of(longLabel), labels, "the y label is cut; the x axis has room");
    String shown = ReportXml.nodes(doc, "//*[@class='axis-label' and title]").get(0).getLastChild().getTextContent();
    assertTrue(shown.contains("…") && shown.endsWith(" (µs)") && shown.length() < 50, shown);
  }

  @Test
  @DisplayName("a page with no sections is still a page")
  void emptyReport() {
    Document doc = ReportXml.parse(ReportPage.render(new Report(null, null, List.of())));
    assertEquals(1, ReportXml.count(doc, "//h1"));
    assertEquals(0, ReportXml.count(doc, "//nav"));
    assertEquals("dmaemu report", ReportXml.texts(doc, "//title").get(0));
  }

  @Test
  @DisplayName("numeric cells are right-aligned, and so are the headers of numeric columns")
  void numericCells() {
    for (String n : List.of("0", "1,234,567", "-3.5", "45%", "12 ms", "3.2 MB/s", "1.5k", ".5", "1e-5", "2×",
        "−7", "1 234")) {
      assertTrue(Numbers.isNumeric(n), n);
    }
    for (String s : List.of("", "passed", "ms", "e5", "v1", "0x1F", "1.2.3", "2024-01-01", "dev-000001", "-",
        "12 ms 4")) {
      assertFalse(Numbers.isNumeric(s), s);
    }
    Document doc = ReportXml.parse(ReportPage.render(new Report("t", "", List.of(new Section("s", "", List.of(
        new Table("", List.of("name", "count", "note"),
            List.of(List.of("a", "1,024", "ok"), List.of("b", "—", "12"))))))))); 
    assertEquals(List.of("count"), ReportXml.texts(doc, "//th[@class='num']"));
    assertEquals(List.of("1,024", "—", "12"), ReportXml.texts(doc, "//td[@class='num']"));
  }

  @Test
  @DisplayName("write puts the whole page in place, readable by others, and leaves nothing beside it")
  void write(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run-1").resolve("report.html");
    Report report = ReportSamples.full();
    ReportPage.write(file, report);
    ReportPage.write(file, report);
    assertEquals(ReportPage.render(report), Files.readString(file, StandardCharsets.UTF_8));
    try (var listing = Files.list(file.getParent())) {
      assertEquals(List.of(file), listing.toList());
    }
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertTrue(Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)
          || !Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_READ),
          "the page keeps the umask's permissions");
    }
  }

  @Test
  @DisplayName("the same report renders to the same bytes")
  void deterministic() {
    assertEquals(ReportPage.render(ReportSamples.full()), ReportPage.render(ReportSamples.full()));
  }

  @Test
  @DisplayName("more than 60 bars draw one sorted area per group, unlabelled, with the counts stated")
  void manyBars() {
    BarChart chart = ReportSamples.perDevice(new Random(1), 5000);
    Document doc = ReportXml.parse(ReportPage.render(new Report("t", "", List.of(new Section("s", "",
        List.of(chart))))));
    assertEquals(0, ReportXml.count(doc, "//rect[@class='bar']"));
    assertEquals(3, ReportXml.count(doc, "//path[@class='area']"));
    assertEquals(List.of("nic", "disk", "sensor"), ReportXml.texts(doc, "//*[@class='panel-label']"));
    assertTrue(ReportXml.texts(doc, "//svg//text").containsAll(List.of("n = 1,667", "n = 1,666")));
    assertTrue(ReportXml.texts(doc, "//p[@class='chart-note']").get(0).startsWith("5,000 bars in 3 groups"));
    int size = ReportPage.render(new Report("t", "", List.of(new Section("s", "", List.of(chart))))).length();
    assertTrue(size < 60_000, "thousands of bars stay a small page: " + size);

    List<BarChart.Bar> few = new ArrayList<>(chart.bars().subList(0, 60));
    Document small = ReportXml.parse(ReportPage.render(new Report("t", "", List.of(new Section("s", "",
        List.of(new BarChart("few", "y", few, ""))))))); 
    assertEquals(60, ReportXml.count(small, "//rect[@class='bar']"));
    assertEquals(60, ReportXml.count(small, "//*[@class='bar-label']"));
  }

  private static List<BarChart.Bar> bars(int n, IntToDoubleFunction value) {
    List<BarChart.Bar> bars = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      bars.add(new BarChart.Bar("b" + i, i % 2 == 0 ? "even" : "odd", value.applyAsDouble(i)));
    }
    return bars;
  }
}
