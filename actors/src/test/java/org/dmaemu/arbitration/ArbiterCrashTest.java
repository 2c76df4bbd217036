package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterHolding;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.LockWait;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterRequestCancelled;
import org.dmaemu.protocol.arbitration.AdapterReply.ReportAdapterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.RegistersHeld;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.RegistersWait;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersUnavailable;
import org.dmaemu.protocol.arbitration.MapRegisterReply.ReportMapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.testing.RecordingObserver;
import org.dmaemu.testing.RecordingTrace;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §10 arbiter crash: an adapter lock or map-register pool that fails is restarted by its
 * supervisor and rebuilds who holds what (reference §4.3, §4.4 the lock; §4.1, §4.5, §5 the
 * registers and reservations) from its requesters' answers. The requesters here are probes that
 * answer the rebuild's questions as a transaction would.
 */
class ArbiterCrashTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  /** Short timeouts, so that the silent-requester cases take a fraction of a second. */
  private static final ArbiterRecovery RECOVERY = new ArbiterRecovery(Duration.ofMillis(100), Duration.ofMillis(400));

  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ArbiterCrashTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static Requester device(String id) {
    return Requester.ofDevice(id);
  }

  // ---- the lock ------------------------------------------------------------------------------

  static String newId(String what) {
    return what + "-" + IDS.incrementAndGet();
  }

  static ActorRef<AdapterLockMessage> lock(String id, RecordingObserver observer, RecordingTrace trace) {
    return kit.spawn(AdapterLock.create(id, ArbitrationPolicy.fifo(), observer, trace, RECOVERY), id);
  }

  static void acquire(ActorRef<AdapterLockMessage> lock, TestProbe<AdapterReply> who, long id) {
    lock.tell(new AcquireAdapter(id, false, device(who.ref().path().name()), who.ref()));
  }

  static ReportAdapterHolding lockQuestion(TestProbe<AdapterReply> who) {
    return who.expectMessageClass(ReportAdapterHolding.class);
  }

  static void answer(TestProbe<AdapterReply> who, ReportAdapterHolding question, List<Long> held, List<LockWait> waiting) {
    question.replyTo().tell(new AdapterHolding(
        question.rebuild(), who.ref(), device(who.ref().path().name()), held, waiting));
  }

  static AdapterLockSnapshot lockState(ActorRef<AdapterLockMessage> lock) {
    TestProbe<AdapterLockSnapshot> probe = kit.createTestProbe();
    lock.tell(new AdapterLockMessage.GetAdapterLockState(probe.ref()));
    return probe.receiveMessage();
  }

  @Test
  @DisplayName("§4.3 lock crash: the holder keeps the lock, waiters and newcomers are served in order, nothing granted twice")
  void lockRebuildKeepsHolderAndOrder() {
    String id = newId("lock-crash");
    RecordingObserver observer = new RecordingObserver();
    RecordingTrace trace = new RecordingTrace();
    ActorRef<AdapterLockMessage> lock = lock(id, observer, trace);
    TestProbe<AdapterReply> a = kit.createTestProbe("a");
    TestProbe<AdapterReply> b = kit.createTestProbe("b");
    TestProbe<AdapterReply> c = kit.createTestProbe("c");
    TestProbe<AdapterReply> d = kit.createTestProbe("d");
    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(id, 1));
    acquire(lock, b, 2);
    acquire(lock, c, 3);
    assertEquals(2, lockState(lock).waiting());

    LoggingTestKit.warn("crashed by fault f-lock").expect(kit.system(), () -> {
      lock.tell(new AdapterLockMessage.Crash("f-lock"));
      return null;
    });
    ReportAdapterHolding qa = lockQuestion(a);
    ReportAdapterHolding qb = lockQuestion(b);
    ReportAdapterHolding qc = lockQuestion(c);
    assertEquals(1, qa.rebuild());
    // A newcomer during the rebuild is queued, not served, though the lock may look free.
    acquire(lock, d, 4);
    // c answers before b, but b asked first: b keeps its place.
    answer(c, qc, List.of(), List.of(new LockWait(13, false, false, 200)));
    answer(a, qa, List.of(1L), List.of());
    b.expectNoMessage(Duration.ofMillis(50));
    answer(b, qb, List.of(), List.of(new LockWait(12, false, false, 100)));

    AdapterLockSnapshot rebuilt = lockState(lock);
    assertTrue(rebuilt.holder().contains(a.ref().path().toString()) && rebuilt.holder().endsWith("request 1"),
        rebuilt.toString());
    assertEquals(3, rebuilt.waiting());
    b.expectNoMessage(Duration.ofMillis(50));

    lock.tell(new ReleaseAdapter(1, a.ref()));
    b.expectMessage(new AdapterGranted(id, 12));
    lock.tell(new ReleaseAdapter(12, b.ref()));
    c.expectMessage(new AdapterGranted(id, 13));
    lock.tell(new ReleaseAdapter(13, c.ref()));
    d.expectMessage(new AdapterGranted(id, 4));
    lock.tell(new ReleaseAdapter(4, d.ref()));
    for (TestProbe<AdapterReply> p : List.of(a, b, c, d)) {
      p.expectNoMessage(Duration.ofMillis(20));
    }
    AdapterLockSnapshot end = lockState(lock);
    assertEquals(null, end.holder());
    assertEquals(0, end.waiting());

    // The crash is an instant, the rebuild a span from it with how long it took, both on the adapter's track.
    List<TraceEvent> events = trace.all().stream().filter(e -> e.track().equals(id)).toList();
    assertEquals(List.of("ArbiterCrash", "ArbiterRebuild"), events.stream().map(TraceEvent::name).toList());
    TraceEvent rebuild = events.get(1);
    assertEquals("f-lock", rebuild.args().get("fault"));
    assertEquals("3", rebuild.args().get("asked"));
    assertEquals("3", rebuild.args().get("answered"));
    assertEquals(Long.toString(rebuild.durMicros()), rebuild.args().get("rebuildMicros"));
    // Each device that held or waited is told of the fault once; d, which came after the crash, is not.
    assertEquals(List.of("c", "a", "b"), observer.values("faultInjected", "f-lock").stream()
        .map(v -> v.substring(0, v.indexOf(' '))).map(v -> v.replaceAll("-\\d+$", "")).toList());
  }

  @Test
  @DisplayName("§4.3: a request sent before its requester answered is in the answer and not applied twice; one sent after is")
  void messagesBeforeTheAnswerAreInTheAnswer() {
    String id = newId("lock-order");
    ActorRef<AdapterLockMessage> lock = lock(id, new RecordingObserver(), new RecordingTrace());
    TestProbe<AdapterReply> a = kit.createTestProbe("a");
    TestProbe<AdapterReply> b = kit.createTestProbe("b");
    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(id, 1));
    acquire(lock, b, 2);

    lock.tell(new AdapterLockMessage.Crash("f-order"));
    ReportAdapterHolding qa = lockQuestion(a);
    ReportAdapterHolding qb = lockQuestion(b);
    // Before answering, a released its lock and b asked again (as a transaction that renames a waiting request).
    lock.tell(new ReleaseAdapter(1, a.ref()));
    acquire(lock, b, 3);
    answer(a, qa, List.of(), List.of());
    answer(b, qb, List.of(), List.of(new LockWait(5, false, false, 10)));
    b.expectMessage(new AdapterGranted(id, 5));
    b.expectNoMessage(Duration.ofMillis(50));
    // After answering, a asks again: a new request, served after b.
    acquire(lock, a, 6);
    a.expectNoMessage(Duration.ofMillis(20));
    lock.tell(new ReleaseAdapter(5, b.ref()));
    a.expectMessage(new AdapterGranted(id, 6));
    // A cancel after the answer withdraws a waiter the rebuild restored.
    TestProbe<AdapterReply> c = kit.createTestProbe("c");
    acquire(lock, c, 7);
    lock.tell(new AdapterLockMessage.CancelAdapterRequest(7, c.ref()));
    c.expectMessage(new AdapterRequestCancelled(id, 7, true));
  }

  @Test
  @DisplayName("§6.1 during the rebuild, a waiter that answered may cancel: withdrawn at once, never granted")
  void cancelDuringRebuild() {
    String id = newId("lock-cancel");
    ActorRef<AdapterLockMessage> lock = lock(id, new RecordingObserver(), new RecordingTrace());
    TestProbe<AdapterReply> a = kit.createTestProbe("a");
    TestProbe<AdapterReply> b = kit.createTestProbe("b");
    TestProbe<AdapterReply> c = kit.createTestProbe("c");
    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(id, 1));
    acquire(lock, b, 2);
    acquire(lock, c, 3);

    lock.tell(new AdapterLockMessage.Crash("f-cancel"));
    ReportAdapterHolding qa = lockQuestion(a);
    ReportAdapterHolding qb = lockQuestion(b);
    ReportAdapterHolding qc = lockQuestion(c);
    answer(b, qb, List.of(), List.of(new LockWait(12, false, false, 10)));
    lock.tell(new AdapterLockMessage.CancelAdapterRequest(12, b.ref()));
    b.expectMessage(new AdapterRequestCancelled(id, 12, true));
    answer(c, qc, List.of(), List.of(new LockWait(13, false, false, 20)));
    answer(a, qa, List.of(), List.of());
    c.expectMessage(new AdapterGranted(id, 13));
    b.expectNoMessage(Duration.ofMillis(50));
    assertEquals(0, lockState(lock).waiting());
  }

  // ---- the pool ------------------------------------------------------------------------------

  static ActorRef<MapRegisterMessage> pool(String id, int total, RecordingObserver observer, RecordingTrace trace) {
    return kit.spawn(MapRegisterPool.create(id, total, ArbitrationPolicy.fifo(), observer, trace, RECOVERY), id);
  }

  static void allocate(ActorRef<MapRegisterMessage> pool, TestProbe<MapRegisterReply> who, long id, int count) {
    pool.tell(new AllocateMapRegisters(id, count, false, false, device(who.ref().path().name()), who.ref()));
  }

  static ReportMapRegisterHolding poolQuestion(TestProbe<MapRegisterReply> who) {
    return who.expectMessageClass(ReportMapRegisterHolding.class);
  }

  static void answer(
      TestProbe<MapRegisterReply> who, ReportMapRegisterHolding question, List<RegistersHeld> held,
      List<RegistersWait> waiting) {
    question.replyTo().tell(new MapRegisterHolding(
        question.rebuild(), who.ref(), device(who.ref().path().name()), held, waiting));
  }

  /** The pool's state, checked for free + held = total whatever else the test expects. */
  static MapRegisterSnapshot poolState(ActorRef<MapRegisterMessage> pool) {
    TestProbe<MapRegisterSnapshot> probe = kit.createTestProbe();
    pool.tell(new MapRegisterMessage.GetMapRegisterState(probe.ref()));
    MapRegisterSnapshot snapshot = probe.receiveMessage();
    assertEquals(snapshot.total(), snapshot.free() + snapshot.held(), () -> "free + held = total: " + snapshot);
    return snapshot;
  }

  @Test
  @DisplayName("§4.5, §5 pool crash: grants come back at their bases, reservations stay reserved, the count is exact, waiters keep their order")
  void poolRebuildKeepsGrantsAndOrder() {
    String id = newId("pool-crash");
    RecordingTrace trace = new RecordingTrace();
    ActorRef<MapRegisterMessage> pool = pool(id, 8, new RecordingObserver(), trace);
    TestProbe<MapRegisterReply> a = kit.createTestProbe("a");
    TestProbe<MapRegisterReply> b = kit.createTestProbe("b");
    TestProbe<MapRegisterReply> c = kit.createTestProbe("c");
    TestProbe<MapRegisterReply> d = kit.createTestProbe("d");
    allocate(pool, a, 1, 5);
    a.expectMessage(new MapRegistersGranted(id, 1, 5, 0));
    pool.tell(new AllocateMapRegisters(2, 2, false, true, device("b"), b.ref()));
    b.expectMessage(new MapRegistersGranted(id, 2, 2, 5));
    allocate(pool, c, 3, 4);
    allocate(pool, d, 4, 1);
    assertEquals(new MapRegisterSnapshot(id, 8, 1, 7, 2, 2, 2, 0, 0), poolState(pool));

    pool.tell(new MapRegisterMessage.Crash("f-pool"));
    ReportMapRegisterHolding qa = poolQuestion(a);
    ReportMapRegisterHolding qb = poolQuestion(b);
    ReportMapRegisterHolding qc = poolQuestion(c);
    ReportMapRegisterHolding qd = poolQuestion(d);
    answer(d, qd, List.of(), List.of(new RegistersWait(14, 1, false, false, false, 40)));
    answer(a, qa, List.of(new RegistersHeld(1, 5, 0, false)), List.of());
    // Nothing is granted while b and c have not answered: one register is free, d must not have it.
    d.expectNoMessage(Duration.ofMillis(50));
    answer(b, qb, List.of(new RegistersHeld(2, 2, 5, true)), List.of());
    answer(c, qc, List.of(), List.of(new RegistersWait(13, 4, false, false, false, 30)));

    // The counters restarted with the pool; what is held, reserved and waiting is as before the crash.
    assertEquals(new MapRegisterSnapshot(id, 8, 1, 7, 2, 2, 0, 0, 0), poolState(pool));
    // FIFO's head of line holds after the rebuild: c (4) first, d (1) behind it although one register is free.
    d.expectNoMessage(Duration.ofMillis(50));
    pool.tell(new FreeMapRegisters(1, a.ref()));
    c.expectMessage(new MapRegistersGranted(id, 13, 4, 0));
    d.expectMessage(new MapRegistersGranted(id, 14, 1, 4));
    assertEquals(new MapRegisterSnapshot(id, 8, 1, 7, 2, 0, 2, 0, 0), poolState(pool));
    // b's reservation is where it was: registers 5 and 6.
    pool.tell(new FreeMapRegisters(2, b.ref()));
    allocate(pool, a, 5, 3);
    a.expectMessage(new MapRegistersGranted(id, 5, 3, 5));
    for (TestProbe<MapRegisterReply> p : List.of(a, b, c, d)) {
      p.expectNoMessage(Duration.ofMillis(20));
    }
    TraceEvent rebuild = trace.all().stream().filter(e -> e.name().equals("ArbiterRebuild")).findFirst().orElseThrow();
    assertEquals(Map.of("held", "7", "reserved", "2", "waiting", "2"),
        Map.of("held", rebuild.args().get("held"), "reserved", rebuild.args().get("reserved"),
            "waiting", rebuild.args().get("waiting")));
  }

  @Test
  @DisplayName("§4.5 a holder that died while the pool was down: nobody claims its registers, so they are free and the waiter is served")
  void deadHolderIsReclaimed() {
    String id = newId("pool-dead-holder");
    ActorRef<MapRegisterMessage> pool = pool(id, 8, new RecordingObserver(), new RecordingTrace());
    TestProbe<MapRegisterReply> a = kit.createTestProbe("a");
    TestProbe<MapRegisterReply> b = kit.createTestProbe("b");
    allocate(pool, a, 1, 6);
    a.expectMessage(new MapRegistersGranted(id, 1, 6, 0));
    allocate(pool, b, 2, 4);

    pool.tell(new MapRegisterMessage.Crash("f-dead"));
    a.stop();
    ReportMapRegisterHolding qb = poolQuestion(b);
    answer(b, qb, List.of(), List.of(new RegistersWait(2, 4, false, false, false, 10)));
    b.expectMessage(new MapRegistersGranted(id, 2, 4, 0));
    MapRegisterSnapshot after = poolState(pool);
    assertEquals(4, after.held(), after.toString());
    assertEquals(0, after.waiting(), after.toString());
  }

  @Test
  @DisplayName("§4.5 a holder that dies after answering: what the rebuild restored for it is reclaimed as leaked")
  void holderDyingAfterItsAnswerIsReclaimed() {
    String id = newId("pool-dies-after");
    ActorRef<MapRegisterMessage> pool = pool(id, 8, new RecordingObserver(), new RecordingTrace());
    TestProbe<MapRegisterReply> a = kit.createTestProbe("a");
    TestProbe<MapRegisterReply> b = kit.createTestProbe("b");
    allocate(pool, a, 1, 6);
    a.expectMessage(new MapRegistersGranted(id, 1, 6, 0));
    allocate(pool, b, 2, 4);

    pool.tell(new MapRegisterMessage.Crash("f-dies"));
    ReportMapRegisterHolding qa = poolQuestion(a);
    ReportMapRegisterHolding qb = poolQuestion(b);
    answer(a, qa, List.of(new RegistersHeld(1, 6, 0, false)), List.of());
    a.stop();
    b.expectNoMessage(Duration.ofMillis(50));
    answer(b, qb, List.of(), List.of(new RegistersWait(2, 4, false, false, false, 10)));
    b.expectMessage(new MapRegistersGranted(id, 2, 4, 0));
    MapRegisterSnapshot after = poolState(pool);
    assertEquals(4, after.held(), after.toString());
    assertEquals(6, after.leakedRegisters(), after.toString());
  }

  @Test
  @DisplayName("§4.5 crash during a rebuild: the second rebuild asks again, answers to the first are ignored, the count is exact;"
      + " the first rebuild ends at the second crash and counts the devices it found involved")
  void crashDuringRebuild() {
    String id = newId("pool-crash-twice");
    RecordingTrace trace = new RecordingTrace();
    RecordingObserver observer = new RecordingObserver();
    ActorRef<MapRegisterMessage> pool = pool(id, 8, observer, trace);
    TestProbe<MapRegisterReply> a = kit.createTestProbe("a");
    TestProbe<MapRegisterReply> b = kit.createTestProbe("b");
    TestProbe<MapRegisterReply> c = kit.createTestProbe("c");
    allocate(pool, a, 1, 3);
    a.expectMessage(new MapRegistersGranted(id, 1, 3, 0));
    allocate(pool, b, 2, 3);
    b.expectMessage(new MapRegistersGranted(id, 2, 3, 3));
    allocate(pool, c, 3, 4);

    pool.tell(new MapRegisterMessage.Crash("f-first"));
    ReportMapRegisterHolding qa1 = poolQuestion(a);
    ReportMapRegisterHolding qb1 = poolQuestion(b);
    ReportMapRegisterHolding qc1 = poolQuestion(c);
    answer(a, qa1, List.of(new RegistersHeld(1, 3, 0, false)), List.of());
    pool.tell(new MapRegisterMessage.Crash("f-second"));
    // b frees between the crashes; its late answer to the first rebuild would still claim the grant.
    pool.tell(new FreeMapRegisters(2, b.ref()));
    answer(b, qb1, List.of(new RegistersHeld(2, 3, 3, false)), List.of());
    answer(c, qc1, List.of(), List.of(new RegistersWait(3, 4, false, false, false, 30)));
    ReportMapRegisterHolding qa2 = poolQuestion(a);
    ReportMapRegisterHolding qb2 = poolQuestion(b);
    ReportMapRegisterHolding qc2 = poolQuestion(c);
    assertEquals(2, qa2.rebuild());
    c.expectNoMessage(Duration.ofMillis(50));
    answer(a, qa2, List.of(new RegistersHeld(1, 3, 0, false)), List.of());
    answer(b, qb2, List.of(), List.of());
    answer(c, qc2, List.of(), List.of(new RegistersWait(23, 4, false, false, false, 30)));
    c.expectMessage(new MapRegistersGranted(id, 23, 4, 3));
    c.expectNoMessage(Duration.ofMillis(50));
    MapRegisterSnapshot after = poolState(pool);
    assertEquals(7, after.held(), after.toString());
    assertEquals(0, after.waiting(), after.toString());
    List<TraceEvent> events = trace.all().stream().filter(e -> e.track().equals(id)).toList();
    assertEquals(List.of("ArbiterCrash", "ArbiterRebuild", "ArbiterCrash", "ArbiterRebuild"),
        events.stream().map(TraceEvent::name).toList());
    assertEquals("f-first", events.get(1).args().get("fault"));
    assertEquals("f-second", events.get(1).args().get("interruptedBy"), events.get(1).toString());
    assertEquals("1", events.get(1).args().get("answered"));
    assertEquals("f-second", events.get(3).args().get("fault"));
    assertEquals(null, events.get(3).args().get("interruptedBy"));
    // Only a had answered the first rebuild; the second found a and c involved (b had freed). One rebuild time: the second's.
    assertEquals(List.of(a.ref().path().name() + " arbiter-crash map registers " + id), observer.values("faultInjected", "f-first"));
    assertEquals(2, observer.values("faultInjected", "f-second").size());
    assertEquals(1, observer.values("arbiterRebuilt", id).size());
  }

  @Test
  @DisplayName("§4.5 a silent requester: after the rebuild timeout it is treated as gone, its registers serve the waiter, its late answer restores nothing")
  void silentRequesterTimesOut() {
    String id = newId("pool-silent");
    RecordingObserver observer = new RecordingObserver();
    ActorRef<MapRegisterMessage> pool = pool(id, 8, observer, new RecordingTrace());
    TestProbe<MapRegisterReply> a = kit.createTestProbe("a");
    TestProbe<MapRegisterReply> b = kit.createTestProbe("b");
    allocate(pool, a, 1, 6);
    a.expectMessage(new MapRegistersGranted(id, 1, 6, 0));
    allocate(pool, b, 2, 4);

    pool.tell(new MapRegisterMessage.Crash("f-silent"));
    ReportMapRegisterHolding qa = poolQuestion(a);
    ReportMapRegisterHolding qb = poolQuestion(b);
    answer(b, qb, List.of(), List.of(new RegistersWait(2, 4, false, false, false, 10)));
    b.expectNoMessage(Duration.ofMillis(200));
    b.expectMessage(Duration.ofSeconds(3), new MapRegistersGranted(id, 2, 4, 0));

    // a answers late, still holding 6 and now asking for 2 more: the 6 are not restored (b has 4 of
    // them), its request is queued as new, and its free of the reclaimed grant is no double free.
    answer(a, qa, List.of(new RegistersHeld(1, 6, 0, false)), List.of(new RegistersWait(7, 2, false, false, false, 50)));
    a.expectMessage(new MapRegistersGranted(id, 7, 2, 4));
    pool.tell(new FreeMapRegisters(1, a.ref()));
    a.expectNoMessage(Duration.ofMillis(50));
    MapRegisterSnapshot after = poolState(pool);
    assertEquals(6, after.held(), after.toString());
    assertEquals(0, after.doubleFrees(), after.toString());
    // Both devices are told of the crash: b waited through it, a lost its registers to it.
    assertEquals(2, observer.values("faultInjected", "f-silent").size(), observer.all().toString());
  }

  @Test
  @DisplayName("§4.5 an immediate request during the rebuild is answered when it ends: granted if the registers are free, else refused")
  void immediateDuringRebuild() {
    String id = newId("pool-immediate");
    ActorRef<MapRegisterMessage> pool = pool(id, 4, new RecordingObserver(), new RecordingTrace());
    TestProbe<MapRegisterReply> a = kit.createTestProbe("a");
    TestProbe<MapRegisterReply> b = kit.createTestProbe("b");
    allocate(pool, a, 1, 3);
    a.expectMessage(new MapRegistersGranted(id, 1, 3, 0));

    pool.tell(new MapRegisterMessage.Crash("f-immediate"));
    ReportMapRegisterHolding qa = poolQuestion(a);
    pool.tell(new AllocateMapRegisters(2, 2, true, false, device("b"), b.ref()));
    b.expectNoMessage(Duration.ofMillis(50));
    answer(a, qa, List.of(new RegistersHeld(1, 3, 0, false)), List.of());
    b.expectMessage(new MapRegistersUnavailable(id, 2, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    assertEquals(3, poolState(pool).held());
  }

  @Test
  @DisplayName("§4.3 an arbiter with no requesters restarts and serves at once; its rebuild takes no answers")
  void crashWithNobodyToAsk() {
    String id = newId("lock-empty");
    RecordingTrace trace = new RecordingTrace();
    ActorRef<AdapterLockMessage> lock = lock(id, new RecordingObserver(), trace);
    lock.tell(new AdapterLockMessage.Crash("f-empty"));
    TestProbe<AdapterReply> a = kit.createTestProbe("a");
    acquire(lock, a, 1);
    a.expectMessage(new AdapterGranted(id, 1));
    TraceEvent rebuild = trace.all().stream().filter(e -> e.name().equals("ArbiterRebuild")).findFirst().orElseThrow();
    assertEquals("0", rebuild.args().get("asked"));
  }
}
