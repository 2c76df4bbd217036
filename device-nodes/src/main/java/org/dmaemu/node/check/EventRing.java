package org.dmaemu.node.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.protocol.trace.TraceEvent;

/** The last few events of one device or transaction: the evidence a violation shows with. */
final class EventRing {
  private final int capacity;
  private final ArrayDeque<TraceEvent> events;

  EventRing(int capacity) {
    this.capacity = capacity;
    this.events = new ArrayDeque<>(capacity);
  }

  void add(TraceEvent e) {
    if (events.size() == capacity) {
      events.removeFirst();
    }
    events.addLast(e);
  }

  /** The kept events, oldest first, then {@code current} if it is not already the last. */
  List<TraceEvent> with(TraceEvent current) {
    List<TraceEvent> out = new ArrayList<>(events);
    if (current != null && (out.isEmpty() || out.get(out.size() - 1) != current)) {
      out.add(current);
    }
    return out;
  }
}
