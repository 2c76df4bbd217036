package org.dmaemu.node.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Synthetic reports with every kind of block, shaped like a run's and a sweep's (fixed seeds). */
final class ReportSamples {

  static final String[] GROUPS = {"nic", "disk", "sensor"};
  static final String[] POLICIES = {"fifo", "round-robin", "priority"};

  private ReportSamples() {}

  /** A run of 500 devices in three groups, a sweep, and the edge cases, in one page. */
  static Report full() {
    Random random = new Random(42);
    return new Report(
        "dmaemu run: 500 devices, 3 groups",
        "scenario mixed-load.conf · seed 42 · 3,600 s emulated",
        List.of(
            summary(),
            new Section("Throughput over time", "Bytes completed per second of emulated time, per device group.",
                List.of(throughputOverTime(random))),
            new Section("Wait times",
                "How long requests waited for map registers and for the adapter lock.\n"
                    + "Steps are exact; the x axis is logarithmic.",
                List.of(waitCdf(random, "Map-register wait per group", GROUPS),
                    waitCdf(random, "Adapter-lock wait per policy", POLICIES))),
            new Section("Per-device throughput", "",
                List.of(perDevice(random, 500), perAdapter(random))),
            new Section("Register utilization", "", List.of(utilization(random))),
            new Section("Sweep: device count", "p99 map-register wait as the device count grows, per policy.",
                List.of(sweep())),
            edgeCases()));
  }

  private static Section summary() {
    return new Section("Run summary", "Totals over the whole run.",
        List.of(
            new KeyValues(List.of(
                new KeyValues.Row("devices", "500"),
                new KeyValues.Row("requests completed", "1,284,311"),
                new KeyValues.Row("throughput", "1,932.4 MB/s"),
                new KeyValues.Row("map registers leaked", "0"),
                new KeyValues.Row("fairness (Jain), all devices", "0.87"),
                new KeyValues.Row("checks", "passed"))),
            new Table("Outcome by group",
                List.of("group", "devices", "submitted", "completed", "failed", "p99 wait", "share"),
                List.of(
                    List.of("nic", "167", "512,004", "511,980", "24", "412 µs", "39.9%"),
                    List.of("disk", "167", "498,115", "498,115", "0", "1.8 ms", "38.8%"),
                    List.of("sensor", "166", "274,216", "274,216", "0", "95 µs", "21.3%"),
                    List.of("total", "500", "1,284,335", "1,284,311", "24", "—", "100%")))));
  }

  private static LineChart throughputOverTime(Random random) {
    List<Series> series = new ArrayList<>();
    double[] level = {800, 650, 120};
    for (int g = 0; g < GROUPS.length; g++) {
      List<Point> points = new ArrayList<>();
      double v = level[g];
      for (int t = 0; t < 3600; t++) {
        v += (level[g] - v) * 0.05 + random.nextGaussian() * level[g] * 0.03;
        double burst = (t > 1200 && t < 1500 && g == 1) ? -300 : 0;
        points.add(new Point(t, Math.max(0, v + burst)));
      }
      series.add(new Series(GROUPS[g], points));
    }
    return new LineChart("Throughput per group", "emulated time (s)", "throughput (MB/s)", series, false, false);
  }

  private static CdfChart waitCdf(Random random, String title, String[] names) {
    List<Series> series = new ArrayList<>();
    for (int s = 0; s < names.length; s++) {
      double[] values = new double[5000];
      for (int i = 0; i < values.length; i++) {
        values[i] = Math.exp(Math.log(20 * (s + 1) * (s + 1)) + random.nextGaussian() * (0.6 + 0.4 * s));
      }
      series.add(new Series(names[s], cdf(values)));
    }
    return new CdfChart(title, "wait (µs)", series);
  }

