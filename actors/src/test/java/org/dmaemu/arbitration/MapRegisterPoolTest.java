package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.CancelMapRegisterRequest;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.GetMapRegisterState;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegisterRequestCancelled;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersNotHeld;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersUnavailable;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The map-register pool of reference §4 and §5: all-or-nothing grants, FIFO waiters, frees, deaths. */
class MapRegisterPoolTest {
  /** FIFO looks at arrival order only: every request here comes from the same kind of device. */
  static final Requester DEVICE = Requester.ofDevice("dev-1");

  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MapRegisterPoolTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** A pool for one test; the adapter id doubles as the actor name, so it must be unique. */
  static ActorRef<MapRegisterMessage> pool(String adapterId, int total) {
    return kit.spawn(MapRegisterPool.create(adapterId, total, ArbitrationPolicy.fifo(), DmaObserver.NONE), adapterId);
  }

  static TestProbe<MapRegisterReply> transaction(String name) {
    return kit.createTestProbe(name);
  }

  static void allocate(ActorRef<MapRegisterMessage> pool, TestProbe<MapRegisterReply> requester, long id, int count) {
    pool.tell(new AllocateMapRegisters(id, count, false, false, DEVICE, requester.ref()));
  }

  static void allocateImmediate(
      ActorRef<MapRegisterMessage> pool, TestProbe<MapRegisterReply> requester, long id, int count) {
    pool.tell(new AllocateMapRegisters(id, count, true, false, DEVICE, requester.ref()));
  }

  static void reserve(ActorRef<MapRegisterMessage> pool, TestProbe<MapRegisterReply> requester, long id, int count) {
    pool.tell(new AllocateMapRegisters(id, count, false, true, DEVICE, requester.ref()));
  }

  static void free(ActorRef<MapRegisterMessage> pool, TestProbe<MapRegisterReply> holder, long id) {
    pool.tell(new FreeMapRegisters(id, holder.ref()));
  }

  /** The pool's state, checked for free + held = total whatever else the test expects. */
  static MapRegisterSnapshot state(ActorRef<MapRegisterMessage> pool) {
    TestProbe<MapRegisterSnapshot> probe = kit.createTestProbe();
    pool.tell(new GetMapRegisterState(probe.ref()));
    MapRegisterSnapshot snapshot = probe.receiveMessage();
    assertEquals(snapshot.total(), snapshot.free() + snapshot.held(), () -> "free + held = total: " + snapshot);
    return snapshot;
  }

