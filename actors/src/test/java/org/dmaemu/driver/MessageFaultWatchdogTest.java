package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.RecordingFaults;
import org.dmaemu.testing.ReferenceIo;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference drivers' watchdog against lost interrupts (DESIGN §10): the DPC-timeout path ends a
 * transfer whose interrupt never came with DmaCompletedFinal and Release (reference §3.5, §3.2),
 * the request fails with STATUS_IO_TIMEOUT, and what the transaction held goes back.
 */
class MessageFaultWatchdogTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WATCHDOG = Duration.ofMillis(100);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MessageFaultWatchdogTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static String newId() {
    return "wd-" + IDS.incrementAndGet();
  }

  private static DeviceSettings withEngine() {
    return DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
  }

  @Test
  @DisplayName("the watchdog: half the callback deadline unless set; it must be positive")
  void watchdogSetting() {
    DmaIoDriver.Settings plain = ReferenceIo.driver("sg", 1, 1, null);
    assertEquals(Duration.ofMillis(500), plain.watchdogFor(Duration.ofSeconds(1)));
    assertEquals(Duration.ofMillis(100), plain.watchdogFor(Duration.ofMillis(200)));
    assertEquals(Duration.ofMillis(30), plain.withWatchdog(Duration.ofMillis(30)).watchdogFor(Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> plain.withWatchdog(Duration.ZERO));
  }

  @ParameterizedTest(name = "§3.5/§3.2 {0}: every interrupt lost; the watchdog ends each request with STATUS_IO_TIMEOUT and its registers and lock go back")
  @ValueSource(strings = {"sg", "packet-v2", "packet-v3", "reserving"})
  void lostInterrupts(String kind) {
    String id = newId();
    DmaIoDriver.Settings driver = ReferenceIo.driver(kind, 6, 17, WATCHDOG);
    FaultyDevice d = new FaultyDevice(
        kit, id, withEngine(), FaultyDevice.plan("lost-irq", MessagePath.INTERRUPTS, MessageAction.DROP, null, 1.0, id, 1),
        driver::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(6, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    for (IoObserver.RequestEnd end : d.observer.ended()) {
      assertEquals(NtStatus.STATUS_IO_TIMEOUT, end.status(), end.toString());
      assertTrue(end.latencyMicros() >= 100_000, "given up only after the watchdog: " + end);
    }
    // At most one lost interrupt per request (its first fragment's: the watchdog ends the request
    // there); fewer when a loaded machine let the watchdog reset a transfer before it finished.
    List<RecordingFaults.Injected> injected = d.observer.injected();
    assertTrue(injected.size() >= 1 && injected.size() <= 6, injected.toString());
    assertTrue(injected.stream().allMatch(
        i -> i.faultId().equals("lost-irq") && i.deviceId().equals(id) && i.what().equals("interrupts drop")));
    assertEquals(List.of(), d.snapshot().bugChecks());
    assertTrue(d.observer.adaptersReported(), "the transfers went through arbitration");
    d.assertNothingHeldButReservations(ReferenceIo.reservedRegisters(driver));
    d.removeCleanly();
  }

  @Test
  @DisplayName("§3.5 an interrupt that comes after the watchdog gave its transfer up shows nothing: no second completion, no bug check")
  void lateInterruptsIgnored() {
    String id = newId();
    DmaIoDriver.Settings driver = ReferenceIo.driver("sg", 4, 18, WATCHDOG);
    FaultyDevice d = new FaultyDevice(
        kit, id, withEngine(),
        FaultyDevice.plan("late-irq", MessagePath.INTERRUPTS, MessageAction.DELAY, Duration.ofMillis(300), 1.0, id, 1),
        driver::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(4, d.awaitIoFinished(Duration.ofSeconds(20)));
    // The last late interrupts arrive meanwhile.
    kit.createTestProbe().expectNoMessage(Duration.ofMillis(500));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    assertEquals(List.of(), d.snapshot().bugChecks(), "no DmaCompleted on a released transaction (K3)");
    d.assertNothingHeldButReservations(ReferenceIo.reservedRegisters(driver));
    d.removeCleanly();
  }

  @Test
  @DisplayName("§3.5 an EvtInterruptIsr the driver runs only after the watchdog gave its transfer up: its completion is left alone")
  void lateIsrCallbackIgnored() {
    String id = newId();
    DmaIoDriver.Settings driver = ReferenceIo.driver("sg", 2, 20, WATCHDOG);
    // Every callback reaches the driver 150 ms late: EvtInterruptIsr too, after the 100 ms watchdog.
    FaultyDevice d = new FaultyDevice(
        kit, id, withEngine(),
        FaultyDevice.plan("late-callbacks", MessagePath.CALLBACKS, MessageAction.DELAY, Duration.ofMillis(150), 1.0, id, 1),
        driver::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(2, d.awaitIoFinished(Duration.ofSeconds(20)));
    kit.createTestProbe().expectNoMessage(Duration.ofMillis(300));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    assertTrue(d.observer.what().contains("callbacks delay EvtInterruptIsr"), d.observer.what().toString());
    assertTrue(d.trace.all().stream().noneMatch(e -> e.name().equals("EvtInterruptDpc")), "no DPC for a transfer given up");
    assertEquals(List.of(), d.snapshot().bugChecks());
    d.assertNothingHeldButReservations(0);
    d.removeCleanly();
  }
}
