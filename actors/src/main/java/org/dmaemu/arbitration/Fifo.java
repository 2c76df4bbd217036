package org.dmaemu.arbitration;

import java.util.function.Predicate;

/**
 * Strict first-come first-served with head-of-line blocking: only the oldest waiter is ever served,
 * and while it cannot be (it needs more map registers than are free) nobody behind it is, however
 * little they need. That is how the HAL's adapter queue behaves (reference §4.3, §4.5), and what
 * makes convoys behind a large request observable. A newcomer never overtakes. Nobody starves: the
 * head is served as soon as enough is free, and everyone becomes the head in turn.
 */
public final class Fifo implements ArbitrationPolicy {

  @Override
  public <W extends Waiter> WaitQueue<W> newQueue() {
    return new Queue<>();
  }

  @Override
  public String toString() {
    return FIFO;
  }

  private static final class Queue<W extends Waiter> implements WaitQueue<W> {
    private final WaiterList<W> waiters = new WaiterList<>(this);

    @Override
    public Entry<W> add(W waiter) {
      return waiters.add(waiter);
    }

    @Override
    public boolean remove(Entry<W> entry) {
      if (WaiterList.of(entry, this) == null) {
        return false;
      }
      waiters.remove(entry);
      return true;
    }

    @Override
    public W takeNext(Predicate<? super W> servable) {
      WaiterList.Node<W> first = waiters.first();
      if (first == null || !servable.test(first.waiter())) {
        return null;
      }
      waiters.remove(first);
      return first.waiter();
    }

    @Override
    public boolean mayOvertake(W newcomer) {
      return false;
    }

    @Override
    public int size() {
      return waiters.size();
    }
  }
}