  @Test
  @DisplayName("§4.5 all or nothing: a request that does not fit waits whole, then gets all it asked for")
  void allOrNothing() {
    String adapter = "pool-all-or-nothing";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");

    allocate(pool, a, 1, 5);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 5, 0));
    allocate(pool, b, 2, 4);
    b.expectNoMessage();
    assertEquals(new MapRegisterSnapshot(adapter, 8, 3, 5, 0, 1, 1, 0, 0), state(pool));

    free(pool, a, 1);
    b.expectMessage(new MapRegistersGranted(adapter, 2, 4, 0));
    assertEquals(new MapRegisterSnapshot(adapter, 8, 4, 4, 0, 0, 2, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§4.5 FIFO head-of-line blocking: the head needs 4 of 3 free, a later request for 1 is not granted before it")
  void headOfLineBlocking() {
    String adapter = "pool-hol";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> big = transaction("big");
    TestProbe<MapRegisterReply> small = transaction("small");

    allocate(pool, a, 1, 5);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 5, 0));
    allocate(pool, big, 2, 4);
    allocate(pool, small, 3, 1);
    assertEquals(new MapRegisterSnapshot(adapter, 8, 3, 5, 0, 2, 1, 0, 0), state(pool));
    small.expectNoMessage();
    big.expectNoMessage();

    free(pool, a, 1);
    big.expectMessage(new MapRegistersGranted(adapter, 2, 4, 0));
    small.expectMessage(new MapRegistersGranted(adapter, 3, 1, 4));
    assertEquals(new MapRegisterSnapshot(adapter, 8, 3, 5, 0, 0, 3, 0, 0), state(pool));
  }

  @ParameterizedTest(name = "§4.5 more registers requested than the adapter has ({0} of 4): STATUS_INSUFFICIENT_RESOURCES at once")
  @ValueSource(ints = {5, 1000, 0, -1})
  void moreThanTotal(int count) {
    String adapter = "pool-too-many-" + (count < 0 ? "minus" + -count : count);
    ActorRef<MapRegisterMessage> pool = pool(adapter, 4);
    TestProbe<MapRegisterReply> a = transaction("a");

    allocate(pool, a, 1, count);
    a.expectMessage(new MapRegistersUnavailable(adapter, 1, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    assertEquals(new MapRegisterSnapshot(adapter, 4, 4, 0, 0, 0, 0, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§4.5 immediate execution with not enough free is refused with STATUS_INSUFFICIENT_RESOURCES, never queued")
  void immediateNotEnough() {
    String adapter = "pool-immediate";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");

    allocateImmediate(pool, a, 1, 6);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 6, 0));
    allocateImmediate(pool, b, 2, 3);
    b.expectMessage(new MapRegistersUnavailable(adapter, 2, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    assertEquals(0, state(pool).waiting());

    free(pool, a, 1);
    b.expectNoMessage();
    assertEquals(8, state(pool).free());
  }

  @Test
  @DisplayName("§4.5 immediate execution does not overtake a FIFO queue, even when enough is free")
  void immediateBehindBlockedHead() {
    String adapter = "pool-immediate-behind";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> big = transaction("big");
    TestProbe<MapRegisterReply> c = transaction("c");

    allocate(pool, a, 1, 5);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 5, 0));
    allocate(pool, big, 2, 4);
    allocateImmediate(pool, c, 3, 2);
    c.expectMessage(new MapRegistersUnavailable(adapter, 3, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    assertEquals(1, state(pool).waiting());
  }

  @Test
  @DisplayName("§4.5 out of contiguous map registers: enough free in total but no run long enough counts as not enough")
  void contiguous() {
    String adapter = "pool-contiguous";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 6);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");
    TestProbe<MapRegisterReply> c = transaction("c");
    TestProbe<MapRegisterReply> d = transaction("d");

    allocate(pool, a, 1, 2);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 2, 0));
    allocate(pool, b, 2, 2);
    b.expectMessage(new MapRegistersGranted(adapter, 2, 2, 2));
    allocate(pool, c, 3, 2);
    c.expectMessage(new MapRegistersGranted(adapter, 3, 2, 4));
    free(pool, a, 1);
    free(pool, c, 3);
    assertEquals(4, state(pool).free(), "registers 0-1 and 4-5 are free");

    allocateImmediate(pool, d, 4, 3);
    d.expectMessage(new MapRegistersUnavailable(adapter, 4, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    allocate(pool, d, 5, 3);
    d.expectNoMessage();
    free(pool, b, 2);
    d.expectMessage(new MapRegistersGranted(adapter, 5, 3, 0));
    allocate(pool, a, 6, 3);
    a.expectMessage(new MapRegistersGranted(adapter, 6, 3, 3));
    assertEquals(new MapRegisterSnapshot(adapter, 6, 0, 6, 0, 0, 5, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§5 FreeResources: what is freed goes to the waiters, in order")
  void freeServesWaiters() {
    String adapter = "pool-free-serves";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 4);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");
    TestProbe<MapRegisterReply> c = transaction("c");

    allocate(pool, a, 1, 4);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 4, 0));
    allocate(pool, b, 2, 2);
    allocate(pool, c, 3, 2);
    free(pool, a, 1);
    b.expectMessage(new MapRegistersGranted(adapter, 2, 2, 0));
    c.expectMessage(new MapRegistersGranted(adapter, 3, 2, 2));
    assertEquals(new MapRegisterSnapshot(adapter, 4, 0, 4, 0, 0, 3, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§8.4 (0xE6/0x05) double free, or a free of what was never granted: MapRegistersNotHeld, counted")
  void doubleFree() {
    String adapter = "pool-double-free";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 4);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");

    allocate(pool, a, 1, 2);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 2, 0));
    free(pool, a, 1);
    free(pool, a, 1);
    a.expectMessage(new MapRegistersNotHeld(adapter, 1));
    assertEquals(new MapRegisterSnapshot(adapter, 4, 4, 0, 0, 0, 1, 0, 1), state(pool));

    allocate(pool, a, 2, 4);
    a.expectMessage(new MapRegistersGranted(adapter, 2, 4, 0));
    allocate(pool, b, 3, 1);
    free(pool, b, 3); // waiting, not held
    b.expectMessage(new MapRegistersNotHeld(adapter, 3));
    free(pool, b, 42); // never asked for
    b.expectMessage(new MapRegistersNotHeld(adapter, 42));
    assertEquals(new MapRegisterSnapshot(adapter, 4, 0, 4, 0, 1, 2, 0, 3), state(pool));
  }

  @Test
  @DisplayName("§5 reservation grants are held like any grant and counted in reserved until freed")
  void reservations() {
    String adapter = "pool-reserved";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");
    TestProbe<MapRegisterReply> c = transaction("c");

    reserve(pool, a, 1, 3);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 3, 0));
    allocate(pool, b, 2, 2);
    b.expectMessage(new MapRegistersGranted(adapter, 2, 2, 3));
    reserve(pool, c, 3, 4);
    assertEquals(new MapRegisterSnapshot(adapter, 8, 3, 5, 3, 1, 2, 0, 0), state(pool));

    free(pool, b, 2);
    c.expectMessage(new MapRegistersGranted(adapter, 3, 4, 3));
    assertEquals(new MapRegisterSnapshot(adapter, 8, 1, 7, 7, 0, 3, 0, 0), state(pool));
    free(pool, a, 1);
    assertEquals(new MapRegisterSnapshot(adapter, 8, 4, 4, 4, 0, 3, 0, 0), state(pool));
    free(pool, c, 3);
    assertEquals(new MapRegisterSnapshot(adapter, 8, 8, 0, 0, 0, 3, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§6.1 cancel: a waiting request is withdrawn (true) and no longer blocks; a held or unknown one is not (false)")
  void cancel() {
    String adapter = "pool-cancel";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> big = transaction("big");
    TestProbe<MapRegisterReply> small = transaction("small");

    allocate(pool, a, 1, 5);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 5, 0));
    allocate(pool, big, 2, 4);
    allocate(pool, small, 3, 1);
    small.expectNoMessage();

    pool.tell(new CancelMapRegisterRequest(1, a.ref()));
    a.expectMessage(new MapRegisterRequestCancelled(adapter, 1, false));
    pool.tell(new CancelMapRegisterRequest(77, a.ref()));
    a.expectMessage(new MapRegisterRequestCancelled(adapter, 77, false));
    pool.tell(new CancelMapRegisterRequest(2, big.ref()));
    big.expectMessage(new MapRegisterRequestCancelled(adapter, 2, true));
    small.expectMessage(new MapRegistersGranted(adapter, 3, 1, 5));
    pool.tell(new CancelMapRegisterRequest(3, small.ref()));
    small.expectMessage(new MapRegisterRequestCancelled(adapter, 3, false));
    assertEquals(new MapRegisterSnapshot(adapter, 8, 2, 6, 0, 0, 2, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§4.3 a holder that dies has all its registers reclaimed and counted as leaked; the waiter is served")
  void holderDeath() {
    String adapter = "pool-holder-death";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");

    allocate(pool, a, 1, 3);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 3, 0));
    reserve(pool, a, 2, 2);
    a.expectMessage(new MapRegistersGranted(adapter, 2, 2, 3));
    allocate(pool, a, 3, 8); // waiting, dropped with it
    allocate(pool, b, 4, 6);
    assertEquals(new MapRegisterSnapshot(adapter, 8, 3, 5, 2, 2, 2, 0, 0), state(pool));

    LoggingTestKit.warn("died holding 5 map registers in 2 grants")
        .withMessageContains(a.ref().path().toString())
        .expect(kit.system(), () -> {
          a.stop();
          b.expectMessage(new MapRegistersGranted(adapter, 4, 6, 0));
          return null;
        });
    assertEquals(new MapRegisterSnapshot(adapter, 8, 2, 6, 0, 0, 3, 5, 0), state(pool));
  }

  @Test
  @DisplayName("§4.3 a waiter that dies is dropped, and no longer blocks the queue")
  void waiterDeath() {
    String adapter = "pool-waiter-death";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 8);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> big = transaction("big");
    TestProbe<MapRegisterReply> small = transaction("small");

    allocate(pool, a, 1, 5);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 5, 0));
    allocate(pool, big, 2, 4);
    allocate(pool, small, 3, 2);
    small.expectNoMessage();

    big.stop();
    small.expectMessage(new MapRegistersGranted(adapter, 3, 2, 5));
    assertEquals(new MapRegisterSnapshot(adapter, 8, 1, 7, 0, 0, 2, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§4 free + held = total at every step of a scripted sequence")
  void scriptedSequence() {
    String adapter = "pool-script";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 16);
    TestProbe<MapRegisterReply> a = transaction("a");
    TestProbe<MapRegisterReply> b = transaction("b");
    TestProbe<MapRegisterReply> c = transaction("c");
    TestProbe<MapRegisterReply> d = transaction("d");

    assertEquals(new MapRegisterSnapshot(adapter, 16, 16, 0, 0, 0, 0, 0, 0), state(pool));
    allocate(pool, a, 1, 4);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 4, 0));
    assertEquals(new MapRegisterSnapshot(adapter, 16, 12, 4, 0, 0, 1, 0, 0), state(pool));
    reserve(pool, b, 2, 8);
    b.expectMessage(new MapRegistersGranted(adapter, 2, 8, 4));
    assertEquals(new MapRegisterSnapshot(adapter, 16, 4, 12, 8, 0, 2, 0, 0), state(pool));
    allocate(pool, c, 3, 6);
    assertEquals(new MapRegisterSnapshot(adapter, 16, 4, 12, 8, 1, 2, 0, 0), state(pool));
    allocate(pool, d, 4, 3);
    assertEquals(new MapRegisterSnapshot(adapter, 16, 4, 12, 8, 2, 2, 0, 0), state(pool));
    free(pool, a, 1);
    c.expectNoMessage(); // 8 free but in runs of 4 and 4
    assertEquals(new MapRegisterSnapshot(adapter, 16, 8, 8, 8, 2, 2, 0, 0), state(pool));
    b.stop();
    c.expectMessage(new MapRegistersGranted(adapter, 3, 6, 0));
    d.expectMessage(new MapRegistersGranted(adapter, 4, 3, 6));
    assertEquals(new MapRegisterSnapshot(adapter, 16, 7, 9, 0, 0, 4, 8, 0), state(pool));
    free(pool, c, 3);
    assertEquals(new MapRegisterSnapshot(adapter, 16, 13, 3, 0, 0, 4, 8, 0), state(pool));
    free(pool, c, 3);
    c.expectMessage(new MapRegistersNotHeld(adapter, 3));
    assertEquals(new MapRegisterSnapshot(adapter, 16, 13, 3, 0, 0, 4, 8, 1), state(pool));
    free(pool, d, 4);
    assertEquals(new MapRegisterSnapshot(adapter, 16, 16, 0, 0, 0, 4, 8, 1), state(pool));
  }

  @Test
  @DisplayName("a request id reused while the first is known is refused with STATUS_INVALID_PARAMETER")
  void duplicateRequestId() {
    String adapter = "pool-duplicate";
    ActorRef<MapRegisterMessage> pool = pool(adapter, 4);
    TestProbe<MapRegisterReply> a = transaction("a");

    allocate(pool, a, 1, 1);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 1, 0));
    allocate(pool, a, 1, 1);
    a.expectMessage(new MapRegistersUnavailable(adapter, 1, NtStatus.STATUS_INVALID_PARAMETER));
    assertEquals(new MapRegisterSnapshot(adapter, 4, 3, 1, 0, 0, 1, 0, 0), state(pool));
  }

  @Test
  @DisplayName("§4.1 an adapter has at least one map register")
  void emptyPoolRejected() {
    assertThrows(IllegalArgumentException.class, () -> MapRegisterPool.create("pool-empty", 0, ArbitrationPolicy.fifo(), DmaObserver.NONE));
  }

  @Test
  @DisplayName("§5 retired with its enabler: the frees sent before (the device's last FreeResources) are handled and"
      + " reported, then the pool stops")
  void retireHandlesEarlierFrees() {
    String adapter = "pool-retire";
    org.dmaemu.testing.RecordingObserver reports = new org.dmaemu.testing.RecordingObserver();
    ActorRef<MapRegisterMessage> pool =
        kit.spawn(MapRegisterPool.create(adapter, 16, ArbitrationPolicy.fifo(), reports), adapter);
    TestProbe<MapRegisterReply> a = transaction("retire-a");
    TestProbe<MapRegisterReply> b = transaction("retire-b");
    reserve(pool, a, 1, 8);
    a.expectMessage(new MapRegistersGranted(adapter, 1, 8, 0));
    reserve(pool, b, 2, 8);
    b.expectMessage(new MapRegistersGranted(adapter, 2, 8, 8));
    // As the device's cleanup does: both FreeResources, then at once the enabler goes.
    free(pool, a, 1);
    free(pool, b, 2);
    pool.tell(MapRegisterMessage.Retire.INSTANCE);
    a.expectTerminated(pool);
    java.util.List<String> changes = reports.values("mapRegistersChanged", adapter);
    assertEquals("0/16 0", changes.get(changes.size() - 1), changes.toString());
    assertEquals(0, reports.values("mapRegistersLeaked", adapter).size(), "nothing reclaimed as leaked");
  }
}
