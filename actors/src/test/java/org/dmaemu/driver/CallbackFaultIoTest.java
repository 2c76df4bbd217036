package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.Window;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.ReferenceIo;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Callback faults of a plan on the reference DMA drivers' I/O path (DESIGN §10): the callbacks the
 * driver answers itself still go by its rules. A failed EvtProgramDma returns FALSE and the driver
 * ends the transfer with DmaCompletedFinal (reference §3.3); a failed EvtInterruptIsr claims nothing
 * and the watchdog recovers (§9.2 R7); a hang returns nothing.
 */
class CallbackFaultIoTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WATCHDOG = Duration.ofMillis(100);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("CallbackFaultIoTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static String newId() {
    return "cbio-" + IDS.incrementAndGet();
  }

  private static DeviceSettings withEngine() {
    return DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
  }

  /** The plan's fault {@code id} on {@code callback}, as the driver's rule: a failure with {@code status}, or a hang. */
  private static CallbackRule fault(String id, CallbackKind callback, NtStatus status, double probability) {
    return CallbackRule.fault(
        new Fault.CallbackFault(id, callback, status, probability, DeviceSelector.ALL, Window.ALWAYS));
  }

  private static DmaIoDriver.Settings withRule(DmaIoDriver.Settings s, CallbackRule rule) {
    return new DmaIoDriver.Settings(
        s.mode(), s.enabler(), s.transactions(), s.workload(), s.reservedRegisters(), List.of(rule), s.runSeed(),
        s.watchdog());
  }

  private static FaultyDevice started(String id, DeviceSettings settings, DmaIoDriver.Settings driver) {
    FaultyDevice d = new FaultyDevice(kit, id, settings, FaultPlan.NONE, driver::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    return d;
  }

  private static long count(FaultyDevice d, String event) {
    return d.trace.all().stream().filter(e -> e.name().equals(event)).count();
  }

  @ParameterizedTest(name = "§3.3 EvtProgramDma failure ({0}): FALSE, the driver's DmaCompletedFinal and Release; each request fails with the fault's status, nothing held")
  @ValueSource(strings = {"sg", "packet-v2", "packet-v3", "reserving", "system"})
  void programDmaFailureEndsRequest(String kind) {
    String id = newId();
    DmaIoDriver.Settings driver = withRule(
        ReferenceIo.driver(kind, 6, 31, WATCHDOG),
        fault("program", CallbackKind.EVT_PROGRAM_DMA, NtStatus.STATUS_INSUFFICIENT_RESOURCES, 1.0));
    FaultyDevice d = started(id, withEngine(), driver);
    assertEquals(6, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    for (IoObserver.RequestEnd end : d.observer.ended()) {
      assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, end.status(), end.toString());
      assertEquals(0, end.bytes(), "the first fragment failed: nothing moved " + end);
    }
    // One injection per request: its first EvtProgramDma fails and ends it.
    assertEquals(6, d.observer.injected().size(), d.observer.injected().toString());
    assertTrue(d.observer.injected().stream().allMatch(
        i -> i.faultId().equals("program") && i.deviceId().equals(id)
            && i.what().equals("EvtProgramDma STATUS_INSUFFICIENT_RESOURCES")), d.observer.injected().toString());
    assertEquals(6, count(d, "WdfDmaTransactionDmaCompletedFinal"), "the driver ends each transfer itself");
    assertEquals(0, count(d, "EvtInterruptIsr"), "nothing was programmed on the engine");
    assertEquals(List.of(), d.snapshot().bugChecks());
    d.assertNothingHeldButReservations(ReferenceIo.reservedRegisters(driver));
    d.removeCleanly();
  }

  @ParameterizedTest(name = "§3.3 EvtProgramDma failure ({0}) on some fragments: exactly the requests hit fail, with what moved before; the others complete")
  @ValueSource(strings = {"sg", "packet-v3", "system"})
  void programDmaFailureSometimes(String kind) {
    String id = newId();
    DmaIoDriver.Settings driver = withRule(
        ReferenceIo.driver(kind, 24, 32, WATCHDOG),
        fault("some", CallbackKind.EVT_PROGRAM_DMA, NtStatus.STATUS_INVALID_DEVICE_STATE, 0.2));
    FaultyDevice d = started(id, withEngine(), driver);
    assertEquals(24, d.awaitIoFinished(Duration.ofSeconds(30)));
    d.assertEachRequestEndedOnce();
    long failed = d.observer.ended().stream().filter(e -> e.status() == NtStatus.STATUS_INVALID_DEVICE_STATE).count();
    long completed = d.observer.ended().stream().filter(e -> e.status() == NtStatus.STATUS_SUCCESS).count();
    assertEquals(24, failed + completed, d.observer.ended().toString());
    assertEquals(d.observer.injected().size(), failed, "each failure ends the request it hit");
    assertTrue(failed > 0 && completed > 0, d.observer.ended().toString());
    for (IoObserver.RequestEnd end : d.observer.ended()) {
      if (end.status() == NtStatus.STATUS_SUCCESS) {
        assertEquals(d.observer.size(end.sequence()), end.bytes(), end.toString());
      } else {
        assertTrue(end.bytes() < d.observer.size(end.sequence()), end.toString());
      }
    }
    assertEquals(List.of(), d.snapshot().bugChecks());
    d.assertNothingHeldButReservations(0);
    d.removeCleanly();
  }

  @ParameterizedTest(name = "§9.2 R7 EvtInterruptIsr failure ({0}): not claimed, no DPC; the watchdog ends each request with STATUS_IO_TIMEOUT")
  @ValueSource(strings = {"sg", "reserving"})
  void isrFailureRecoveredByWatchdog(String kind) {
    String id = newId();
    DmaIoDriver.Settings driver = withRule(
        ReferenceIo.driver(kind, 4, 33, WATCHDOG),
        fault("isr", CallbackKind.EVT_INTERRUPT_ISR, NtStatus.STATUS_UNSUCCESSFUL, 1.0));
    FaultyDevice d = started(id, withEngine(), driver);
    assertEquals(4, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    for (IoObserver.RequestEnd end : d.observer.ended()) {
      assertEquals(NtStatus.STATUS_IO_TIMEOUT, end.status(), end.toString());
      assertTrue(end.latencyMicros() >= 100_000, "given up only after the watchdog: " + end);
    }
    assertTrue(!d.observer.injected().isEmpty()
        && d.observer.injected().stream().allMatch(i -> i.faultId().equals("isr")), d.observer.injected().toString());
    assertEquals(0, count(d, "EvtInterruptDpc"), "an unclaimed interrupt queues no DPC");
    assertEquals(List.of(), d.snapshot().bugChecks());
    d.assertNothingHeldButReservations(ReferenceIo.reservedRegisters(driver));
    d.removeCleanly();
  }

  @ParameterizedTest(name = "§9.2 R7/R8 {0} hang: the interrupt gives the callback up; the watchdog ends the transfers it held (STATUS_IO_TIMEOUT)")
  @ValueSource(strings = {"EvtInterruptIsr", "EvtInterruptDpc"})
  void interruptCallbackHangRecoveredByWatchdog(String callback) {
    String id = newId();
    CallbackKind kind = CallbackKind.parse(callback).orElseThrow();
    // The interrupt waits a callback deadline (200 ms) for each hung callback; the watchdog waits 100 ms.
    DmaIoDriver.Settings driver = withRule(ReferenceIo.driver("sg", 2, 34, null), fault("stuck", kind, null, 1.0));
    FaultyDevice d = started(id, withEngine().withCallbackDeadline(Duration.ofMillis(200)), driver);
    assertEquals(2, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    assertTrue(d.observer.what().contains(callback + " hang"), d.observer.what().toString());
    assertEquals(List.of(), d.snapshot().bugChecks(), "the interrupt goes on without the hung callback");
    d.assertNothingHeldButReservations(0);
    d.removeCleanly();
  }

  @ParameterizedTest(name = "§3.3/§5/§6.3 {1} hang ({0}): never returns; at the deadline the transaction files DPC_WATCHDOG_VIOLATION and the device crashes")
  @CsvSource({
      "sg, EvtProgramDma",
      "system, EvtProgramDma",
      "reserving, EvtReserveDma",
      "system, EvtDmaTransactionDmaTransferComplete"})
  void transactionCallbackHangCrashesDevice(String kind, String callback) {
    String id = newId();
    DmaIoDriver.Settings driver = withRule(
        ReferenceIo.driver(kind, 4, 35, null), fault("hang", CallbackKind.parse(callback).orElseThrow(), null, 1.0));
    FaultyDevice d = started(id, withEngine().withCallbackDeadline(Duration.ofMillis(200)), driver);
    TestProbe<Object> wait = kit.createTestProbe();
    DeviceSnapshot crashed = wait.awaitAssert(Duration.ofSeconds(10), () -> {
      DeviceSnapshot s = d.snapshot();
      assertEquals(DeviceState.CRASHED, s.state());
      return s;
    });
    BugCheck bugCheck = crashed.bugChecks().get(0);
    assertEquals(0x133, bugCheck.code(), bugCheck.toString());
    assertEquals(callback, bugCheck.ddi(), bugCheck.toString());
    assertTrue(d.observer.what().contains(callback + " hang"), d.observer.what().toString());
    assertTrue(d.observer.injected().stream().allMatch(i -> i.faultId().equals("hang")));
  }

  @Test
  @DisplayName("§3.3 a VOID callback cannot fail: no FAIL rule or failure fault on it; the driver answers its I/O callbacks at once (no DELAY)")
  void voidCallbacksCannotFail() {
    for (CallbackKind kind : List.of(
        CallbackKind.EVT_RESERVE_DMA, CallbackKind.EVT_INTERRUPT_DPC, CallbackKind.EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE,
        CallbackKind.EVT_DEVICE_SURPRISE_REMOVAL, CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_FLUSH,
        CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_CLEANUP)) {
      assertTrue(kind.returnsNothing(), kind.toString());
      assertThrows(IllegalArgumentException.class, () -> CallbackRule.fail(kind, NtStatus.STATUS_UNSUCCESSFUL, 1.0));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> fault("v", kind, NtStatus.STATUS_UNSUCCESSFUL, 1.0));
      assertEquals(kind.kmdfName() + " returns nothing (VOID): a failure cannot be returned from it; use callback-hang",
          e.getMessage());
      assertEquals(CallbackRule.Action.HANG, fault("v", kind, null, 1.0).action());
    }
    for (CallbackKind kind : List.of(CallbackKind.EVT_PROGRAM_DMA, CallbackKind.EVT_INTERRUPT_ISR)) {
      assertTrue(!kind.returnsNothing() && !kind.returnsStatus(), "BOOLEAN: " + kind);
    }
    DmaIoDriver.Settings sg = ReferenceIo.driver("sg", 1, 1, null);
    assertThrows(IllegalArgumentException.class,
        () -> withRule(sg, CallbackRule.delay(CallbackKind.EVT_PROGRAM_DMA, Duration.ofMillis(1), 1.0)));
  }
}
