package org.dmaemu.node.cli;

import java.util.List;
import java.util.Locale;
import org.dmaemu.node.check.InvariantReport;
import org.dmaemu.node.metrics.DmaMetrics;
import org.dmaemu.node.metrics.Percentiles;
import org.dmaemu.node.metrics.StatusCount;
import org.dmaemu.node.run.DmaSummary;
import org.dmaemu.node.run.FailureCount;
import org.dmaemu.node.run.KindCount;
import org.dmaemu.node.run.RuleCount;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.trace.TraceReport;

/** The terminal's view of a {@link RunSummary}: a table, or one line for {@code --quiet}. */
public final class SummaryTable {

  // Wide enough for the longest callback name, EvtDeviceD0EntryPostInterruptsEnabled, indented.
  private static final int LABEL = 40;
  private static final int VALUE = 8;
  private static final double MIB = 1024.0 * 1024.0;
  // Count under the other values; p50, p99 and max wide enough for 9,999,999 µs.
  private static final String PERCENTILES = "%-" + LABEL + "s %" + VALUE + "s %10s %10s %10s%n";

  private SummaryTable() {}

  public static String table(RunSummary s, TraceReport trace) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "dmaemu run: %s devices, %s%n%n",
            count(s.devices()),
            s.stopAfterStart()
                ? "AddDevice + StartDevice only"
                : s.cycles() + " D0 -> D3 -> D0 cycle" + (s.cycles() == 1 ? "" : "s") + " each, then RemoveDevice"));
    row(b, "devices", count(s.devices()));
    row(b, "  reached D0 at least once", count(s.reachedD0()));
    row(b, s.stopAfterStart() ? "  started, alive in D0" : "  completed all cycles and removal", count(s.completed()));
    row(b, "  failed", count(s.failed()));
    row(b, "  hung", count(s.hung()));
    row(b, "  crashed (bug check)", count(s.crashed()));
    row(b, "  rejected a request", count(s.rejected()));
    row(b, "  unaccounted (no final answer)", count(s.unaccounted()));
    b.append('\n');
    failures(b, "failed power-ups", s.powerUpFailures());
    failures(b, "failed power-downs", s.powerDownFailures());
    failures(b, "hangs", s.hangs());
    rules(b, "crashes", "devices", s.crashes());
    b.append('\n');
    dma(b, s.dma());
    b.append('\n');
    rules(b, "bug checks", "count", s.bugChecks());
    row(b, "map registers leaked", count(s.dma().leakedRegisters()));
    row(b, "map registers held by stuck devices", count(s.dma().registersHeldByStuckDevices()));
    b.append('\n');
    row(b, "callbacks delivered", count(s.callbacks()));
    row(b, "PnP requests", count(s.pnpRequests()));
    row(b, "wall time", seconds(s));
    row(b, "callbacks per second", count(Math.round(s.callbacksPerSecond())));
    row(b, "seed", Long.toString(s.seed()));
    row(b, "checks", s.passedChecks() && trace.invariants().passed() ? "passed" : "FAILED");
    if (trace.file() != null) {
      String what = count(trace.events()) + " events" + (trace.error() == null ? "" : ", INCOMPLETE") + invariants(trace);
      b.append(String.format(Locale.ROOT, "%-" + LABEL + "s %s (%s)%n", "trace", trace.file(), what));
    }
    return b.toString();
  }

  /** {@code , 0 invariant violations} for a checked trace. */
  private static String invariants(TraceReport trace) {
    InvariantReport r = trace.invariants();
    if (!r.traced()) {
      return "";
    }
    return ", " + count(r.violations()) + " invariant violation" + (r.violations() == 1 ? "" : "s")
        + (r.injected() > 0 ? " (" + count(r.injected()) + " injected)" : "");
  }

  public static String line(RunSummary s, TraceReport trace) {
    DmaSummary dma = s.dma();
    DmaMetrics m = dma.metrics();
    return String.format(
        Locale.ROOT,
        "dmaemu run: seed=%d devices=%d reached-d0=%d completed=%d failed=%d hung=%d crashed=%d rejected=%d"
            + " unaccounted=%d callbacks=%d pnp-requests=%d dma-devices=%d requests=%d requests-completed=%d"
            + " requests-failed=%d requests-unfinished=%d bytes=%d latency-us=%s lock-wait-us=%s"
            + " register-wait-us=%s bug-checks=%d leaked-registers=%d held-by-stuck-devices=%d checks=%s"
            + " wall=%s callbacks/s=%d%s",
        s.seed(),
        s.devices(),
        s.reachedD0(),
        s.completed(),
        s.failed(),
        s.hung(),
        s.crashed(),
        s.rejected(),
        s.unaccounted(),
        s.callbacks(),
        s.pnpRequests(),
        dma.devices(),
        dma.requestsSubmitted(),
        m.requestsCompleted(),
        m.requestsFailed(),
        dma.requestsUnfinished(),
        m.bytesMoved(),
        slashed(m.requestLatency()),
        slashed(m.adapterLockWait()),
        slashed(m.mapRegisterWait()),
        s.bugCheckCount(),
        dma.leakedRegisters(),
        dma.registersHeldByStuckDevices(),
        s.passedChecks() && trace.invariants().passed() ? "passed" : "failed",
        seconds(s).replace(" ", ""),
        Math.round(s.callbacksPerSecond()),
        trace.file() == null ? "" : " trace=" + trace.file());
  }

  private static void dma(StringBuilder b, DmaSummary dma) {
    row(b, "DMA devices", count(dma.devices()));
    for (KindCount k : dma.devicesByKind()) {
      row(b, "  " + k.kind(), count(k.devices()));
    }
    DmaMetrics m = dma.metrics();
    row(b, "DMA transactions (I/O requests)", count(dma.requestsSubmitted()));
    row(b, "  completed", count(m.requestsCompleted()));
    row(b, "  failed", count(m.requestsFailed()));
    for (StatusCount c : m.failuresByStatus()) {
      b.append(
              String.format(
                  Locale.ROOT, "    %-" + (LABEL - 4) + "s %" + VALUE + "s  %s", c.status().name(),
                  count(c.requests()), c.status().hex()))
          .append('\n');
    }
    row(b, "  unfinished (device crashed or stalled)", count(dma.requestsUnfinished()));
    row(b, "bytes moved (MiB)", String.format(Locale.ROOT, "%,.1f", m.bytesMoved() / MIB));
    b.append(String.format(Locale.ROOT, PERCENTILES, "emulated microseconds", "count", "p50", "p99", "max"));
    percentiles(b, "  request latency", m.requestLatency());
    percentiles(b, "  adapter-lock wait", m.adapterLockWait());
    percentiles(b, "  map-register wait", m.mapRegisterWait());
  }

  private static void percentiles(StringBuilder b, String label, Percentiles p) {
    b.append(String.format(Locale.ROOT, PERCENTILES, label, count(p.count()), count(p.p50()), count(p.p99()), count(p.max())));
  }

  private static void failures(StringBuilder b, String title, List<FailureCount> counts) {
    if (counts.isEmpty()) {
      row(b, title, "none");
      return;
    }
    boolean statuses = counts.stream().anyMatch(c -> c.status() != null);
    b.append(String.format(Locale.ROOT, "%-" + LABEL + "s %" + VALUE + "s%s%n", title, "devices", statuses ? "  status" : ""));
    for (FailureCount c : counts) {
      String status = c.status() == null ? "" : c.status().name() + " (" + c.status().hex() + ")";
      String callback = c.callback() == null ? "(none)" : c.callback().kmdfName();
      b.append(
              String.format(
                  Locale.ROOT, "  %-" + (LABEL - 2) + "s %" + VALUE + "s  %s", callback, count(c.devices()), status)
                  .stripTrailing())
          .append('\n');
    }
  }

  private static void rules(StringBuilder b, String title, String unit, List<RuleCount> counts) {
    if (counts.isEmpty()) {
      row(b, title, "none");
      return;
    }
    b.append(String.format(Locale.ROOT, "%-" + LABEL + "s %" + VALUE + "s%n", title + " by rule", unit));
    for (RuleCount c : counts) {
      row(b, "  " + c.rule(), count(c.count()));
    }
  }

  private static void row(StringBuilder b, String label, String value) {
    b.append(String.format(Locale.ROOT, "%-" + LABEL + "s %" + VALUE + "s%n", label, value));
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String slashed(Percentiles p) {
    return p.p50() + "/" + p.p99() + "/" + p.max();
  }

  private static String seconds(RunSummary s) {
    return String.format(Locale.ROOT, "%.2f s", s.wallTime().toNanos() / 1e9);
  }
}
