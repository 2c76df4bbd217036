package org.dmaemu.node.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Per adapter, the holds of its lock and of its map registers, compared by their modeled times:
 * no two lock holds overlap (§4.3: the adapter, the HAL's channel, has one owner at a time) and at
 * no instant do the transactions hold more map registers than the adapter has (§4.1, §4.5).
 *
 * <p>A hold is a span recorded when it ends; its start lies earlier, so a hold is compared with
 * every kept hold of the same adapter that ended after it started. Holds that ended more than
 * {@link #HORIZON_MICROS} of modeled time before the adapter's latest hold are forgotten, which
 * bounds memory on long traces. Spans are transaction-side: a transaction records its hold after
 * the grant arrives and before it sends the release, so correct holds never overlap.
 *
 * <p>Timestamps of different nodes come from different clocks, so holds are compared only with
 * holds recorded on the same node (trace {@code pid}). The adapter's capacity is the {@code
 * capacity} of its {@code MapRegisters <adapter>} counter; without such a counter (the built-in
 * run has none) its registers are not checked for over-grants.
 */
final class AdapterHolds {

  /** Holds ending this long before an adapter's latest are not compared any more. */
  static final long HORIZON_MICROS = 10_000_000;

  private static final String REGISTER_COUNTER = "MapRegisters ";

  /** One hold, kept small: the evidence event is rebuilt from it. */
  private record Hold(
      String name, String adapter, long start, long end, long seq, int registers, boolean reservation, String device,
      String transaction) {

    TraceEvent event() {
      Map<String, String> args = new HashMap<>();
      if (device != null) {
        args.put("device", device);
      }
      if (transaction != null) {
        args.put("transaction", transaction);
      }
      if (registers > 0) {
        args.put("registers", Integer.toString(registers));
        args.put("reservation", Boolean.toString(reservation));
      }
      return new TraceEvent(name, "X", start, end - start, adapter, args);
    }
  }

  private static final Comparator<Hold> BY_END = Comparator.comparingLong(Hold::end).thenComparingLong(Hold::seq);

  private static final class Track {
    final NavigableSet<Hold> holds = new TreeSet<>(BY_END);
    long latestEnd = Long.MIN_VALUE;
    /** An over-grant was reported up to here: the holds after it that see the same excess are not reported again. */
    long overGrantUntil = Long.MIN_VALUE;
  }

  private final Findings findings;
  private final Map<String, Track> locks = new HashMap<>();
  private final Map<String, Track> registers = new HashMap<>();
  private final Map<String, Integer> capacity = new HashMap<>();
  private final Set<String> registerAdapters = new HashSet<>();
  private long seq;

  AdapterHolds(Findings findings) {
    this.findings = findings;
  }

  void lockHeld(int node, TraceEvent e) {
    Hold h = hold(e, 0);
    Track t = locks.computeIfAbsent(node + " " + h.adapter(), k -> new Track());
    for (Hold other : t.holds.tailSet(probe(h.start()), false)) {
      if (other.start() < h.end() && h.start() < other.end()) {
        List<TraceEvent> evidence = ordered(other, h);
        findings.violation(Invariant.ADAPTER_LOCK_EXCLUSION, "the lock of adapter " + h.adapter() + " was held by "
            + other.transaction() + " and " + h.transaction() + " at once, from " + Math.max(h.start(), other.start())
            + " to " + Math.min(h.end(), other.end()) + " us: the adapter has one owner at a time (§4.3)",
            h.device(), h.transaction(), Math.max(h.start(), other.start()), evidence);
        break;
      }
    }
    keep(t, h);
  }

  void registersHeld(int node, TraceEvent e) {
    Hold h = hold(e, Math.max(0, TraceArgs.integer(e, "registers", 0)));
    registerAdapters.add(h.adapter());
    Track t = registers.computeIfAbsent(node + " " + h.adapter(), k -> new Track());
    Integer cap = capacity.get(h.adapter());
    if (cap != null) {
      overGrant(t, h, cap);
    }
    keep(t, h);
  }

  /**
   * The sweep over {@code h}'s span: its registers plus those of every kept hold that overlaps, at
   * each instant where that sum can change inside the span.
   */
  private void overGrant(Track t, Hold h, int cap) {
    List<Hold> overlapping = new ArrayList<>();
    for (Hold other : t.holds.tailSet(probe(h.start()), false)) {
      if (other.start() < h.end()) {
        overlapping.add(other);
      }
    }
    if (h.registers() > cap) {
      report(t, h, cap, h.start(), h.registers(), List.of());
      return;
    }
    // Instants where the sum can rise: h's start and every overlapping hold's start inside h.
    List<Long> points = new ArrayList<>();
    points.add(h.start());
    for (Hold o : overlapping) {
      if (o.start() > h.start()) {
        points.add(o.start());
      }
    }
    points.sort(null);
    for (long p : points) {
      int sum = h.registers();
      List<Hold> holders = new ArrayList<>();
      for (Hold o : overlapping) {
        if (o.start() <= p && p < o.end()) {
          sum += o.registers();
          holders.add(o);
        }
      }
      if (sum > cap) {
        if (p >= t.overGrantUntil) {
          report(t, h, cap, p, sum, holders);
        }
        return;
      }
    }
  }

  private void report(Track t, Hold h, int cap, long at, int sum, List<Hold> holders) {
    List<Hold> all = new ArrayList<>(holders);
    all.add(h);
    long until = Long.MAX_VALUE;
    for (Hold x : all) {
      until = Math.min(until, x.end());
    }
    t.overGrantUntil = Math.max(t.overGrantUntil, until);
    all.sort(Comparator.comparingLong(Hold::start));
    List<TraceEvent> evidence = new ArrayList<>();
    // A few holders show it; the message has the totals.
    for (Hold x : all.subList(Math.max(0, all.size() - 6), all.size())) {
      evidence.add(x.event());
    }
    findings.violation(Invariant.MAP_REGISTER_OVERGRANT, "adapter " + h.adapter() + " has " + cap + " map registers"
        + " but " + all.size() + " hold" + (all.size() == 1 ? "" : "s") + " had " + sum + " at " + at
        + " us: grants never exceed the adapter's registers (§4.1, §4.5)", h.device(), h.transaction(), at, evidence);
  }

  /** A {@code MapRegisters <adapter>} counter: its capacity, and a free count that must lie in [0, capacity]. */
  void registerCounter(TraceEvent e) {
    if (!e.name().startsWith(REGISTER_COUNTER)) {
      return;
    }
    String adapter = e.name().substring(REGISTER_COUNTER.length());
    Long cap = TraceArgs.number(e, "capacity");
    if (cap != null) {
      capacity.put(adapter, cap.intValue());
    }
    Long free = TraceArgs.number(e, "free");
    Integer known = capacity.get(adapter);
    if (free != null && (free < 0 || (known != null && free > known))) {
      findings.violation(Invariant.MAP_REGISTER_OVERGRANT, "the map-register pool of adapter " + adapter + " reported "
          + free + " free of " + (known == null ? "?" : known) + ": the pool granted registers it does not have"
          + " (§4.1)", null, null, e.tsMicros(), List.of(e));
    }
  }

  /** Adapters whose register holds were seen without a capacity to compare them with. */
  int adaptersWithoutCapacity() {
    int n = 0;
    for (String a : registerAdapters) {
      if (!capacity.containsKey(a)) {
        n++;
      }
    }
    return n;
  }

  private Hold hold(TraceEvent e, int registers) {
    String adapter = e.track() == null ? "?" : e.track();
    return new Hold(e.name(), adapter, e.tsMicros(), TraceArgs.end(e), ++seq, registers,
        Boolean.parseBoolean(e.args().get("reservation")), TraceArgs.device(e), TraceArgs.transaction(e));
  }

  /** Sorts after every hold that ends at or before {@code micros}. */
  private static Hold probe(long micros) {
    return new Hold(null, null, 0, micros, Long.MAX_VALUE, 0, false, null, null);
  }

  private static void keep(Track t, Hold h) {
    t.holds.add(h);
    t.latestEnd = Math.max(t.latestEnd, h.end());
    while (!t.holds.isEmpty() && t.holds.first().end() < t.latestEnd - HORIZON_MICROS) {
      t.holds.pollFirst();
    }
  }

  private static List<TraceEvent> ordered(Hold a, Hold b) {
    return a.start() <= b.start() ? List.of(a.event(), b.event()) : List.of(b.event(), a.event());
  }
}
