package org.dmaemu.arbitration;

import java.util.function.Predicate;

/**
 * Strict first-come first-served with head-of-line blocking: only the oldest waiter is ever served,
 * and while it cannot be (it needs more map registers than are free) nobody behind it is, however
 * little they need. That is how the HAL's adapter queue behaves (reference §4.3, §4.5), and what
 * makes convoys behind a large request observable. A newcomer never overtakes.
 */
public final class Fifo implements ArbitrationPolicy {

  @Override
  public <W extends Waiter> WaitQueue<W> newQueue() {
    return new Queue<>();
  }

  @Override
  public String toString() {
    return "fifo";
  }

  /** A doubly linked list, so that a cancelled waiter leaves from the middle in O(1). */
  private static final class Queue<W extends Waiter> implements WaitQueue<W> {
    private Node<W> head;
    private Node<W> tail;
    private int size;

    @Override
    public Entry<W> add(W waiter) {
      Node<W> node = new Node<>(this, waiter);
      if (tail == null) {
        head = node;
      } else {
        tail.next = node;
        node.prev = tail;
      }
      tail = node;
      size++;
      return node;
    }

    @Override
    public boolean remove(Entry<W> entry) {
      if (!(entry instanceof Node<W> node) || node.queue != this) {
        return false;
      }
      unlink(node);
      return true;
    }

    @Override
    public W takeNext(Predicate<? super W> servable) {
      Node<W> first = head;
      if (first == null || !servable.test(first.waiter)) {
        return null;
      }
      unlink(first);
      return first.waiter;
    }

    @Override
    public boolean mayOvertake(W newcomer) {
      return false;
    }

    @Override
    public int size() {
      return size;
    }

    private void unlink(Node<W> node) {
      if (node.prev == null) {
        head = node.next;
      } else {
        node.prev.next = node.next;
      }
      if (node.next == null) {
        tail = node.prev;
      } else {
        node.next.prev = node.prev;
      }
      node.prev = null;
      node.next = null;
      node.queue = null;
      size--;
    }
  }

  private static final class Node<W> implements WaitQueue.Entry<W> {
    private final W waiter;
    private Queue<?> queue;
    private Node<W> prev;
    private Node<W> next;

    Node(Queue<?> queue, W waiter) {
      this.queue = queue;
      this.waiter = waiter;
    }

    @Override
    public W waiter() {
      return waiter;
    }
  }
}
