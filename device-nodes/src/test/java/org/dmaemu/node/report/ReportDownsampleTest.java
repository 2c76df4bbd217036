package org.dmaemu.node.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Long series are thinned for drawing without losing their shape. */
class ReportDownsampleTest {

  @Test
  @DisplayName("thinning keeps the first, last, smallest and largest points, in order")
  void keepsExtremes() {
    Random random = new Random(7);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      points.add(new Point(i, Math.sin(i / 500.0) * 10 + random.nextGaussian()));
    }
    points.set(31_337, new Point(31_337, 1e6));
    points.set(77_777, new Point(77_777, -1e6));
    List<Point> thin = Downsample.minMax(points, 2000);
    assertTrue(thin.size() <= 2000, "size " + thin.size());
    assertTrue(thin.size() >= 1900, "size " + thin.size());
    assertEquals(points.get(0), thin.get(0));
    assertEquals(points.get(points.size() - 1), thin.get(thin.size() - 1));
    assertTrue(thin.contains(new Point(31_337, 1e6)));
    assertTrue(thin.contains(new Point(77_777, -1e6)));
    for (int i = 1; i < thin.size(); i++) {
      assertTrue(thin.get(i).x() > thin.get(i - 1).x(), "order kept");
    }
    // Every bucket's own extremes survive too: the thinned line spans the same band everywhere.
    assertEquals(points.stream().max(Comparator.comparingDouble(Point::y)).get(),
        thin.stream().max(Comparator.comparingDouble(Point::y)).get());
  }

  @Test
  @DisplayName("short series are drawn as they are")
  void shortUntouched() {
    List<Point> points = List.of(new Point(0, 1), new Point(1, 2));
    assertSame(points, Downsample.minMax(points, 2000));
  }

  @Test
  @DisplayName("a chart of 50,000-point series draws at most 2,000 points per series and says so")
  void chartThinned() {
    List<Series> series = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 50_000; i++) {
        points.add(new Point(i, s * 100 + (i % 977)));
      }
      series.add(new Series("s" + s, points));
    }
    String page = ReportPage.render(new Report("t", "", List.of(new Section("s", "",
        List.of(new LineChart("long", "x", "y", series, false, false))))));
    Document doc = ReportXml.parse(page);
    List<String> paths = ReportXml.texts(doc, "//path[@class='series']/@d");
    assertEquals(3, paths.size());
    for (String d : paths) {
      long vertices = d.chars().filter(c -> c == 'L' || c == 'M').count();
      assertTrue(vertices <= XyChartSvg.MAX_POINTS, "vertices " + vertices);
    }
    assertEquals(0, ReportXml.count(doc, "//circle"), "no markers on long series");
    assertTrue(ReportXml.texts(doc, "//p[@class='chart-note']").get(0).contains("first, last, smallest and largest"));
    assertTrue(page.length() < 200_000, "page size " + page.length());
  }
}
