package org.dmaemu.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * Faults injected into a running run ({@code dmaemu inject}), on one node: every message gate of
 * the node's devices sees them from the moment they are added. Thread-safe; readers see an
 * immutable list, so a gate's check costs one volatile read while nothing was injected.
 */
public final class LiveFaults {

  private volatile List<Fault.MessageFault> messageFaults = List.of();

  /** The message faults injected so far, in injection order. */
  public List<Fault.MessageFault> messageFaults() {
    return messageFaults;
  }

  /** The injected fault with this id, or {@code null}. */
  public Fault byId(String id) {
    for (Fault.MessageFault f : messageFaults) {
      if (f.id().equals(id)) {
        return f;
      }
    }
    return null;
  }

  /** Adds a message fault; the node's gates apply it to their next message. */
  public synchronized void add(Fault.MessageFault fault) {
    for (Fault.MessageFault f : messageFaults) {
      if (f.id().equals(fault.id())) {
        throw new IllegalArgumentException("fault id " + fault.id() + " is taken");
      }
    }
    List<Fault.MessageFault> more = new ArrayList<>(messageFaults);
    more.add(fault);
    messageFaults = List.copyOf(more);
  }
}
