package org.dmaemu.arbitration;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Strict priority: the waiter with the highest {@code Requester.priority} goes first, and among
 * equal priorities the oldest (FIFO within a priority).
 *
 * <p>Head-of-line blocking: only that one waiter is ever served; while it cannot be (it needs more
 * map registers than are free), nobody is — neither the same priority's younger waiters nor any
 * lower priority, however little they need. A newcomer overtakes the waiters only if its priority
 * is strictly higher than every waiting one's; it is then the one the policy picks, and it can be
 * served.
 *
 * <p>Starvation: within a priority nobody starves (FIFO). Across priorities this policy starves by
 * design: while higher-priority requests keep arriving, lower ones wait, without limit. Scenarios
 * that want a bounded share for low priorities use weighted-fair instead.
 */
public final class Priority implements ArbitrationPolicy {

  @Override
  public <W extends Waiter> WaitQueue<W> newQueue() {
    return new Queue<>();
  }

  @Override
  public String toString() {
    return PRIORITY;
  }

  private static final class Queue<W extends Waiter> implements WaitQueue<W> {
    /** One FIFO per priority that has waiters, highest first. */
    private final TreeMap<Integer, WaiterList<W>> byPriority = new TreeMap<>(Comparator.reverseOrder());
    private int size;

    @Override
    public Entry<W> add(W waiter) {
      size++;
      return byPriority.computeIfAbsent(priorityOf(waiter), p -> new WaiterList<>(this)).add(waiter);
    }

    @Override
    public boolean remove(Entry<W> entry) {
      WaiterList<W> list = WaiterList.of(entry, this);
      if (list == null) {
        return false;
      }
      unlink(list, entry);
      return true;
    }

    @Override
    public W takeNext(Predicate<? super W> servable) {
      Map.Entry<Integer, WaiterList<W>> highest = byPriority.firstEntry();
      if (highest == null) {
        return null;
      }
      WaiterList.Node<W> head = highest.getValue().first();
      if (!servable.test(head.waiter())) {
        return null;
      }
      unlink(highest.getValue(), head);
      return head.waiter();
    }

    @Override
    public boolean mayOvertake(W newcomer) {
      return priorityOf(newcomer) > byPriority.firstKey();
    }

    @Override
    public int size() {
      return size;
    }

    private void unlink(WaiterList<W> list, Entry<W> entry) {
      list.remove(entry);
      size--;
      if (list.isEmpty()) {
        byPriority.remove(priorityOf(entry.waiter()));
      }
    }

    private static int priorityOf(Waiter waiter) {
      return waiter.requester().priority();
    }
  }
}
