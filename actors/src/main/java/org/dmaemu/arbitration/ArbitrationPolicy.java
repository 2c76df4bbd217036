package org.dmaemu.arbitration;

import org.dmaemu.protocol.arbitration.Requester;

/**
 * Decides the order in which an arbitration actor ({@link AdapterLock}, {@link MapRegisterPool})
 * serves the requests that had to wait: which waiting request is served next, and whether a request
 * that could be served at once may overtake those already waiting.
 *
 * <p>A policy is a recipe: plain Java, free of actor types, deterministic. Its state (the queue, and
 * any rotation, credit or random source a later policy needs) lives in the {@link WaitQueue} it makes;
 * each arbitration actor calls {@link #newQueue()} once and owns that queue alone. The factories
 * return a new policy per call all the same, so a later policy may keep per-actor state in itself.
 *
 * <p>The seam for priority, round-robin, weighted-fair and lottery arbitration: implement
 * {@code newQueue()} and add a factory here.
 */
public interface ArbitrationPolicy {

  String FIFO = "fifo";

  /** A new, empty queue for one actor's waiting requests. */
  <W extends Waiter> WaitQueue<W> newQueue();

  /** Strict FIFO with head-of-line blocking, as the HAL queues adapter-control routines (reference §4.3, §4.5). */
  static ArbitrationPolicy fifo() {
    return new Fifo();
  }

  /** What a policy may know of a waiting request. */
  interface Waiter {

    /** The units asked for: map registers for the pool, 1 for the adapter lock. */
    int demand();

    /** Who asks: the device, its group's priority and weight. */
    Requester requester();
  }
}
