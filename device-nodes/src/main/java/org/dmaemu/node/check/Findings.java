package org.dmaemu.node.check;

import java.util.List;
import org.dmaemu.protocol.trace.TraceEvent;

/** Where the checker's parts report what they find; the checker decides whether a fault explains it. */
interface Findings {

  /**
   * @param device the device concerned, or {@code null}
   * @param transaction the transaction concerned, or {@code null}
   * @param events the events that show it, in trace order
   */
  void violation(
      Invariant invariant, String message, String device, String transaction, long atMicros, List<TraceEvent> events);
}
