package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.ReferenceIo;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Message faults on the DDI_REPLIES path (DESIGN §10): a transaction's return of a
 * WdfDmaTransaction* call as the reference driver receives it, dropped, delayed or duplicated. A
 * lost return is settled by the watchdog from the transaction's state (reference §3.1, §3.2); a
 * repeated or late one answers a call that is over and changes nothing.
 */
class MessageFaultDdiRepliesTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  /** Where returns are lost or later than it: short, so that the test is. */
  private static final Duration WATCHDOG = Duration.ofMillis(100);
  /** Where every call gets its return: far beyond what a loaded machine adds to a 30 ms delay. */
  private static final Duration PATIENT = Duration.ofSeconds(2);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MessageFaultDdiRepliesTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static FaultyDevice device(
      String kind, int requests, MessageAction action, Duration delay, double p, Duration watchdog) {
    String id = "ddi-" + IDS.incrementAndGet();
    DmaIoDriver.Settings driver = ReferenceIo.driver(kind, requests, 23, watchdog);
    FaultyDevice d = new FaultyDevice(
        kit, id, DeviceSettings.defaults().withHardware(HardwareSettings.defaults()),
        FaultyDevice.plan("ddi-" + action.planName(), MessagePath.DDI_REPLIES, action, delay, p, id, 7),
        driver::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(requests, d.awaitIoFinished(Duration.ofSeconds(30)));
    d.assertEachRequestEndedOnce();
    assertEquals(List.of(), d.snapshot().bugChecks());
    d.assertNothingHeldButReservations(ReferenceIo.reservedRegisters(driver));
    return d;
  }

  @ParameterizedTest(name = "§3.2 {0}: every return lost; the watchdog ends each transaction as its state allows and each request with STATUS_IO_TIMEOUT; nothing leaks")
  @ValueSource(strings = {"sg", "packet-v2", "packet-v3", "reserving", "system"})
  void everyReturnLost(String kind) {
    FaultyDevice d = device(kind, 6, MessageAction.DROP, null, 1.0, WATCHDOG);
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    assertTrue(d.observer.injected().stream().allMatch(
        i -> i.faultId().equals("ddi-drop") && i.deviceId().equals(d.id) && i.what().startsWith("ddi-replies drop WdfDmaTransaction")),
        d.observer.what().toString());
    assertTrue(d.observer.what().contains("ddi-replies drop WdfDmaTransactionInitialize"), d.observer.what().toString());
    d.removeCleanly();
  }

  @ParameterizedTest(name = "§3.2/§3.5 {0}: a third of the returns lost; each request completes or times out, once; nothing leaks")
  @ValueSource(strings = {"sg", "packet-v2", "packet-v3", "reserving", "system"})
  void someReturnsLost(String kind) {
    FaultyDevice d = device(kind, 16, MessageAction.DROP, null, 0.3, WATCHDOG);
    Set<NtStatus> allowed = Set.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_IO_TIMEOUT);
    assertTrue(d.observer.ended().stream().allMatch(e -> allowed.contains(e.status())), d.observer.ended().toString());
    assertTrue(d.observer.ended().stream().anyMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    d.removeCleanly();
  }

  @ParameterizedTest(name = "§3.5 {0}: every return comes twice; the second answers a call that is over: each request completes once with its bytes")
  @ValueSource(strings = {"sg", "packet-v2", "packet-v3", "reserving", "system"})
  void everyReturnTwice(String kind) {
    FaultyDevice d = device(kind, 8, MessageAction.DUPLICATE, null, 1.0, PATIENT);
    for (IoObserver.RequestEnd end : d.observer.ended()) {
      assertEquals(NtStatus.STATUS_SUCCESS, end.status(), end.toString());
      assertEquals(d.observer.size(end.sequence()), end.bytes(), "bytes counted once: " + end);
    }
    assertTrue(d.observer.what().contains("ddi-replies duplicate WdfDmaTransactionRelease"), d.observer.what().toString());
    d.removeCleanly();
  }

  @Test
  @DisplayName("DESIGN §5 ddi-replies delay: every return 30 ms late; each request completes, after at least Initialize, DmaCompleted and Release's delays")
  void everyReturnLate() {
    FaultyDevice d = device("packet-v3", 8, MessageAction.DELAY, Duration.ofMillis(30), 1.0, PATIENT);
    for (IoObserver.RequestEnd end : d.observer.ended()) {
      assertEquals(NtStatus.STATUS_SUCCESS, end.status(), end.toString());
      assertTrue(end.latencyMicros() >= 90_000, end.toString());
    }
    d.removeCleanly();
  }

  @Test
  @DisplayName("§3.2 returns later than the watchdog: each call is given up and settled by the transaction's state; the late returns change nothing")
  void returnsLaterThanTheWatchdog() {
    FaultyDevice d = device("sg", 4, MessageAction.DELAY, Duration.ofMillis(250), 1.0, WATCHDOG);
    kit.createTestProbe().expectNoMessage(Duration.ofMillis(400));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    assertEquals(List.of(), d.snapshot().bugChecks());
    d.removeCleanly();
  }
}
