package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.dmaemu.protocol.arbitration.Requester;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The FIFO policy on its own: plain Java, no actors. */
class FifoTest {

  record Waiting(String name, int demand, Requester requester) implements ArbitrationPolicy.Waiter {
    Waiting(String name, int demand, int priority) {
      this(name, demand, new Requester("dev-" + name, "default", priority, 1));
    }

    Waiting(String name, int demand) {
      this(name, demand, 0);
    }
  }

  static final Predicate<Waiting> ANY = w -> true;

  static WaitQueue<Waiting> newQueue() {
    return ArbitrationPolicy.fifo().newQueue();
  }

  static List<String> drain(WaitQueue<Waiting> queue, Predicate<Waiting> servable) {
    List<String> served = new ArrayList<>();
    Waiting next;
    while ((next = queue.takeNext(servable)) != null) {
      served.add(next.name());
    }
    return served;
  }

  @Test
  @DisplayName("§4.3 waiters are served in arrival order, priority ignored")
  void arrivalOrder() {
    WaitQueue<Waiting> queue = newQueue();
    queue.add(new Waiting("a", 1, 0));
    queue.add(new Waiting("b", 1, 99));
    queue.add(new Waiting("c", 1, 5));
    assertEquals(3, queue.size());
    assertEquals(List.of("a", "b", "c"), drain(queue, ANY));
    assertTrue(queue.isEmpty());
    assertNull(queue.takeNext(ANY));
  }

  @Test
  @DisplayName("§4.5 head-of-line blocking: a head that cannot be served blocks a later one that could")
  void headOfLineBlocking() {
    WaitQueue<Waiting> queue = newQueue();
    queue.add(new Waiting("big", 4));
    queue.add(new Waiting("small", 1));
    int[] free = {3};
    Predicate<Waiting> fits = w -> w.demand() <= free[0];
    assertNull(queue.takeNext(fits));
    assertEquals(2, queue.size(), "nothing left the queue");
    free[0] = 5;
    assertEquals(List.of("big", "small"), drain(queue, fits));
  }

  @Test
  @DisplayName("§4.5 strict FIFO: a newcomer never overtakes the waiters")
  void noOvertaking() {
    WaitQueue<Waiting> queue = newQueue();
    queue.add(new Waiting("big", 4));
    assertFalse(queue.mayOvertake(new Waiting("small", 1)));
  }

  @Test
  @DisplayName("§6.1 a cancelled waiter leaves from the head, the middle or the tail")
  void removeAnywhere() {
    WaitQueue<Waiting> queue = newQueue();
    WaitQueue.Entry<Waiting> a = queue.add(new Waiting("a", 1));
    WaitQueue.Entry<Waiting> b = queue.add(new Waiting("b", 1));
    WaitQueue.Entry<Waiting> c = queue.add(new Waiting("c", 1));
    WaitQueue.Entry<Waiting> d = queue.add(new Waiting("d", 1));
    WaitQueue.Entry<Waiting> e = queue.add(new Waiting("e", 1));
    assertEquals("c", c.waiter().name());
    assertTrue(queue.remove(c));
    assertTrue(queue.remove(a));
    assertTrue(queue.remove(e));
    assertEquals(2, queue.size());
    assertEquals(List.of("b", "d"), drain(queue, ANY));
    assertFalse(queue.remove(b), "already served");
    assertFalse(queue.remove(d), "already served");
  }

  @Test
  @DisplayName("removing twice, or from another queue, changes nothing")
  void removeIsIdempotent() {
    WaitQueue<Waiting> queue = newQueue();
    WaitQueue<Waiting> other = newQueue();
    WaitQueue.Entry<Waiting> a = queue.add(new Waiting("a", 1));
    queue.add(new Waiting("b", 1));
    assertFalse(other.remove(a));
    assertTrue(queue.remove(a));
    assertFalse(queue.remove(a));
    assertEquals(1, queue.size());
    assertEquals(List.of("b"), drain(queue, ANY));
  }

  @Test
  @DisplayName("the queue is usable again after it emptied, at both ends")
  void reuseAfterEmpty() {
    WaitQueue<Waiting> queue = newQueue();
    WaitQueue.Entry<Waiting> only = queue.add(new Waiting("a", 1));
    assertTrue(queue.remove(only));
    assertTrue(queue.isEmpty());
    queue.add(new Waiting("b", 1));
    queue.add(new Waiting("c", 1));
    assertEquals(List.of("b", "c"), drain(queue, ANY));
    queue.add(new Waiting("d", 1));
    assertEquals(List.of("d"), drain(queue, ANY));
  }

  @Test
  @DisplayName("each actor gets its own policy instance and its own queue")
  void freshInstances() {
    ArbitrationPolicy one = ArbitrationPolicy.fifo();
    ArbitrationPolicy two = ArbitrationPolicy.fifo();
    assertNotSame(one, two);
    WaitQueue<Waiting> q1 = one.newQueue();
    WaitQueue<Waiting> q2 = one.newQueue();
    assertNotSame(q1, q2);
    Waiting w = new Waiting("a", 1);
    q1.add(w);
    assertTrue(q2.isEmpty());
    assertSame(w, q1.takeNext(ANY));
  }
}
