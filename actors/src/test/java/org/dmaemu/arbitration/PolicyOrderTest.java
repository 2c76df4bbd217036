package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.dmaemu.protocol.arbitration.Requester;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The arbitration policies on their own: plain Java, no actors. Each row queues its waiters while
 * nothing is free, then frees {@code capacity} units and serves; whenever the policy serves nobody,
 * the oldest grant is given back. The row states the order served.
 */
class PolicyOrderTest {

  /** A waiting request: name, device, units asked for, and the device's priority and weight. */
  record Waiting(String name, int demand, Requester requester) implements ArbitrationPolicy.Waiter {

    /** "a1:3" — device a, 3 units; "a1:3:p5" priority 5; "a1:1:w3" weight 3. */
    static Waiting parse(String spec) {
      String[] parts = spec.split(":");
      int priority = 0;
      int weight = 1;
      for (int i = 2; i < parts.length; i++) {
        if (parts[i].startsWith("p")) {
          priority = Integer.parseInt(parts[i].substring(1));
        } else {
          weight = Integer.parseInt(parts[i].substring(1));
        }
      }
      String device = "dev-" + parts[0].charAt(0);
      return new Waiting(parts[0], Integer.parseInt(parts[1]), new Requester(device, "g", priority, weight));
    }
  }

  /** The order in which {@code policy} serves {@code waiters} (specs as in {@link Waiting#parse}) from {@code capacity} units. */
  static List<String> served(ArbitrationPolicy policy, int capacity, String... waiters) {
    WaitQueue<Waiting> queue = policy.newQueue();
    for (String spec : waiters) {
      queue.add(Waiting.parse(spec));
    }
    return drain(queue, capacity);
  }

  static List<String> drain(WaitQueue<Waiting> queue, int capacity) {
    List<String> order = new ArrayList<>();
    ArrayDeque<Waiting> granted = new ArrayDeque<>();
    int[] free = {capacity};
    Predicate<Waiting> fits = w -> w.demand() <= free[0];
    while (!queue.isEmpty()) {
      Waiting next = queue.takeNext(fits);
      if (next != null) {
        free[0] -= next.demand();
        granted.addLast(next);
        order.add(next.name());
      } else {
        Waiting oldest = granted.pollFirst();
        if (oldest == null) {
          throw new AssertionError("stuck with " + free[0] + " free and nothing to give back; served " + order);
        }
        free[0] += oldest.demand();
      }
    }
    return order;
  }

