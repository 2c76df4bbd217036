package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.CancelAdapterRequest;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.GetAdapterLockState;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterRequestCancelled;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterUnavailable;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The adapter "lock" of reference §4.3: one holder, FIFO waiters, immediate refusal, cancel, death. */
class AdapterLockTest {
  /** FIFO looks at arrival order only: every request here comes from the same kind of device. */
  static final Requester DEVICE = Requester.ofDevice("dev-1");

  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("AdapterLockTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** A lock for one test; the adapter id doubles as the actor name, so it must be unique. */
  static ActorRef<AdapterLockMessage> lock(String adapterId) {
    return kit.spawn(AdapterLock.create(adapterId, ArbitrationPolicy.fifo(), DmaObserver.NONE), adapterId);
  }

  static TestProbe<AdapterReply> transaction(String name) {
    return kit.createTestProbe(name);
  }

  static void acquire(ActorRef<AdapterLockMessage> lock, TestProbe<AdapterReply> requester, long id) {
    lock.tell(new AcquireAdapter(id, false, DEVICE, requester.ref()));
  }

  static void release(ActorRef<AdapterLockMessage> lock, TestProbe<AdapterReply> holder, long id) {
    lock.tell(new ReleaseAdapter(id, holder.ref()));
  }

  static AdapterLockSnapshot state(ActorRef<AdapterLockMessage> lock) {
    TestProbe<AdapterLockSnapshot> probe = kit.createTestProbe();
    lock.tell(new GetAdapterLockState(probe.ref()));
    return probe.receiveMessage();
  }

  static String described(TestProbe<AdapterReply> requester, long id) {
    return requester.ref().path() + " request " + id;
  }

  @Test
  @DisplayName("§4.3 one adapter holder at a time; waiters granted in FIFO order")
  void oneHolderFifoWaiters() {
    String adapter = "lock-fifo";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");
    TestProbe<AdapterReply> c = transaction("c");
    TestProbe<AdapterReply> d = transaction("d");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, b, 2);
    acquire(lock, c, 3);
    acquire(lock, d, 4);
    assertEquals(new AdapterLockSnapshot(adapter, described(a, 1), 3, 1, 0), state(lock));
    b.expectNoMessage();
    c.expectNoMessage();
    d.expectNoMessage();

    release(lock, a, 1);
    b.expectMessage(new AdapterGranted(adapter, 2));
    c.expectNoMessage();
    release(lock, b, 2);
    c.expectMessage(new AdapterGranted(adapter, 3));
    d.expectNoMessage();
    release(lock, c, 3);
    d.expectMessage(new AdapterGranted(adapter, 4));
    assertEquals(new AdapterLockSnapshot(adapter, described(d, 4), 0, 4, 0), state(lock));
    release(lock, d, 4);
    assertEquals(new AdapterLockSnapshot(adapter, null, 0, 4, 0), state(lock));
  }

