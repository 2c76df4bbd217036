package org.dmaemu.node.scenario;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.dmaemu.node.metrics.ScenarioMetrics;

/**
 * {@code devices.csv}: one row per DMA device — its group, requests ended, measured throughput, and
 * the digest of the requests it was given (two runs of one scenario and seed give equal digests).
 */
final class DevicesCsv {
  private DevicesCsv() {}

  static final String HEADER =
      "device,group,ended,measured_completed,measured_bytes,active_us,tx_per_s,bytes_per_s,workload_digest";

  static void write(Path file, ScenarioMetrics.Totals totals) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.newLine();
      for (Map.Entry<String, ScenarioMetrics.DeviceTotals> e : totals.devices().entrySet()) {
        ScenarioMetrics.DeviceTotals d = e.getValue();
        out.write(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%.4f,%.1f,%s",
            e.getKey(), d.group(), d.ended(), d.measuredCompleted(), d.measuredBytes(), d.activeMicros(),
            d.transactionsPerSecond(), d.bytesPerSecond(), d.workloadDigest()));
        out.newLine();
      }
    }
  }
}
