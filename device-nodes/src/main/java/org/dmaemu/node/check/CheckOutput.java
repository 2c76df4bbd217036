package org.dmaemu.node.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dmaemu.protocol.trace.TraceEvent;

/** An {@link InvariantReport} as text for the terminal and as JSON ({@code summary.json}, {@code check --json}). */
public final class CheckOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CheckOutput() {}

  /** A violation's header line: {@code [class] device tx at N us: message (injected by fault F)}. */
  public static String headline(Violation v) {
    StringBuilder b = new StringBuilder();
    b.append('[').append(v.invariant().id()).append("] ");
    if (v.transaction() != null) {
      b.append(v.transaction());
    } else if (v.device() != null) {
      b.append(v.device());
    } else {
      b.append('-');
    }
    b.append(String.format(Locale.ROOT, " at %,d us: ", v.atMicros())).append(v.message());
    if (v.injected()) {
      b.append(" (injected: fault ").append(v.fault()).append(')');
    }
    return b.toString();
  }

  /** One trace event on one line: {@code ts ph name [track] dur=… key=value …}. */
  public static String event(TraceEvent e) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%,12d %s %s", e.tsMicros(), e.phase(), e.name()));
    if (e.track() != null) {
      b.append(" [").append(e.track()).append(']');
    }
    if ("X".equals(e.phase())) {
      b.append(" dur=").append(e.durMicros());
    }
    List<String> keys = new ArrayList<>(e.args().keySet());
    keys.sort(null);
    for (String k : keys) {
      b.append(' ').append(k).append('=').append(e.args().get(k));
    }
    return b.toString();
  }

  /** Every kept violation with its events, one indented line per event. */
  public static String violations(InvariantReport r) {
    StringBuilder b = new StringBuilder();
    for (Violation v : r.details()) {
      b.append(headline(v)).append('\n');
      for (TraceEvent e : v.events()) {
        b.append("    ").append(event(e)).append('\n');
      }
    }
    long more = r.violations() - r.details().size();
    if (more > 0) {
      b.append(String.format(Locale.ROOT, "... and %,d more violations (only the first %,d are kept)%n", more,
          r.details().size()));
    }
    return b.toString();
  }

  /** The final line: what was checked, how many violations of which classes, how many injected. */
  public static String countLine(InvariantReport r) {
    if (!r.traced()) {
      return "invariants: not checked (no trace)";
    }
    String line = String.format(Locale.ROOT, "invariants: %,d events checked, %,d violation%s", r.checked(),
        r.violations(), r.violations() == 1 ? "" : "s");
    if (r.violations() > 0) {
      line += String.format(Locale.ROOT, " (%s), %,d injected by faults, %,d failing", r.classes(), r.injected(),
          r.failing());
    }
    return line;
  }

  /**
   * The {@code invariants} object of {@code summary.json}: {@code traced}, {@code checked}, {@code
   * violations}, {@code injected}, {@code failing}, {@code byClass} (every class, 0 included),
   * {@code injectedByClass}, {@code first} (up to {@code first} violations) and {@code notes}.
   */
  public static ObjectNode summary(InvariantReport r, int first) {
    ObjectNode o = JSON.createObjectNode();
    o.put("traced", r.traced());
    o.put("checked", r.checked());
    o.put("violations", r.violations());
    o.put("injected", r.injected());
    o.put("failing", r.failing());
    ObjectNode byClass = o.putObject("byClass");
    ObjectNode injectedByClass = o.putObject("injectedByClass");
    for (Invariant i : Invariant.values()) {
      byClass.put(i.id(), r.count(i));
      injectedByClass.put(i.id(), r.injectedCount(i));
    }
    ArrayNode list = o.putArray("first");
    for (Violation v : r.details().subList(0, Math.min(first, r.details().size()))) {
      list.add(violation(v, false));
    }
    ArrayNode notes = o.putArray("notes");
    r.notes().forEach(notes::add);
    return o;
  }

  /** One violation; with its events when {@code withEvents}. */
  public static ObjectNode violation(Violation v, boolean withEvents) {
    ObjectNode o = JSON.createObjectNode();
    o.put("class", v.invariant().id());
    o.put("section", v.invariant().section());
    o.put("message", v.message());
    o.put("device", v.device());
    o.put("transaction", v.transaction());
    o.put("atMicros", v.atMicros());
    o.put("injected", v.injected());
    o.put("fault", v.fault());
    if (withEvents) {
      ArrayNode events = o.putArray("events");
      for (TraceEvent e : v.events()) {
        ObjectNode j = events.addObject();
        j.put("name", e.name());
        j.put("ph", e.phase());
        j.put("ts", e.tsMicros());
        if ("X".equals(e.phase())) {
          j.put("dur", e.durMicros());
        }
        j.put("track", e.track());
        ObjectNode args = j.putObject("args");
        e.args().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> args.put(a.getKey(), a.getValue()));
      }
    }
    return o;
  }
}
