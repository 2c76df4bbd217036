package org.dmaemu.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;

/** The terminal summary of a scenario run, read from its {@code summary.json}. */
final class ScenarioTable {
  private ScenarioTable() {}

  static String table(JsonNode s, Path runDir) {
    StringBuilder b = new StringBuilder();
    JsonNode run = s.path("run");
    JsonNode acc = s.path("accounting");
    b.append(String.format(Locale.ROOT, "dmaemu run: scenario %s, seed %d, %d devices%n%n",
        s.path("scenario").path("name").asText(), s.path("scenario").path("seed").asLong(), s.path("devices").path("total").asInt()));
    b.append(String.format(Locale.ROOT, "%-12s %8s %10s %8s %9s %11s %10s %10s %10s %10s %10s %7s%n",
        "group", "devices", "completed", "failed", "cancelled", "tx/s", "lat p50", "lat p99", "reg p99", "lock p99", "bus p99", "Jain"));
    for (JsonNode g : s.path("groups")) {
      JsonNode jain = g.path("fairness").path("jainIndex");
      b.append(String.format(Locale.ROOT, "%-12s %8d %10d %8d %9d %11.1f %10d %10d %10d %10d %10d %7s%n",
          g.path("name").asText(), g.path("devices").asInt(), g.path("completed").asLong(), g.path("failed").asLong(),
          g.path("cancelled").asLong(), g.path("transactionsPerSecond").asDouble(),
          g.path("latencyMicros").path("p50").asLong(), g.path("latencyMicros").path("p99").asLong(),
          g.path("mapRegisterWaitMicros").path("p99").asLong(), g.path("adapterLockWaitMicros").path("p99").asLong(),
          g.path("busWaitMicros").path("p99").asLong(),
          jain.isNumber() ? String.format(Locale.ROOT, "%.3f", jain.asDouble()) : "n/a"));
    }
    b.append("(latencies and waits: modeled microseconds)\n\n");
    b.append(String.format(Locale.ROOT, "requests: %,d submitted = %,d completed + %,d failed + %,d cancelled + %,d aborted (%,d unaccounted)%n",
        acc.path("submitted").asLong(), acc.path("completed").asLong(), acc.path("failed").asLong(),
        acc.path("cancelled").asLong(), acc.path("aborted").asLong(), acc.path("unaccounted").asLong()));
    faults(b, s.path("faults"));
    int lost = s.path("devices").path("lostWithNode").asInt();
    if (lost > 0) {
      b.append(String.format(Locale.ROOT, "devices lost with a node to a node fault: %,d (nodeFaults in summary.json)%n", lost));
    }
    JsonNode w = s.path("longestWait");
    if (w.has("micros")) {
      b.append(String.format(Locale.ROOT, "longest wait: %,d us, %s for %s on %s%n",
          w.path("micros").asLong(), w.path("device").asText(), w.path("for").asText(), w.path("arbiter").asText()));
    }
    b.append(String.format(Locale.ROOT, "bug checks: %d, map registers leaked: %d%n",
        s.path("bugChecks").size(), s.path("leaks").path("mapRegistersLeaked").asLong()));
    b.append(String.format(Locale.ROOT, "modeled %.3f s (measured %.3f s) in %.2f s wall time; %s%n",
        run.path("modeledSeconds").asDouble(), run.path("measuredSeconds").asDouble(), run.path("wallSeconds").asDouble(),
        run.path("checksPassed").asBoolean() ? "checks passed" : "CHECKS FAILED"));
    b.append("run directory: ").append(runDir).append(" (report.html, summary.json, metrics.csv, trace.json, ...)\n");
    return b.toString();
  }

  /** The fault plan's doing, one row per fault: how often it acted, on how many devices, how many requests it ended. */
  private static void faults(StringBuilder b, JsonNode faults) {
    if (faults.size() == 0) {
      return;
    }
    int width = 5;
    for (JsonNode f : faults) {
      width = Math.max(width, f.path("id").asText().length());
    }
    String row = "%-" + width + "s %9s %8s %9s  %s%n";
    b.append(String.format(Locale.ROOT, row, "fault", "injected", "devices", "aborted", "what"));
    for (JsonNode f : faults) {
      b.append(String.format(Locale.ROOT, row, f.path("id").asText(),
          String.format(Locale.ROOT, "%,d", f.path("injected").asLong()),
          String.format(Locale.ROOT, "%,d", f.path("devices").asLong()),
          String.format(Locale.ROOT, "%,d", f.path("abortedRequests").asLong()), f.path("fault").asText()));
    }
  }

  static String line(JsonNode s, Path runDir) {
    JsonNode acc = s.path("accounting");
    return String.format(Locale.ROOT, "%s seed=%d submitted=%d completed=%d failed=%d cancelled=%d unaccounted=%d tx/s=%.1f checks=%s dir=%s",
        s.path("scenario").path("name").asText(), s.path("scenario").path("seed").asLong(), acc.path("submitted").asLong(),
        acc.path("completed").asLong(), acc.path("failed").asLong(), acc.path("cancelled").asLong(),
        acc.path("unaccounted").asLong(), s.path("throughput").path("transactionsPerSecond").asDouble(),
        s.path("run").path("checksPassed").asBoolean() ? "passed" : "failed", runDir);
  }
}