  static Stream<Arguments> rows() {
    return Stream.of(
          Arguments.of("§4.3 fifo: arrival order; the head needing 2 of 1 free blocks a later 1",
              ArbitrationPolicy.FIFO, 4,
              List.of("a1:3", "b1:2", "a2:1", "c1:1"),
              List.of("a1", "b1", "a2", "c1")),
          Arguments.of("fifo ignores priority and weight",
              ArbitrationPolicy.FIFO, 1,
              List.of("a1:1:p1", "b1:1:p9:w5", "c1:1:p5"),
              List.of("a1", "b1", "c1")),
          Arguments.of("priority: highest first, FIFO within a priority",
              ArbitrationPolicy.PRIORITY, 1,
              List.of("a1:1:p0", "b1:1:p5", "c1:1:p2", "d1:1:p5", "e1:1:p0"),
              List.of("b1", "d1", "c1", "a1", "e1")),
          Arguments.of("priority: a high-priority head that does not fit blocks a lower one that would",
              ArbitrationPolicy.PRIORITY, 4,
              List.of("a1:1:p0", "b1:3:p5", "c1:1:p2", "d1:2:p5"),
              List.of("b1", "d1", "c1", "a1")),
          Arguments.of("round-robin: one grant per device per round, FIFO within a device",
              ArbitrationPolicy.ROUND_ROBIN, 1,
              List.of("a1:1", "a2:1", "a3:1", "b1:1", "b2:1", "c1:1"),
              List.of("a1", "b1", "c1", "a2", "b2", "a3")),
          Arguments.of("round-robin: the turn does not pass while its head does not fit",
              ArbitrationPolicy.ROUND_ROBIN, 4,
              List.of("a1:3", "b1:2", "a2:1"),
              List.of("a1", "b1", "a2")),
          Arguments.of("weighted-fair: weight 3 against weight 1 is served three to one while both wait",
              ArbitrationPolicy.WEIGHTED_FAIR, 1,
              List.of("a1:1:w3", "a2:1:w3", "a3:1:w3", "a4:1:w3", "a5:1:w3", "a6:1:w3", "a7:1:w3", "a8:1:w3",
                  "b1:1", "b2:1", "b3:1", "b4:1"),
              List.of("a1", "b1", "a2", "a3", "a4", "b2", "a5", "a6", "a7", "b3", "a8", "b4")),
          Arguments.of("weighted-fair shares demand, not requests: four 1-register grants balance one of 4",
              ArbitrationPolicy.WEIGHTED_FAIR, 4,
              List.of("a1:4", "a2:4", "b1:1", "b2:1", "b3:1", "b4:1", "b5:1", "b6:1"),
              List.of("a1", "b1", "b2", "b3", "b4", "a2", "b5", "b6")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void order(String row, String policy, int capacity, List<String> waiters, List<String> expected) {
    assertEquals(expected, served(ArbitrationPolicy.named(policy, 7L), capacity, waiters.toArray(String[]::new)));
  }

  // ---- Overtaking --------------------------------------------------------------------------------

  @Test
  @DisplayName("priority: a newcomer overtakes only waiters of strictly lower priority")
  void priorityOvertaking() {
    WaitQueue<Waiting> queue = ArbitrationPolicy.priority().newQueue();
    queue.add(Waiting.parse("a1:4:p1"));
    assertTrue(queue.mayOvertake(Waiting.parse("b1:1:p2")));
    assertFalse(queue.mayOvertake(Waiting.parse("c1:1:p1")));
    assertFalse(queue.mayOvertake(Waiting.parse("d1:1:p0")));
  }

  @Test
  @DisplayName("weighted-fair: a device that asked less than its share overtakes one that asked more")
  void weightedFairOvertaking() {
    WaitQueue<Waiting> queue = ArbitrationPolicy.weightedFair().newQueue();
    // a got 4 units at once (start tag 0, finish 4); its next request starts at 4 and has to wait.
    queue.grantedAtOnce(Waiting.parse("a0:4"));
    queue.add(Waiting.parse("a1:4"));
    assertTrue(queue.mayOvertake(Waiting.parse("b1:1")), "b starts at the virtual time, 0 < 4");
    assertFalse(queue.mayOvertake(Waiting.parse("a2:1")), "a's next would start at 8");
    // Asking changes nothing: b1 is tagged only when it is queued or granted.
    queue.grantedAtOnce(Waiting.parse("b1:1"));
    queue.grantedAtOnce(Waiting.parse("b2:1"));
    queue.grantedAtOnce(Waiting.parse("b3:1"));
    queue.grantedAtOnce(Waiting.parse("b4:1"));
    assertFalse(queue.mayOvertake(Waiting.parse("b5:1")), "b has had its 4 units too: it starts at 4, not before a1");
  }

  @Test
  @DisplayName("round-robin and lottery: a newcomer never overtakes")
  void noOvertaking() {
    for (ArbitrationPolicy policy : List.of(ArbitrationPolicy.roundRobin(), ArbitrationPolicy.lottery(1))) {
      WaitQueue<Waiting> queue = policy.newQueue();
      queue.add(Waiting.parse("a1:4"));
      assertFalse(queue.mayOvertake(Waiting.parse("b1:1")), policy.toString());
    }
  }

  @Test
  @DisplayName("weighted-fair: a device that was idle starts at the virtual time, with no credit for the idle time")
  void weightedFairNoCreditForIdleness() {
    WaitQueue<Waiting> queue = ArbitrationPolicy.weightedFair().newQueue();
    // a alone for a while: its tags and the virtual time move on together.
    for (int i = 0; i < 10; i++) {
      queue.grantedAtOnce(Waiting.parse("a" + i + ":1"));
    }
    for (int i = 10; i < 13; i++) {
      queue.add(Waiting.parse("a" + i + ":1"));
    }
    queue.add(Waiting.parse("b1:1"));
    queue.add(Waiting.parse("b2:1"));
    queue.add(Waiting.parse("b3:1"));
    // b starts at the virtual time (a's last start, 9), one request ahead of a's next: then they
    // alternate. No burst of ten for b.
    assertEquals(List.of("b1", "a10", "b2", "a11", "b3", "a12"), drain(queue, 1));
  }

  // ---- Lottery -------------------------------------------------------------------------------------

  static List<String> lotteryOrder(long seed) {
    List<String> waiters = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      waiters.add("a" + i + ":1:w3");
      waiters.add("b" + i + ":1");
      waiters.add("c" + i + ":1:w2");
    }
    return served(ArbitrationPolicy.lottery(seed), 1, waiters.toArray(String[]::new));
  }

  @Test
  @DisplayName("lottery: one seed gives one order; another seed another")
  void lotteryIsSeeded() {
    assertEquals(lotteryOrder(42), lotteryOrder(42));
    assertNotEquals(lotteryOrder(42), lotteryOrder(43));
  }

  @Test
  @DisplayName("lottery: FIFO within a device, whatever the draws")
  void lotteryKeepsDeviceOrder() {
    for (long seed = 0; seed < 20; seed++) {
      List<String> order = lotteryOrder(seed);
      for (char device : new char[] {'a', 'b', 'c'}) {
        List<String> ofDevice = order.stream().filter(n -> n.charAt(0) == device).toList();
        List<String> expected = Stream.of(1, 2, 3, 4, 5, 6).map(i -> device + "" + i).toList();
        assertEquals(expected, ofDevice, "seed " + seed);
      }
    }
  }

  @Test
  @DisplayName("lottery: tickets = weight — weight 3 wins about three times as often as weight 1")
  void lotteryTickets() {
    WaitQueue<Waiting> queue = ArbitrationPolicy.lottery(2024).newQueue();
    for (int i = 0; i < 400; i++) {
      queue.add(Waiting.parse("a" + i + ":1:w3"));
      queue.add(Waiting.parse("b" + i + ":1"));
    }
    long aWins = drain(queue, 1).stream().limit(200).filter(n -> n.startsWith("a")).count();
    // Expected 150 of 200 (σ ≈ 6); the seed fixes the count, the bounds say what it means.
    assertTrue(aWins >= 130 && aWins <= 170, "weight-3 device won " + aWins + " of 200 draws");
  }

  @Test
  @DisplayName("lottery: the winner keeps its win until it fits; nobody else is served meanwhile")
  void lotteryWinnerBlocks() {
    int blocked = 0;
    for (long seed = 0; seed < 32; seed++) {
      WaitQueue<Waiting> queue = ArbitrationPolicy.lottery(seed).newQueue();
      queue.add(Waiting.parse("a1:4"));
      queue.add(Waiting.parse("b1:1"));
      Waiting first = queue.takeNext(w -> w.demand() <= 1);
      if (first == null) {
        blocked++;
        // a1 won: no new draw lets b1 in while a1 does not fit.
        for (int i = 0; i < 5; i++) {
          assertNull(queue.takeNext(w -> w.demand() <= 1), "seed " + seed);
        }
        assertEquals("a1", queue.takeNext(w -> w.demand() <= 4).name(), "seed " + seed);
      } else {
        assertEquals("b1", first.name());
      }
    }
    assertTrue(blocked > 0 && blocked < 32, "both outcomes occur over 32 seeds: " + blocked + " draws for a1");
  }

  @Test
  @DisplayName("lottery: withdrawing the pending winner makes way for a new draw")
  void lotteryWithdrawnWinner() {
    for (long seed = 0; seed < 16; seed++) {
      WaitQueue<Waiting> queue = ArbitrationPolicy.lottery(seed).newQueue();
      WaitQueue.Entry<Waiting> big = queue.add(Waiting.parse("a1:4"));
      queue.add(Waiting.parse("b1:1"));
      if (queue.takeNext(w -> w.demand() <= 1) == null) {
        assertTrue(queue.remove(big));
        assertEquals("b1", queue.takeNext(w -> w.demand() <= 1).name(), "seed " + seed);
        assertTrue(queue.isEmpty());
      }
    }
  }

  // ---- What every policy keeps -------------------------------------------------------------------

  static Stream<String> names() {
    return ArbitrationPolicy.NAMES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  @DisplayName("one device, one priority: every policy is FIFO; withdrawals leave from anywhere, once")
  void contract(String name) {
    WaitQueue<Waiting> queue = ArbitrationPolicy.named(name, 5L).newQueue();
    WaitQueue<Waiting> other = ArbitrationPolicy.named(name, 5L).newQueue();
    List<WaitQueue.Entry<Waiting>> entries = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      entries.add(queue.add(Waiting.parse("a" + i + ":1")));
    }
    assertEquals("a3", entries.get(2).waiter().name());
    assertFalse(other.remove(entries.get(0)), "another queue's entry");
    assertTrue(queue.remove(entries.get(2)));
    assertFalse(queue.remove(entries.get(2)), "removed twice");
    assertTrue(queue.remove(entries.get(0)));
    assertTrue(queue.remove(entries.get(4)));
    assertEquals(2, queue.size());
    assertEquals(List.of("a2", "a4"), drain(queue, 1));
    assertFalse(queue.remove(entries.get(1)), "already served");
    assertNull(queue.takeNext(w -> true));
    // Usable again once empty.
    queue.add(Waiting.parse("a6:1"));
    assertEquals(List.of("a6"), drain(queue, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  @DisplayName("named: every name gives its policy, a new one per call")
  void named(String name) {
    ArbitrationPolicy policy = ArbitrationPolicy.named(name, 1L);
    assertEquals(name, policy.toString());
    assertNotSame(policy, ArbitrationPolicy.named(name, 1L));
  }

  @Test
  @DisplayName("named: the five policies, and an unknown name is refused with the list")
  void namedRefusesOthers() {
    assertEquals(List.of("fifo", "priority", "round-robin", "weighted-fair", "lottery"), ArbitrationPolicy.NAMES);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArbitrationPolicy.named("FIFO", 0));
    assertEquals(
        "unknown arbitration policy \"FIFO\"; the policies are fifo, priority, round-robin, weighted-fair, lottery",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ArbitrationPolicy.named(null, 0));
    assertSame(Fifo.class, ArbitrationPolicy.named("fifo", 0).getClass());
  }
}
