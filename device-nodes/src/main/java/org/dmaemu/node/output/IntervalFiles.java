package org.dmaemu.node.output;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.dmaemu.node.metrics.Occupancy;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics.Metric;

/**
 * The interval outputs of a run directory (DESIGN §7): {@code metrics.csv}, one row per interval per
 * group and per arbiter, and one HdrHistogram interval log per distribution ({@code latency.hlog},
 * …), each interval's histogram tagged with its group so that logs of several nodes merge. Times in
 * the logs are modeled: the log's interval timestamps are modeled seconds from the run's start.
 * Keeps every interval in memory too, for the report, without its histograms. Not thread-safe: one sampler writes.
 */
public final class IntervalFiles implements AutoCloseable {

  public static final String METRICS_CSV = "metrics.csv";

  static final String HEADER =
      "interval,start_us,end_us,kind,entity,submitted,completed,failed,cancelled,measured_completed,"
          + "measured_bytes,tx_per_s,bytes_per_s,latency_p50_us,latency_p99_us,adapter_lock_wait_p99_us,"
          + "map_register_wait_p99_us,bus_wait_p99_us,program_to_interrupt_p99_us,register_utilization,"
          + "lock_utilization,mean_queue_depth,max_queue_depth";

  private final BufferedWriter csv;
  private final Map<Metric, PrintStream> logStreams = new EnumMap<>(Metric.class);
  private final Map<Metric, HistogramLogWriter> logs = new EnumMap<>(Metric.class);
  private final List<ScenarioMetrics.Interval> intervals = new ArrayList<>();
  private final long originMicros;

  /** Creates the files in {@code dir}; interval times are told relative to {@code originMicros}. */
  public IntervalFiles(Path dir, long originMicros) throws IOException {
    this.originMicros = originMicros;
    this.csv = Files.newBufferedWriter(dir.resolve(METRICS_CSV), StandardCharsets.UTF_8);
    csv.write(HEADER);
    csv.newLine();
    for (Metric m : Metric.values()) {
      PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve(m.fileName + ".hlog")), false, StandardCharsets.UTF_8);
      HistogramLogWriter writer = new HistogramLogWriter(out);
      writer.outputComment("dmaemu " + m.fileName + ", modeled microseconds; one interval histogram per group (tag)");
      writer.outputLogFormatVersion();
      writer.outputStartTime(0);
      writer.setBaseTime(0);
      writer.outputLegend();
      logStreams.put(m, out);
      logs.put(m, writer);
    }
  }

  public List<ScenarioMetrics.Interval> intervals() {
    return List.copyOf(intervals);
  }

  public void append(ScenarioMetrics.Interval interval) throws IOException {
    intervals.add(interval.compact());
    int index = intervals.size();
    long start = interval.startMicros() - originMicros;
    long end = interval.endMicros() - originMicros;
    double seconds = Math.max(1e-9, (end - start) / 1e6);
    for (ScenarioMetrics.GroupWindow g : interval.groups()) {
      Map<Metric, Histogram> h = g.histograms();
      row(
          index, start, end, "group", g.group(),
          Long.toString(g.submitted()), Long.toString(g.completed()), Long.toString(g.failed()),
          Long.toString(g.cancelled()), Long.toString(g.measuredCompleted()), Long.toString(g.measuredBytes()),
          decimal(g.measuredCompleted() / seconds), decimal(g.measuredBytes() / seconds),
          p(h.get(Metric.LATENCY), 50), p(h.get(Metric.LATENCY), 99), p(h.get(Metric.ADAPTER_LOCK_WAIT), 99),
          p(h.get(Metric.MAP_REGISTER_WAIT), 99), p(h.get(Metric.BUS_WAIT), 99), p(h.get(Metric.PROGRAM_TO_INTERRUPT), 99),
          "", "", "", "");
      for (Metric m : Metric.values()) {
        Histogram histogram = h.get(m);
        if (histogram.getTotalCount() > 0) {
          histogram.setTag(g.group());
          histogram.setStartTimeStamp(start / 1000);
          histogram.setEndTimeStamp(end / 1000);
          logs.get(m).outputIntervalHistogram(histogram);
        }
      }
    }
    for (ScenarioMetrics.ArbiterWindow a : interval.arbiters()) {
      Occupancy.Window waits = a.registers().capacityIntegral() > 0 ? a.registers() : a.lock();
      row(
          index, start, end, a.kind(), a.name(), "", "", "", "", "", "", "", "", "", "", "", "", "", "",
          a.registers().capacityIntegral() > 0 ? decimal(a.registers().utilization()) : "",
          a.lock().capacityIntegral() > 0 ? decimal(a.lock().utilization()) : "",
          decimal(waits.meanWaiting()), Integer.toString(waits.maxWaiting()));
    }
    csv.flush();
  }

  private void row(int index, long start, long end, String kind, String entity, String... values) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append(index).append(',').append(start).append(',').append(end).append(',').append(kind).append(',').append(entity);
    for (String v : values) {
      b.append(',').append(v);
    }
    csv.write(b.toString());
    csv.newLine();
  }

  private static String p(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "" : Long.toString(h.getValueAtPercentile(percentile));
  }

  static String decimal(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "";
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }

  @Override
  public void close() throws IOException {
    csv.close();
    for (PrintStream out : logStreams.values()) {
      out.close();
    }
  }
}
