package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.util.List;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.CancelAdapterRequest;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterRequestCancelled;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.CancelMapRegisterRequest;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegisterRequestCancelled;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.testing.RecordingObserver;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the arbiters tell the observer for utilization and queue depth over time: a report on every
 * grant, release, enqueue and withdrawal (death included), stamped with modeled time.
 */
class ArbiterReportsTest {
  private static final Requester DEVICE = Requester.ofDevice("dev-1");
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ArbiterReportsTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @Test
  @DisplayName("map-register pool: in use / capacity / waiting after every grant, enqueue, cancel, free and holder death")
  void poolReports() {
    RecordingObserver observer = new RecordingObserver();
    String id = "reports-pool";
    ActorRef<MapRegisterMessage> pool = kit.spawn(MapRegisterPool.create(id, 4, ArbitrationPolicy.fifo(), observer), id);
    TestProbe<MapRegisterReply> a = kit.createTestProbe();
    TestProbe<MapRegisterReply> b = kit.createTestProbe();

    pool.tell(new AllocateMapRegisters(1, 2, false, false, DEVICE, a.getRef()));
    a.expectMessage(new MapRegistersGranted(id, 1, 2, 0));
    pool.tell(new AllocateMapRegisters(2, 3, false, false, DEVICE, b.getRef()));
    pool.tell(new CancelMapRegisterRequest(2, b.getRef()));
    b.expectMessage(new MapRegisterRequestCancelled(id, 2, true));
    pool.tell(new AllocateMapRegisters(3, 3, false, false, DEVICE, b.getRef()));
    pool.tell(new FreeMapRegisters(1, a.getRef()));
    b.expectMessage(new MapRegistersGranted(id, 3, 3, 0));
    b.stop();

    List<String> expected =
        List.of(
            "2/4 0", // granted
            "2/4 1", // queued
            "2/4 0", // cancelled
            "2/4 1", // queued
            "0/4 1", // freed
            "3/4 0", // granted to the waiter
            "0/4 0"); // holder died: reclaimed
    a.awaitAssert(() -> {
      assertEquals(expected, observer.values("mapRegistersChanged", id));
      return null;
    });
    assertNonDecreasing(observer.times("mapRegistersChanged", id));
  }

  @Test
  @DisplayName("adapter lock: held / waiting after every grant, enqueue, cancel, release and waiter death")
  void lockReports() {
    RecordingObserver observer = new RecordingObserver();
    String id = "reports-lock";
    ActorRef<AdapterLockMessage> lock = kit.spawn(AdapterLock.create(id, ArbitrationPolicy.fifo(), observer), id);
    TestProbe<AdapterReply> a = kit.createTestProbe();
    TestProbe<AdapterReply> b = kit.createTestProbe();
    TestProbe<AdapterReply> c = kit.createTestProbe();
    TestProbe<AdapterReply> d = kit.createTestProbe();

    lock.tell(new AcquireAdapter(1, false, DEVICE, a.getRef()));
    a.expectMessage(new AdapterGranted(id, 1));
    lock.tell(new AcquireAdapter(2, false, DEVICE, b.getRef()));
    lock.tell(new AcquireAdapter(3, false, DEVICE, c.getRef()));
    lock.tell(new CancelAdapterRequest(3, c.getRef()));
    c.expectMessage(new AdapterRequestCancelled(id, 3, true));
    lock.tell(new AcquireAdapter(4, false, DEVICE, d.getRef()));
    lock.tell(new ReleaseAdapter(1, a.getRef()));
    b.expectMessage(new AdapterGranted(id, 2));
    d.stop();

    List<String> expected =
        List.of(
            "held 0", // granted
            "held 1", // queued
            "held 2", // queued
            "held 1", // cancelled
            "held 2", // queued
            "free 2", // released
            "held 1", // handed to the next waiter
            "held 0"); // a waiter died
    a.awaitAssert(() -> {
      assertEquals(expected, observer.values("adapterLockChanged", id));
      return null;
    });
    assertNonDecreasing(observer.times("adapterLockChanged", id));
  }

  static void assertNonDecreasing(List<Long> times) {
    for (int i = 1; i < times.size(); i++) {
      assertTrue(times.get(i) >= times.get(i - 1), "modeled time runs forward: " + times);
    }
    assertTrue(times.get(0) >= 0, "stamped with the node clock: " + times);
  }
}
