package org.dmaemu.node.cli;

import java.util.List;
import java.util.Locale;
import org.dmaemu.node.run.FailureCount;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.trace.TraceReport;

/** The terminal's view of a {@link RunSummary}: a table, or one line for {@code --quiet}. */
public final class SummaryTable {

  // Wide enough for the longest callback name, EvtDeviceD0EntryPostInterruptsEnabled, indented.
  private static final int LABEL = 40;
  private static final int VALUE = 8;

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
    row(b, "  rejected a request", count(s.rejected()));
    row(b, "  unaccounted (no final answer)", count(s.unaccounted()));
    b.append('\n');
    failures(b, "failed power-ups", s.powerUpFailures());
    failures(b, "failed power-downs", s.powerDownFailures());
    failures(b, "hangs", s.hangs());
    b.append('\n');
    row(b, "callbacks delivered", count(s.callbacks()));
    row(b, "PnP requests", count(s.pnpRequests()));
    row(b, "wall time", seconds(s));
    row(b, "callbacks per second", count(Math.round(s.callbacksPerSecond())));
    row(b, "seed", Long.toString(s.seed()));
    if (trace.file() != null) {
      String what = count(trace.events()) + " events" + (trace.error() == null ? "" : ", INCOMPLETE");
      b.append(String.format(Locale.ROOT, "%-" + LABEL + "s %s (%s)%n", "trace", trace.file(), what));
    }
    return b.toString();
  }

  public static String line(RunSummary s, TraceReport trace) {
    return String.format(
        Locale.ROOT,
        "dmaemu run: seed=%d devices=%d reached-d0=%d completed=%d failed=%d hung=%d rejected=%d"
            + " unaccounted=%d callbacks=%d pnp-requests=%d wall=%s callbacks/s=%d%s",
        s.seed(),
        s.devices(),
        s.reachedD0(),
        s.completed(),
        s.failed(),
        s.hung(),
        s.rejected(),
        s.unaccounted(),
        s.callbacks(),
        s.pnpRequests(),
        seconds(s).replace(" ", ""),
        Math.round(s.callbacksPerSecond()),
        trace.file() == null ? "" : " trace=" + trace.file());
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

  private static void row(StringBuilder b, String label, String value) {
    b.append(String.format(Locale.ROOT, "%-" + LABEL + "s %" + VALUE + "s%n", label, value));
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String seconds(RunSummary s) {
    return String.format(Locale.ROOT, "%.2f s", s.wallTime().toNanos() / 1e9);
  }
}
