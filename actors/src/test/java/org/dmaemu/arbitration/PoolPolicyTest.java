package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The policies in the arbiters: a map-register pool (and a lock) whose waiters come from several
 * devices; the grants arrive in the policy's order. One probe plays every transaction: each
 * request has its own id and says which device asks.
 */
class PoolPolicyTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("PoolPolicyTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static Requester device(String name, int priority, int weight) {
    return new Requester("dev-" + name, "g-" + name, priority, weight);
  }

  /** A pool of {@code total} registers under {@code policy}, with a probe playing all transactions. */
  static final class Rig {
    final String adapterId = "pool-policy-" + IDS.incrementAndGet();
    final ActorRef<MapRegisterMessage> pool;
    final TestProbe<MapRegisterReply> tx = kit.createTestProbe();
    long nextId;

    Rig(ArbitrationPolicy policy, int total) {
      pool = kit.spawn(MapRegisterPool.create(adapterId, total, policy, DmaObserver.NONE), adapterId);
    }

    long allocate(Requester who, int count) {
      long id = ++nextId;
      pool.tell(new AllocateMapRegisters(id, count, false, false, who, tx.getRef()));
      return id;
    }

    void free(long id) {
      pool.tell(new FreeMapRegisters(id, tx.getRef()));
    }

    long granted() {
      return tx.expectMessageClass(MapRegistersGranted.class).requestId();
    }

    /** Frees each grant as it comes, so that one request at a time is served; the ids in the order granted. */
    List<Long> grantOrder(long firstHolder, int waiters) {
      List<Long> order = new ArrayList<>();
      free(firstHolder);
      for (int i = 0; i < waiters; i++) {
        long id = granted();
        order.add(id);
        free(id);
      }
      return order;
    }
  }

  @Test
  @DisplayName("priority pool: the highest priority is granted first, FIFO within a priority")
  void priority() {
    Rig rig = new Rig(ArbitrationPolicy.priority(), 2);
    long holder = rig.allocate(device("h", 0, 1), 2);
    assertEquals(holder, rig.granted());
    long low = rig.allocate(device("a", 0, 1), 2);
    long high = rig.allocate(device("b", 7, 1), 2);
    long mid = rig.allocate(device("c", 3, 1), 2);
    long high2 = rig.allocate(device("d", 7, 1), 2);
    rig.tx.expectNoMessage();
    assertEquals(List.of(high, high2, mid, low), rig.grantOrder(holder, 4));
  }

  @Test
  @DisplayName("priority pool: a higher-priority newcomer that fits overtakes a blocked head; an equal one does not")
  void priorityOvertakes() {
    Rig rig = new Rig(ArbitrationPolicy.priority(), 4);
    long holder = rig.allocate(device("h", 0, 1), 3);
    assertEquals(holder, rig.granted());
    rig.allocate(device("a", 1, 1), 2);
    long urgent = rig.allocate(device("b", 2, 1), 1);
    assertEquals(urgent, rig.granted());
    rig.free(urgent);
    rig.allocate(device("c", 1, 1), 1);
    rig.tx.expectNoMessage();
  }

  @Test
  @DisplayName("round-robin pool: devices take turns, one grant each per round")
  void roundRobin() {
    Rig rig = new Rig(ArbitrationPolicy.roundRobin(), 2);
    long holder = rig.allocate(device("h", 0, 1), 2);
    assertEquals(holder, rig.granted());
    Requester a = device("a", 0, 1);
    long a1 = rig.allocate(a, 2);
    long a2 = rig.allocate(a, 2);
    long a3 = rig.allocate(a, 2);
    long b1 = rig.allocate(device("b", 0, 1), 2);
    long c1 = rig.allocate(device("c", 0, 1), 2);
    assertEquals(List.of(a1, b1, c1, a2, a3), rig.grantOrder(holder, 5));
  }

  @Test
  @DisplayName("weighted-fair pool: weight 3 is granted three registers' worth to weight 1's one while both wait")
  void weightedFair() {
    Rig rig = new Rig(ArbitrationPolicy.weightedFair(), 2);
    long holder = rig.allocate(device("h", 0, 1), 2);
    assertEquals(holder, rig.granted());
    Requester heavy = device("a", 0, 3);
    Requester light = device("b", 0, 1);
    List<Long> a = new ArrayList<>();
    List<Long> b = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      a.add(rig.allocate(heavy, 2));
    }
    for (int i = 0; i < 4; i++) {
      b.add(rig.allocate(light, 2));
    }
    // Start tags: a 0, 2/3, 4/3, 2; b 0, 2, 4, 6 — the older first on a tie.
    assertEquals(
        List.of(a.get(0), b.get(0), a.get(1), a.get(2), a.get(3), b.get(1), b.get(2), b.get(3)),
        rig.grantOrder(holder, 8));
  }

  /** The grant order of a lottery pool seeded {@code seed}, as device names. */
  static List<String> lottery(long seed) {
    Rig rig = new Rig(ArbitrationPolicy.lottery(seed), 2);
    long holder = rig.allocate(device("h", 0, 1), 2);
    assertEquals(holder, rig.granted());
    List<String> byId = new ArrayList<>();
    byId.add("h");
    for (int i = 0; i < 4; i++) {
      for (String name : List.of("a", "b", "c")) {
        rig.allocate(device(name, 0, name.equals("a") ? 4 : 1), 2);
        byId.add(name);
      }
    }
    List<String> order = new ArrayList<>();
    for (long id : rig.grantOrder(holder, 12)) {
      order.add(byId.get((int) id - 1));
    }
    return order;
  }

  @Test
  @DisplayName("lottery pool: one seed gives one grant order, another seed another")
  void lotteryIsReproducible() {
    List<String> first = lottery(99);
    assertEquals(first, lottery(99));
    assertNotEquals(first, lottery(100));
    assertEquals(4, first.stream().filter("a"::equals).count());
  }

  @Test
  @DisplayName("priority lock: the adapter lock hands over by priority too")
  void priorityLock() {
    String id = "lock-policy-" + IDS.incrementAndGet();
    ActorRef<AdapterLockMessage> lock = kit.spawn(AdapterLock.create(id, ArbitrationPolicy.priority(), DmaObserver.NONE), id);
    TestProbe<AdapterReply> tx = kit.createTestProbe();
    lock.tell(new AcquireAdapter(1, false, device("h", 0, 1), tx.getRef()));
    tx.expectMessage(new AdapterGranted(id, 1));
    lock.tell(new AcquireAdapter(2, false, device("a", 1, 1), tx.getRef()));
    lock.tell(new AcquireAdapter(3, false, device("b", 5, 1), tx.getRef()));
    tx.expectNoMessage();
    lock.tell(new ReleaseAdapter(1, tx.getRef()));
    tx.expectMessage(new AdapterGranted(id, 3));
    lock.tell(new ReleaseAdapter(3, tx.getRef()));
    tx.expectMessage(new AdapterGranted(id, 2));
  }
}
