package org.dmaemu.arbitration;

/**
 * Waiters in arrival order, doubly linked so that a withdrawn waiter leaves from the middle in
 * O(1): the building block of the FIFO queue and of the per-priority and per-device sub-queues of
 * the other policies. Each list knows the queue that owns it, so that a queue can refuse an entry
 * of another queue.
 */
final class WaiterList<W> {

  /** One waiter's place; it is the {@link WaitQueue.Entry} handed to the actor. */
  static final class Node<W> implements WaitQueue.Entry<W> {
    private final W waiter;
    private WaiterList<W> list;
    private Node<W> prev;
    private Node<W> next;

    private Node(WaiterList<W> list, W waiter) {
      this.list = list;
      this.waiter = waiter;
    }

    @Override
    public W waiter() {
      return waiter;
    }
  }

  private final Object owner;
  private Node<W> head;
  private Node<W> tail;
  private int size;

  /** @param owner the queue this list belongs to */
  WaiterList(Object owner) {
    this.owner = owner;
  }

  /**
   * The list {@code entry} is queued in, if that list belongs to {@code owner}; else {@code null}
   * (already taken, already removed, or another queue's).
   */
  @SuppressWarnings("unchecked")
  static <W> WaiterList<W> of(WaitQueue.Entry<W> entry, Object owner) {
    if (entry instanceof Node<W> node && node.list != null && node.list.owner == owner) {
      return node.list;
    }
    return null;
  }

  Node<W> add(W waiter) {
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

  /** The oldest node, or {@code null}. */
  Node<W> first() {
    return head;
  }

  /** Unlinks a node of this list (one {@link #of} returned this list for). */
  void remove(WaitQueue.Entry<W> entry) {
    Node<W> node = (Node<W>) entry;
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
    node.list = null;
    size--;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }
}
