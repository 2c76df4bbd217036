package org.dmaemu.node.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmaemu.protocol.CborSerializable;

/**
 * What an {@link InvariantChecker} found in one trace.
 *
 * @param traced false when the run wrote no trace, so nothing was checked
 * @param checked trace events checked
 * @param violations violations found, injected ones included
 * @param injected violations within a planned fault's reach
 * @param byClass violations per {@link Invariant#id()} (classes without any are absent)
 * @param injectedByClass injected violations per {@link Invariant#id()}
 * @param details the first violations in trace order, at most {@link InvariantChecker#DETAIL_LIMIT}
 * @param notes what the checker could not check, or found and excused (one line each)
 */
public record InvariantReport(
    boolean traced,
    long checked,
    long violations,
    long injected,
    Map<String, Long> byClass,
    Map<String, Long> injectedByClass,
    List<Violation> details,
    List<String> notes)
    implements CborSerializable {

  public InvariantReport {
    byClass = Map.copyOf(byClass);
    injectedByClass = Map.copyOf(injectedByClass);
    details = List.copyOf(details);
    notes = List.copyOf(notes);
  }

  /** A run without a trace: nothing checked. */
  public static InvariantReport notTraced() {
    return new InvariantReport(false, 0, 0, 0, Map.of(), Map.of(), List.of(), List.of());
  }

  /** Violations that fail the check: those no planned fault explains. */
  public long failing() {
    return violations - injected;
  }

  public boolean passed() {
    return failing() == 0;
  }

  /** Violations of one class, {@code 0} when none. */
  public long count(Invariant invariant) {
    return byClass.getOrDefault(invariant.id(), 0L);
  }

  /** Injected violations of one class. */
  public long injectedCount(Invariant invariant) {
    return injectedByClass.getOrDefault(invariant.id(), 0L);
  }

  /** Per class, in {@link Invariant} order: {@code adapter-lock-exclusion 2, map-register-leak 1}. */
  public String classes() {
    List<String> parts = new ArrayList<>();
    for (Invariant i : Invariant.values()) {
      long n = count(i);
      if (n > 0) {
        long inj = injectedCount(i);
        parts.add(i.id() + " " + n + (inj > 0 ? " (" + inj + " injected)" : ""));
      }
    }
    return String.join(", ", parts);
  }

  /**
   * The run's failed check for the violations that fail, or {@code null} when none does: one line
   * with the count, the classes and the first failing violation.
   */
  public String failedCheck() {
    if (passed()) {
      return null;
    }
    Violation first = null;
    for (Violation v : details) {
      if (!v.injected()) {
        first = v;
        break;
      }
    }
    return failing() + " invariant violation" + (failing() == 1 ? "" : "s") + " in the trace (" + classes() + ")"
        + (first == null ? "" : "; first: [" + first.invariant().id() + "] " + first.message());
  }
}
