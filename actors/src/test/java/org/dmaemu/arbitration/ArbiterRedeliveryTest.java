package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterGrantReceived;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegistersGrantReceived;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §10, the grants path at the arbiter: a grant (reference §4.3 the lock, §4.5 the map
 * registers) to a requester that acknowledges grants is sent again every redelivery timeout until
 * it is acknowledged or ends; a grant to any other requester is sent once, as before.
 */
class ArbiterRedeliveryTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  /** Long enough that the test thread answers well before the next copy is due. */
  private static final Duration REDELIVERY = Duration.ofMillis(300);
  private static final Duration QUIET = REDELIVERY.multipliedBy(3);
  private static final ArbiterRecovery RECOVERY = new ArbiterRecovery(REDELIVERY, Duration.ofSeconds(1));
  private static final Requester DEVICE = Requester.ofDevice("dev-r");
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ArbiterRedeliveryTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static ActorRef<AdapterLockMessage> lock(String id) {
    return kit.spawn(AdapterLock.create(id, ArbitrationPolicy.fifo(), DmaObserver.NONE, TraceSink.NONE, RECOVERY), id);
  }

  static ActorRef<MapRegisterMessage> pool(String id) {
    return kit.spawn(
        MapRegisterPool.create(id, 8, ArbitrationPolicy.fifo(), DmaObserver.NONE, TraceSink.NONE, RECOVERY), id);
  }

  @Test
  @DisplayName("§4.3 an unacknowledged lock grant is sent again until acknowledged, then no more")
  void lockGrantSentUntilAcknowledged() {
    String id = "redeliver-lock-" + IDS.incrementAndGet();
    ActorRef<AdapterLockMessage> lock = lock(id);
    TestProbe<AdapterReply> a = kit.createTestProbe();
    lock.tell(new AcquireAdapter(1, false, DEVICE, a.getRef(), true));
    a.expectMessage(new AdapterGranted(id, 1));
    a.expectMessage(new AdapterGranted(id, 1));
    lock.tell(new AdapterGrantReceived(1, a.getRef()));
    a.expectNoMessage(QUIET);
  }

  @Test
  @DisplayName("§4.3 a released lock grant is not sent again, even unacknowledged; the next holder's is")
  void releasedGrantNotSentAgain() {
    String id = "redeliver-release-" + IDS.incrementAndGet();
    ActorRef<AdapterLockMessage> lock = lock(id);
    TestProbe<AdapterReply> a = kit.createTestProbe();
    TestProbe<AdapterReply> b = kit.createTestProbe();
    lock.tell(new AcquireAdapter(1, false, DEVICE, a.getRef(), true));
    lock.tell(new AcquireAdapter(2, false, DEVICE, b.getRef(), true));
    a.expectMessage(new AdapterGranted(id, 1));
    lock.tell(new ReleaseAdapter(1, a.getRef()));
    b.expectMessage(new AdapterGranted(id, 2));
    b.expectMessage(new AdapterGranted(id, 2));
    lock.tell(new AdapterGrantReceived(2, b.getRef()));
    a.expectNoMessage(QUIET);
    b.expectNoMessage(Duration.ofMillis(10));
  }

  @Test
  @DisplayName("§4.5 an unacknowledged register grant is sent again with the same base; a free ends it")
  void registerGrantSentUntilFreed() {
    String id = "redeliver-pool-" + IDS.incrementAndGet();
    ActorRef<MapRegisterMessage> pool = pool(id);
    TestProbe<MapRegisterReply> a = kit.createTestProbe();
    TestProbe<MapRegisterReply> b = kit.createTestProbe();
    pool.tell(new AllocateMapRegisters(1, 3, false, false, DEVICE, a.getRef(), true));
    a.expectMessage(new MapRegistersGranted(id, 1, 3, 0));
    pool.tell(new AllocateMapRegisters(2, 2, false, false, DEVICE, b.getRef(), true));
    b.expectMessage(new MapRegistersGranted(id, 2, 2, 3));
    pool.tell(new MapRegistersGrantReceived(2, b.getRef()));
    a.expectMessage(new MapRegistersGranted(id, 1, 3, 0));
    pool.tell(new FreeMapRegisters(1, a.getRef()));
    a.expectNoMessage(QUIET);
    b.expectNoMessage(Duration.ofMillis(10));
  }

  @Test
  @DisplayName("§4.3, §4.5 a requester that does not acknowledge gets each grant once, as without faults")
  void grantSentOnceWithoutAcknowledgement() {
    String id = "redeliver-none-" + IDS.incrementAndGet();
    ActorRef<AdapterLockMessage> lock = lock(id + "-lock");
    ActorRef<MapRegisterMessage> pool = pool(id + "-pool");
    TestProbe<AdapterReply> a = kit.createTestProbe();
    TestProbe<MapRegisterReply> b = kit.createTestProbe();
    lock.tell(new AcquireAdapter(1, false, DEVICE, a.getRef()));
    pool.tell(new AllocateMapRegisters(1, 2, false, false, DEVICE, b.getRef()));
    assertEquals(new AdapterGranted(id + "-lock", 1), a.receiveMessage());
    assertEquals(new MapRegistersGranted(id + "-pool", 1, 2, 0), b.receiveMessage());
    a.expectNoMessage(QUIET);
    b.expectNoMessage(Duration.ofMillis(10));
  }
}
