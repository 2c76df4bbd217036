package org.dmaemu.arbitration;

import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Lottery scheduling (Waldspurger and Weihl, OSDI 1994) across devices: each device with waiters
 * holds as many tickets as its {@code Requester.weight} (the weight of its oldest waiter); a draw
 * picks a device with probability tickets / all tickets, and that device's oldest waiter wins
 * (FIFO within a device). The draw comes from a {@link SplittableRandom} seeded once per queue,
 * so one seed and one sequence of requests give one order.
 *
 * <p>When the draw happens: whenever the actor asks for the next waiter and no winner is pending —
 * right after the previous winner was served or withdrawn, among the waiters queued at that moment;
 * later arrivals take part in the next draw.
 *
 * <p>Head-of-line blocking: the winner keeps its win until it is served. While it cannot be (it
 * needs more map registers than are free), nobody is, and there is no new draw. A newcomer never
 * overtakes: it waits for a draw.
 *
 * <p>Starvation: not excluded, only made improbable. A waiting device wins each draw with
 * probability at least its tickets / all tickets, so its expected wait is bounded, but no number of
 * draws guarantees it a win.
 */
public final class Lottery implements ArbitrationPolicy {

  private final long seed;

  public Lottery(long seed) {
    this.seed = seed;
  }

  @Override
  public <W extends Waiter> WaitQueue<W> newQueue() {
    return new Queue<>(new SplittableRandom(seed));
  }

  @Override
  public String toString() {
    return LOTTERY;
  }

  private static final class Queue<W extends Waiter> implements WaitQueue<W> {
    private final SplittableRandom random;
    /** Per device with waiters, its FIFO; iteration order (arrival of the device) makes draws reproducible. */
    private final LinkedHashMap<String, WaiterList<W>> devices = new LinkedHashMap<>();
    private WaiterList.Node<W> winner;
    private int size;

    Queue(SplittableRandom random) {
      this.random = random;
    }

    @Override
    public Entry<W> add(W waiter) {
      size++;
      return devices.computeIfAbsent(deviceOf(waiter), d -> new WaiterList<>(this)).add(waiter);
    }

    @Override
    public boolean remove(Entry<W> entry) {
      WaiterList<W> list = WaiterList.of(entry, this);
      if (list == null) {
        return false;
      }
      if (entry == winner) {
        winner = null;
      }
      unlink(list, entry);
      return true;
    }

    @Override
    public W takeNext(Predicate<? super W> servable) {
      if (size == 0) {
        return null;
      }
      if (winner == null) {
        winner = draw();
      }
      W waiter = winner.waiter();
      if (!servable.test(waiter)) {
        return null;
      }
      unlink(devices.get(deviceOf(waiter)), winner);
      winner = null;
      return waiter;
    }

    @Override
    public boolean mayOvertake(W newcomer) {
      return false;
    }

    @Override
    public int size() {
      return size;
    }

    private WaiterList.Node<W> draw() {
      long tickets = 0;
      for (WaiterList<W> list : devices.values()) {
        tickets += ticketsOf(list);
      }
      long ticket = random.nextLong(tickets);
      for (WaiterList<W> list : devices.values()) {
        ticket -= ticketsOf(list);
        if (ticket < 0) {
          return list.first();
        }
      }
      throw new IllegalStateException("a draw of " + tickets + " tickets found no holder");
    }

    private void unlink(WaiterList<W> list, Entry<W> entry) {
      list.remove(entry);
      size--;
      if (list.isEmpty()) {
        devices.remove(deviceOf(entry.waiter()));
      }
    }

    private long ticketsOf(WaiterList<W> list) {
      return list.first().waiter().requester().weight();
    }

    private static String deviceOf(Waiter waiter) {
      return waiter.requester().deviceId();
    }
  }
}