  @Test
  @DisplayName("§4.5 immediate execution: a busy adapter refuses with STATUS_INSUFFICIENT_RESOURCES, a free one grants")
  void immediateRefusedWhenBusy() {
    String adapter = "lock-immediate";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");

    lock.tell(new AcquireAdapter(1, true, DEVICE, a.ref()));
    a.expectMessage(new AdapterGranted(adapter, 1));
    lock.tell(new AcquireAdapter(2, true, DEVICE, b.ref()));
    b.expectMessage(new AdapterUnavailable(adapter, 2, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    assertEquals(0, state(lock).waiting(), "an immediate request never queues");

    release(lock, a, 1);
    b.expectNoMessage();
    assertNull(state(lock).holder());
  }

  @Test
  @DisplayName("§6.1 CancelAdapterChannel: a waiting request is withdrawn (true); the holder's or an unknown one is not (false)")
  void cancel() {
    String adapter = "lock-cancel";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");
    TestProbe<AdapterReply> c = transaction("c");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, b, 2);
    acquire(lock, c, 3);

    lock.tell(new CancelAdapterRequest(2, b.ref()));
    b.expectMessage(new AdapterRequestCancelled(adapter, 2, true));
    lock.tell(new CancelAdapterRequest(2, b.ref()));
    b.expectMessage(new AdapterRequestCancelled(adapter, 2, false));
    lock.tell(new CancelAdapterRequest(1, a.ref()));
    a.expectMessage(new AdapterRequestCancelled(adapter, 1, false));
    lock.tell(new CancelAdapterRequest(99, c.ref()));
    c.expectMessage(new AdapterRequestCancelled(adapter, 99, false));
    assertEquals(new AdapterLockSnapshot(adapter, described(a, 1), 1, 1, 0), state(lock));

    release(lock, a, 1);
    c.expectMessage(new AdapterGranted(adapter, 3));
    b.expectNoMessage();
  }

  @Test
  @DisplayName("§4.3 a holder that dies has the lock taken back (reclaimed) and the next waiter is granted")
  void holderDeath() {
    String adapter = "lock-holder-death";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, b, 2);
    assertEquals(1, state(lock).waiting());

    LoggingTestKit.warn("died holding the adapter")
        .withMessageContains(described(a, 1))
        .expect(kit.system(), () -> {
          a.stop();
          b.expectMessage(new AdapterGranted(adapter, 2));
          return null;
        });
    assertEquals(new AdapterLockSnapshot(adapter, described(b, 2), 0, 2, 1), state(lock));
  }

  @Test
  @DisplayName("§4.3 a waiter that dies loses its place; the one behind it is granted next")
  void waiterDeath() {
    String adapter = "lock-waiter-death";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");
    TestProbe<AdapterReply> c = transaction("c");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, b, 2);
    acquire(lock, c, 3);
    assertEquals(2, state(lock).waiting());

    b.stop();
    a.awaitAssert(() -> {
      assertEquals(1, state(lock).waiting());
      return null;
    });
    release(lock, a, 1);
    c.expectMessage(new AdapterGranted(adapter, 3));
    assertEquals(new AdapterLockSnapshot(adapter, described(c, 3), 0, 2, 0), state(lock));
  }

  @Test
  @DisplayName("§4.3 a requester that holds and waits at once is watched once; its death drops both")
  void oneRequesterSeveralRequests() {
    String adapter = "lock-several";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, a, 2);
    acquire(lock, b, 3);
    release(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 2));
    acquire(lock, a, 4);
    assertEquals(new AdapterLockSnapshot(adapter, described(a, 2), 2, 2, 0), state(lock));

    a.stop();
    b.expectMessage(new AdapterGranted(adapter, 3));
    assertEquals(new AdapterLockSnapshot(adapter, described(b, 3), 0, 3, 1), state(lock));
  }

  @Test
  @DisplayName("§8.4 (0xE6/0x04) a release by anyone but the holder is logged and ignored; the lock stays held")
  void releaseByNonHolder() {
    String adapter = "lock-foreign-release";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");
    TestProbe<AdapterReply> b = transaction("b");
    TestProbe<AdapterReply> stranger = transaction("stranger");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, b, 2);

    LoggingTestKit.warn("which does not hold it")
        .withOccurrences(3)
        .expect(kit.system(), () -> {
          release(lock, b, 2); // a waiter
          release(lock, stranger, 1); // the holder's request id, another requester
          release(lock, a, 7); // the holder, another request id
          return null;
        });
    assertEquals(new AdapterLockSnapshot(adapter, described(a, 1), 1, 1, 0), state(lock));
    b.expectNoMessage();

    release(lock, a, 1);
    b.expectMessage(new AdapterGranted(adapter, 2));
  }

  @Test
  @DisplayName("a request id reused while the first is known is refused with STATUS_INVALID_PARAMETER")
  void duplicateRequestId() {
    String adapter = "lock-duplicate";
    ActorRef<AdapterLockMessage> lock = lock(adapter);
    TestProbe<AdapterReply> a = transaction("a");

    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(adapter, 1));
    acquire(lock, a, 1);
    a.expectMessage(new AdapterUnavailable(adapter, 1, NtStatus.STATUS_INVALID_PARAMETER));
    assertEquals(new AdapterLockSnapshot(adapter, described(a, 1), 0, 1, 0), state(lock));
  }
}
