package org.dmaemu.trace;

import java.util.Map;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Where actors send trace events. Implementations must not block: the node's writer takes events
 * as messages and writes on its own dispatcher.
 */
public interface TraceSink {

  TraceSink NONE =
      new TraceSink() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void record(TraceEvent event) {}
      };

  /** False when nobody listens: callers skip building events. */
  boolean enabled();

  void record(TraceEvent event);

  /** A complete span ("X") on a device's track. */
  default void span(String name, String track, long startMicros, long endMicros, Map<String, String> args) {
    if (enabled()) {
      record(new TraceEvent(name, "X", startMicros, Math.max(0, endMicros - startMicros), track, args));
    }
  }

  /** An instant ("i") on a device's track. */
  default void instant(String name, String track, long tsMicros, Map<String, String> args) {
    if (enabled()) {
      record(new TraceEvent(name, "i", tsMicros, 0, track, args));
    }
  }
}
