package org.dmaemu.node.check;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * The requests of a run as its trace shows them (DESIGN §10: every transaction accounted for
 * exactly once). A scenario run records each request's end as a {@code Request} span on its
 * device's track, from its arrival to its end, with {@code request} (its number on the device),
 * {@code outcome} ({@code completed}, {@code failed}, {@code cancelled} or {@code aborted}) and, for
 * an aborted one, {@code fault}; and the requests a device was given up with, still open, as one
 * {@code RequestsAborted} instant ({@code fault}, {@code count}). A request that ends twice on its
 * node is a violation; the totals are what the offline check holds against {@code summary.json}
 * ({@link RunAccounting#disagreement}).
 */
public final class RequestLedger {

  /** A request's span: from its arrival to its end. */
  public static final String REQUEST = "Request";
  /** Requests of a device that the run gave up, aborted by the fault that acted on it last. */
  public static final String REQUESTS_ABORTED = "RequestsAborted";

  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";
  public static final String ABORTED = "aborted";

  private static final Set<String> OUTCOMES = Set.of(COMPLETED, FAILED, CANCELLED, ABORTED);

  /** The outcome a {@code Request} span carries: aborted before cancelled before completed, else failed. */
  public static String outcome(boolean completed, boolean cancelled, boolean aborted) {
    if (aborted) {
      return ABORTED;
    }
    if (cancelled) {
      return CANCELLED;
    }
    return completed ? COMPLETED : FAILED;
  }

  /**
   * The trace's request ends by outcome; {@code recorded} is false for a trace without any (no
   * scenario run wrote it, or an older dmaemu did).
   */
  public record Tally(boolean recorded, long completed, long failed, long cancelled, Map<String, Long> abortedByFault) {

    public Tally {
      abortedByFault = Map.copyOf(abortedByFault);
    }

    public long aborted() {
      return abortedByFault.values().stream().mapToLong(Long::longValue).sum();
    }

    public long ended() {
      return completed + failed + cancelled + aborted();
    }
  }

  private final Findings findings;
  /** Per node and device, the request numbers that have ended. */
  private final Map<String, BitSet> ended = new HashMap<>();
  private final Map<String, Long> abortedByFault = new TreeMap<>();
  private boolean recorded;
  private long completed;
  private long failed;
  private long cancelled;

  RequestLedger(Findings findings) {
    this.findings = findings;
  }

  /** A {@code Request} span, recorded on node {@code node}. Only a request's first end is counted. */
  void request(int node, TraceEvent e) {
    recorded = true;
    String device = TraceArgs.device(e);
    String outcome = e.args().getOrDefault("outcome", "");
    if (!OUTCOMES.contains(outcome)) {
      findings.violation(Invariant.REQUEST_ACCOUNTING, "a request ended without one of the outcomes completed, failed,"
          + " cancelled or aborted (got '" + outcome + "'): DESIGN §10 gives every request exactly one", device, null,
          e.tsMicros(), List.of(e));
      return;
    }
    long number = number(e.args().get("request"));
    if (device == null || number < 0 || number > Integer.MAX_VALUE) {
      findings.violation(Invariant.REQUEST_ACCOUNTING, "a request's end names no device or no request number"
          + " (device " + device + ", request " + e.args().get("request") + "): it cannot be told apart from the others",
          device, null, e.tsMicros(), List.of(e));
      return;
    }
    BitSet seen = ended.computeIfAbsent(node + "\u0000" + device, k -> new BitSet());
    if (seen.get((int) number)) {
      findings.violation(Invariant.REQUEST_ACCOUNTING, "request " + number + " of " + device + " ended a second time, "
          + outcome + ": every request ends exactly once (DESIGN §10)", device, null, e.tsMicros(), List.of(e));
      return;
    }
    seen.set((int) number);
    switch (outcome) {
      case COMPLETED -> completed++;
      case FAILED -> failed++;
      case CANCELLED -> cancelled++;
      default -> abortedByFault.merge(e.args().getOrDefault("fault", "?"), 1L, Long::sum);
    }
  }

  /** A {@code RequestsAborted} instant. */
  void aborted(TraceEvent e) {
    recorded = true;
    long count = number(e.args().get("count"));
    if (count < 0) {
      findings.violation(Invariant.REQUEST_ACCOUNTING, "requests aborted without a count (got '" + e.args().get("count")
          + "')", TraceArgs.device(e), null, e.tsMicros(), List.of(e));
      return;
    }
    abortedByFault.merge(e.args().getOrDefault("fault", "?"), count, Long::sum);
  }

  public Tally tally() {
    return new Tally(recorded, completed, failed, cancelled, abortedByFault);
  }

  private static long number(String text) {
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
