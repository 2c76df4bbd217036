package org.dmaemu.arbitration;

import java.util.Comparator;
import java.util.HashMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Weighted fair sharing by start-time fair queueing (Goyal, Vin and Cheng, SIGCOMM 1996), per
 * device. Every request is tagged when it arrives, whether it waits or is served at once:
 *
 * <ul>
 *   <li>start tag {@code S = max(V, F[device])}, finish tag {@code F = S + demand / weight}, and
 *       the device's finish tag {@code F[device] := F} (demand: map registers, or 1 for the lock
 *       and the bus; weight: {@code Requester.weight}, at least 1);
 *   <li>waiters are served in increasing start tag, the older first among equal tags;
 *   <li>serving a request sets the virtual time {@code V := max(V, S)}.
 * </ul>
 *
 * Under contention each device is thus served demand in proportion to its weight: a device of
 * weight 2 gets about twice the registers of a device of weight 1. A device that was idle starts at
 * the current virtual time, with neither credit for the time it did not use nor debt for more than
 * its last request. A withdrawn waiter's demand stays charged to its device (withdrawals are rare:
 * cancellation, §6.1, or a dead requester).
 *
 * <p>Head-of-line blocking: only the waiter with the smallest start tag is served; while it cannot
 * be (it needs more map registers than are free), nobody is. A newcomer overtakes the waiters if its
 * start tag would be strictly smaller than theirs — a device that has been asking less than its
 * share arrives ahead of a device that has been asking more.
 *
 * <p>Starvation: none. Every newcomer's start tag is at least the virtual time, and the virtual
 * time rises with every grant, so only finitely many newcomers can arrive ahead of any waiter.
 */
public final class WeightedFair implements ArbitrationPolicy {

  @Override
  public <W extends Waiter> WaitQueue<W> newQueue() {
    return new Queue<>();
  }

  @Override
  public String toString() {
    return WEIGHTED_FAIR;
  }

  private static final class Tagged<W> implements WaitQueue.Entry<W> {
    private final W waiter;
    private final double start;
    private final long arrival;
    private Object queue;

    Tagged(Object queue, W waiter, double start, long arrival) {
      this.queue = queue;
      this.waiter = waiter;
      this.start = start;
      this.arrival = arrival;
    }

    @Override
    public W waiter() {
      return waiter;
    }
  }

  private static final class Queue<W extends Waiter> implements WaitQueue<W> {
    private final TreeSet<Tagged<W>> waiting =
        new TreeSet<>(Comparator.<Tagged<W>>comparingDouble(t -> t.start).thenComparingLong(t -> t.arrival));
    /** F[device]; a device whose finish tag the virtual time has passed is forgotten when the queue empties. */
    private final HashMap<String, Double> finish = new HashMap<>();
    private double virtualTime;
    private long arrivals;

    @Override
    public Entry<W> add(W waiter) {
      Tagged<W> tagged = new Tagged<>(this, waiter, charge(waiter), arrivals++);
      waiting.add(tagged);
      return tagged;
    }

    @Override
    public boolean remove(Entry<W> entry) {
      if (!(entry instanceof Tagged<W> tagged) || tagged.queue != this) {
        return false;
      }
      waiting.remove(tagged);
      tagged.queue = null;
      forgetIdleDevicesIfEmpty();
      return true;
    }

    @Override
    public W takeNext(Predicate<? super W> servable) {
      if (waiting.isEmpty() || !servable.test(waiting.first().waiter)) {
        return null;
      }
      Tagged<W> next = waiting.pollFirst();
      next.queue = null;
      virtualTime = Math.max(virtualTime, next.start);
      forgetIdleDevicesIfEmpty();
      return next.waiter;
    }

    @Override
    public boolean mayOvertake(W newcomer) {
      return startTag(newcomer) < waiting.first().start;
    }

    @Override
    public void grantedAtOnce(W waiter) {
      virtualTime = Math.max(virtualTime, charge(waiter));
    }

    @Override
    public int size() {
      return waiting.size();
    }

    private double startTag(Waiter waiter) {
      Double last = finish.get(waiter.requester().deviceId());
      return last == null ? virtualTime : Math.max(virtualTime, last);
    }

    /** Tags a request: returns its start tag and moves its device's finish tag on. */
    private double charge(Waiter waiter) {
      double start = startTag(waiter);
      finish.put(waiter.requester().deviceId(), start + (double) waiter.demand() / waiter.requester().weight());
      return start;
    }

    /** A device whose finish tag is behind the virtual time would start at V anyway: keeps the map small. */
    private void forgetIdleDevicesIfEmpty() {
      if (waiting.isEmpty()) {
        finish.values().removeIf(f -> f <= virtualTime);
      }
    }
  }
}
