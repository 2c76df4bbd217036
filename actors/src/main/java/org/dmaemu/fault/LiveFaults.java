package org.dmaemu.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * Faults injected into a running run ({@code dmaemu inject}), on one node: every message gate and
 * every reference driver's rule book of the node's devices sees them from the moment they are
 * added, and the node's accounting finds them by id. Thread-safe; readers see immutable lists, so a
 * check costs one volatile read while nothing was injected.
 */
public final class LiveFaults {

  private volatile List<Fault> all = List.of();
  private volatile List<Fault.MessageFault> messageFaults = List.of();
  private volatile List<Fault.CallbackFault> callbackFaults = List.of();

  /** The message faults injected so far, in injection order. */
  public List<Fault.MessageFault> messageFaults() {
    return messageFaults;
  }

  /** The callback faults injected so far, in injection order. */
  public List<Fault.CallbackFault> callbackFaults() {
    return callbackFaults;
  }

  /** The injected fault with this id, or {@code null}. */
  public Fault byId(String id) {
    for (Fault f : all) {
      if (f.id().equals(id)) {
        return f;
      }
    }
    return null;
  }

  /**
   * Adds a fault. Message and callback faults apply to the node's devices' next message or callback;
   * the others are carried out by whoever received them, and are here so that the node's accounting
   * knows what they can do.
   */
  public synchronized void add(Fault fault) {
    if (byId(fault.id()) != null) {
      throw new IllegalArgumentException("fault id " + fault.id() + " is taken");
    }
    if (fault instanceof Fault.MessageFault m) {
      messageFaults = appended(messageFaults, m);
    } else if (fault instanceof Fault.CallbackFault c) {
      callbackFaults = appended(callbackFaults, c);
    }
    all = appended(all, fault);
  }

  private static <F> List<F> appended(List<F> list, F f) {
    List<F> more = new ArrayList<>(list);
    more.add(f);
    return List.copyOf(more);
  }
}
