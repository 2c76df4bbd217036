package org.dmaemu.node.check;

import java.util.List;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * One broken invariant: what, where, when, and the few trace events that show it.
 *
 * @param invariant the class of violation
 * @param message one line, citing the reference section
 * @param device the device concerned, or {@code null} (an adapter shared by several devices)
 * @param transaction the transaction concerned ({@code dev/enabler-N/tx-M}), or {@code null}
 * @param atMicros modeled time of the event that shows it
 * @param events the trace events that show it, in trace order
 * @param fault the id of the planned fault whose reach the violation is in ({@code null}: none);
 *     such a violation is <em>injected</em> and does not fail the check
 */
public record Violation(
    Invariant invariant,
    String message,
    String device,
    String transaction,
    long atMicros,
    List<TraceEvent> events,
    String fault) {

  public Violation {
    events = List.copyOf(events);
  }

  public boolean injected() {
    return fault != null;
  }
}