  /** The empirical CDF of {@code values}: (value, fraction at or below it), ascending. */
  static List<Point> cdf(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < sorted.length; i++) {
      points.add(new Point(sorted[i], (i + 1.0) / sorted.length));
    }
    return points;
  }

  static BarChart perDevice(Random random, int devices) {
    List<BarChart.Bar> bars = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      String group = GROUPS[d % GROUPS.length];
      double mean = switch (group) {
        case "nic" -> 5.0;
        case "disk" -> 4.0;
        default -> 0.8;
      };
      double spread = group.equals("disk") ? 0.7 : 0.15;
      bars.add(new BarChart.Bar(String.format("dev-%06d", d), group,
          Math.max(0, mean * (1 + random.nextGaussian() * spread))));
    }
    return new BarChart("Throughput per device", "throughput (MB/s)", bars,
        "Jain's fairness index: nic 0.98, disk 0.71, sensor 0.98");
  }

  private static BarChart perAdapter(Random random) {
    List<BarChart.Bar> bars = new ArrayList<>();
    for (int a = 0; a < 12; a++) {
      bars.add(new BarChart.Bar("adapter-" + a, GROUPS[a / 4], 40 + random.nextInt(160)));
    }
    return new BarChart("Throughput per adapter", "throughput (MB/s)", bars, "");
  }

  private static LineChart utilization(Random random) {
    List<Series> series = new ArrayList<>();
    for (int a = 0; a < 3; a++) {
      List<Point> points = new ArrayList<>();
      double u = 40;
      for (int t = 0; t <= 360; t++) {
        u = Math.min(100, Math.max(0, u + random.nextGaussian() * 4 + (a == 2 ? 0.2 : 0)));
        points.add(new Point(t * 10, u));
      }
      series.add(new Series("adapter " + a + " (" + (64 << a) + " registers)", points));
    }
    return new LineChart("Map registers in use", "emulated time (s)", "registers in use (%)", series, false, false);
  }

  private static LineChart sweep() {
    int[] devices = {10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
    List<Series> series = new ArrayList<>();
    for (int p = 0; p < POLICIES.length; p++) {
      List<Point> points = new ArrayList<>();
      for (int n : devices) {
        points.add(new Point(n, 8 * Math.pow(n, 0.6 + 0.25 * p)));
      }
      series.add(new Series(POLICIES[p], points));
    }
    return new LineChart("p99 map-register wait against device count", "devices", "p99 wait (µs)", series, true,
        true);
  }

  private static BarChart fortyEight() {
    Random random = new Random(48);
    List<BarChart.Bar> bars = new ArrayList<>();
    for (int d = 0; d < 48; d++) {
      bars.add(new BarChart.Bar(String.format("dev-%06d", d), d < 16 ? "nic" : d < 40 ? "disk (slow path)" : "sensor",
          1000 + random.nextInt(4000)));
    }
    return new BarChart("Forty-eight devices, labelled", "throughput (kB/s)", bars,
        "Jain's fairness index: 0.93 over all devices");
  }

  private static Section edgeCases() {
    List<Series> many = new ArrayList<>();
    for (int s = 0; s < 16; s++) {
      List<Point> points = new ArrayList<>();
      for (int x = 0; x <= 20; x++) {
        points.add(new Point(x, s * 10 + 5 * Math.sin(x / 3.0 + s)));
      }
      many.add(new Series((s == 3 ? "a long policy name: round-robin with priority aging, weight 4 — " : "policy ")
          + "variant " + (s + 1), points));
    }
    return new Section("Edge cases", "Empty, broken and crowded data, drawn without failing.",
        List.of(
            new LineChart("No series at all", "x", "y", List.of(), false, false),
            new CdfChart("Only NaN", "wait (µs)", List.of(new Series("nan", List.of(new Point(Double.NaN, 0.5))))),
            new LineChart("A single point", "devices", "p99 wait (µs)",
                List.of(new Series("fifo", List.of(new Point(100, 250)))), false, false),
            new LineChart("Log axes with zeros and NaN", "devices", "wait (µs)",
                List.of(new Series("mixed", List.of(new Point(0, 5), new Point(10, 50), new Point(100, 0),
                    new Point(1000, Double.NaN), new Point(10000, 5000), new Point(20000, 9000)))), true, true),
            new LineChart("Sixteen series, and a title long enough to wrap on a narrow window: policies compared"
                + " over twenty steps of the arbitration model", "step",
                "map-register wait, from arrival to EvtReserveDma (µs)", many, false, false),
            fortyEight(),
            new BarChart("Bars with a <script>alert('x')</script> label", "value",
                List.of(new BarChart.Bar("</svg><script>alert(1)</script>", "a & b", 3),
                    new BarChart.Bar("\"quoted\" & 'single'", "a & b", -1.5),
                    new BarChart.Bar("nan", "c", Double.NaN)), ""),
            new Table("Ragged <table> & numbers", List.of("name", "value"),
                List.of(List.of("only a name"), List.of("x", "12 ms", "extra"), List.of("y", "-3.5e-2")))));
  }
}
