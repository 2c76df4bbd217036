package org.dmaemu.arbitration;

import java.util.List;
import org.dmaemu.protocol.arbitration.Requester;

/**
 * Decides the order in which an arbitration actor ({@link AdapterLock}, {@link MapRegisterPool},
 * the {@code Bus}) serves the requests that had to wait: which waiting request is served next, and
 * whether a request that could be served at once may overtake those already waiting.
 *
 * <p>A policy is a recipe: plain Java, free of actor types, deterministic (the lottery draws from a
 * seeded stream). Its state (the queue, rotation, virtual time, random stream) lives in the
 * {@link WaitQueue} it makes; each arbitration actor calls {@link #newQueue()} once and owns that
 * queue alone.
 *
 * <p>Every policy here blocks at the head of the line: the waiter the policy picks next is served
 * as soon as what it asked for is free, and nobody else is served before it, however little they
 * need (map registers are granted all or nothing, §4.5). That costs idle registers, as in the HAL,
 * and buys that a large request is never starved by a stream of small ones. Whether a requester can
 * be starved then depends on the order alone: see each policy.
 */
public interface ArbitrationPolicy {

  String FIFO = "fifo";
  String PRIORITY = "priority";
  String ROUND_ROBIN = "round-robin";
  String WEIGHTED_FAIR = "weighted-fair";
  String LOTTERY = "lottery";

  /** The names {@link #named} accepts, as scenario files spell them. */
  List<String> NAMES = List.of(FIFO, PRIORITY, ROUND_ROBIN, WEIGHTED_FAIR, LOTTERY);

  /** A new, empty queue for one actor's waiting requests. */
  <W extends Waiter> WaitQueue<W> newQueue();

  /**
   * The policy called {@code name}, one of {@link #NAMES}; {@code seed} seeds the lottery and is
   * ignored by the others.
   *
   * @throws IllegalArgumentException for any other name
   */
  static ArbitrationPolicy named(String name, long seed) {
    if (name == null) {
      throw new IllegalArgumentException("an arbitration policy needs a name, one of " + NAMES);
    }
    return switch (name) {
      case FIFO -> fifo();
      case PRIORITY -> priority();
      case ROUND_ROBIN -> roundRobin();
      case WEIGHTED_FAIR -> weightedFair();
      case LOTTERY -> lottery(seed);
      default -> throw new IllegalArgumentException(
          "unknown arbitration policy \"" + name + "\"; the policies are " + String.join(", ", NAMES));
    };
  }

  /** Strict FIFO with head-of-line blocking, as the HAL queues adapter-control routines (reference §4.3, §4.5). */
  static ArbitrationPolicy fifo() {
    return new Fifo();
  }

  /** Higher priority first, FIFO within a priority. */
  static ArbitrationPolicy priority() {
    return new Priority();
  }

  /** Devices in rotation, FIFO within a device. */
  static ArbitrationPolicy roundRobin() {
    return new RoundRobin();
  }

  /** Start-time fair queueing: each device gets a share of the demand served in proportion to its weight. */
  static ArbitrationPolicy weightedFair() {
    return new WeightedFair();
  }

  /** A seeded lottery among the waiting devices, tickets = weight. */
  static ArbitrationPolicy lottery(long seed) {
    return new Lottery(seed);
  }

  /** What a policy may know of a waiting request. */
  interface Waiter {

    /** The units asked for: map registers for the pool, 1 for the adapter lock and the bus. */
    int demand();

    /** Who asks: the device, its group's priority and weight. */
    Requester requester();
  }
}
