package org.dmaemu.node.check;

import java.util.HashMap;
import java.util.Map;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Which planned faults have acted on which devices so far, from the trace's {@code FaultInjected}
 * instants ({@code fault}, {@code device}, {@code what}). A violation is within a fault's reach when
 * one of its devices — the violation's own, or any device its events name — had a FaultInjected
 * earlier in the trace than the event that showed the violation (for what only the end of the trace
 * shows, a leak or an unfinished transfer: anywhere in the trace). A FaultInjected without a device
 * (a node crash, a partition) reaches every device from then on. The fault reported is the latest
 * that acted on the violation's own device, else on the first device its events name, else the
 * latest run-wide one.
 */
final class FaultReach {

  static final String EVENT = "FaultInjected";

  private final Map<String, String> latestByDevice = new HashMap<>();
  private String runWide;

  void accept(TraceEvent e) {
    String fault = e.args().getOrDefault("fault", "?");
    String device = TraceArgs.device(e);
    if (device == null) {
      runWide = fault;
    } else {
      latestByDevice.put(device, fault);
    }
  }

  /** The fault whose reach covers any of {@code devices} now, or {@code null}. */
  String reaching(Iterable<String> devices) {
    for (String d : devices) {
      String f = latestByDevice.get(d);
      if (f != null) {
        return f;
      }
    }
    return runWide;
  }
}
