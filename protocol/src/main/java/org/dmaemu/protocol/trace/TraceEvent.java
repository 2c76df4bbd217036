package org.dmaemu.protocol.trace;

import java.util.Map;
import org.dmaemu.protocol.CborSerializable;

/**
 * One Chrome Trace Event (DESIGN §7). {@code name} is the KMDF callback or DDI name exactly;
 * {@code track} is the device id (the writer maps it to a numeric {@code tid} with a thread-name
 * record); times are emulated microseconds from the node clock.
 *
 * @param phase "X" (complete span), "i" (instant) or "C" (counter)
 */
public record TraceEvent(
    String name, String phase, long tsMicros, long durMicros, String track, Map<String, String> args)
    implements CborSerializable {

  public TraceEvent {
    args = Map.copyOf(args);
  }
}
