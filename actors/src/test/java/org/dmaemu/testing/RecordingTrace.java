package org.dmaemu.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.trace.TraceSink;

/**
 * Collects trace events. Callbacks of one device run one after another, so the order of their
 * spans is the order in which the framework invoked them.
 */
public final class RecordingTrace implements TraceSink {
  private final ConcurrentLinkedQueue<TraceEvent> events = new ConcurrentLinkedQueue<>();

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void record(TraceEvent event) {
    events.add(event);
  }

  /**
   * The callbacks of {@code deviceId} since the last call, as {@code Name}, {@code Name@enabler}
   * or {@code Name#interrupt}, with {@code !} appended when the callback failed and {@code ?} when
   * it hung.
   */
  public List<String> drainCallbacks(String deviceId) {
    List<String> out = new ArrayList<>();
    TraceEvent e;
    List<TraceEvent> keep = new ArrayList<>();
    while ((e = events.poll()) != null) {
      if (!deviceId.equals(e.track())) {
        keep.add(e);
        continue;
      }
      if (!e.name().startsWith("Evt")) {
        continue;
      }
      StringBuilder b = new StringBuilder(e.name());
      if (e.args().containsKey("enabler")) {
        b.append('@').append(e.args().get("enabler"));
      }
      if (e.args().containsKey("interrupt")) {
        b.append('#').append(e.args().get("interrupt"));
      }
      String status = e.args().get("status");
      if ("hang".equals(status)) {
        b.append('?');
      } else if (status != null && !status.equals("0x00000000")) {
        b.append('!');
      }
      out.add(b.toString());
    }
    events.addAll(keep);
    return out;
  }

  public List<TraceEvent> all() {
    return new ArrayList<>(events);
  }
}
