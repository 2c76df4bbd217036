package org.dmaemu.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.testing.DeviceHarness;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every row of reference §2.3 (D0-entry failures) and of §2.4 (per-enabler D0-exit gating), end to end. */
class D0EntryFailureMatrixTest {
  private static ActorTestKit kit;
  private static final NtStatus FAIL = NtStatus.STATUS_INSUFFICIENT_RESOURCES;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("D0EntryFailureMatrixTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static DeviceHarness started(int enablers, int interrupts, CallbackRule... rules) {
    List<DmaEnablerConfig> configs = new ArrayList<>();
    for (int i = 0; i < enablers; i++) {
      configs.add(DmaEnablerConfig.init(DmaProfile.PACKET, 8192).withAllCallbacks());
    }
    DeviceHarness d =
        new DeviceHarness(kit, DeviceSettings.defaults().withInterruptCount(interrupts), configs, List.of(rules));
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    d.callbacks();
    return d;
  }

  static void assertFailedStart(PnpResult r, CallbackKind callback, int enabler) {
    assertEquals(PnpOutcome.FAILED, r.outcome());
    assertEquals(DeviceState.FAILED, r.state());
    assertEquals(DevicePowerState.D3_FINAL, r.powerState());
    assertEquals(callback, r.failedCallback());
    assertEquals(enabler, r.failedEnablerIndex());
    assertEquals(FAIL, r.failureStatus());
  }

  static List<String> exit(int i) {
    return List.of("EvtDmaEnablerSelfManagedIoStop@" + i, "EvtDmaEnablerDisable@" + i, "EvtDmaEnablerFlush@" + i);
  }

  @Test
  @DisplayName("§2.3 row 1: EvtDeviceD0Entry fails → no further power callback, no EvtDeviceD0Exit; PnP releases the hardware")
  void d0EntryFails() {
    DeviceHarness d = started(2, 1, CallbackRule.fail(CallbackKind.EVT_DEVICE_D0_ENTRY, FAIL, 1.0));
    assertFailedStart(d.start(), CallbackKind.EVT_DEVICE_D0_ENTRY, -1);
    assertEquals(
        List.of("EvtDevicePrepareHardware", "EvtDeviceD0Entry!", "EvtDeviceReleaseHardware"), d.callbacks());
  }

  @Test
  @DisplayName("§2.3 (pnpstatemachine FailedOwnHardware): EvtDevicePrepareHardware fails → EvtDeviceReleaseHardware only")
  void prepareHardwareFails() {
    DeviceHarness d = started(1, 1, CallbackRule.fail(CallbackKind.EVT_DEVICE_PREPARE_HARDWARE, FAIL, 1.0));
    assertFailedStart(d.start(), CallbackKind.EVT_DEVICE_PREPARE_HARDWARE, -1);
    assertEquals(List.of("EvtDevicePrepareHardware!", "EvtDeviceReleaseHardware"), d.callbacks());
  }

  @Test
  @DisplayName("§2.3 row 2: EvtInterruptEnable of the 2nd interrupt fails → only the enabled 1st is disabled, EvtDeviceD0Exit(D3Final), no DMA callback")
  void interruptEnableFails() {
    DeviceHarness d = started(2, 2, CallbackRule.failOn(CallbackKind.EVT_INTERRUPT_ENABLE, 1, FAIL));
    assertFailedStart(d.start(), CallbackKind.EVT_INTERRUPT_ENABLE, -1);
    assertEquals(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtInterruptEnable#0",
            "EvtInterruptPostEnable#0",
            "EvtInterruptEnable#1!",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.3 row 2: EvtInterruptPostEnable of interrupt 1 fails → interrupts 1 and 0 disabled (reverse), EvtDeviceD0Exit(D3Final)")
  void interruptPostEnableFails() {
    DeviceHarness d =
        started(1, 2, CallbackRule.fail(CallbackKind.EVT_INTERRUPT_POST_ENABLE, FAIL, 1.0));
    PnpResult r = d.start();
    assertFailedStart(r, CallbackKind.EVT_INTERRUPT_POST_ENABLE, -1);
    assertEquals(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtInterruptEnable#0",
            "EvtInterruptPostEnable#0!",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.3 row 2: EvtDeviceD0EntryPostInterruptsEnabled fails → all interrupts disabled in reverse, EvtDeviceD0Exit(D3Final), no DMA callback")
  void postInterruptsEnabledFails() {
    DeviceHarness d =
        started(2, 2, CallbackRule.fail(CallbackKind.EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED, FAIL, 1.0));
    assertFailedStart(d.start(), CallbackKind.EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED, -1);
    assertEquals(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtInterruptEnable#0",
            "EvtInterruptPostEnable#0",
            "EvtInterruptEnable#1",
            "EvtInterruptPostEnable#1",
            "EvtDeviceD0EntryPostInterruptsEnabled!",
            "EvtInterruptDisable#1",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.3 row 3 (seed case): EvtDmaEnablerSelfManagedIoStart fails on the 2nd of 3 enablers → enabler 3 skipped, DMA power-down on all, D3Final exit")
  void selfManagedIoStartFailsOnSecondOfThree() {
    DeviceHarness d =
        started(3, 1, CallbackRule.failOn(CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_START, 1, FAIL));
    assertFailedStart(d.start(), CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_START, 1);
    List<String> expected = new ArrayList<>(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtInterruptEnable#0",
            "EvtInterruptPostEnable#0",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0",
            "EvtDmaEnablerEnable@0",
            "EvtDmaEnablerSelfManagedIoStart@0",
            "EvtDmaEnablerFill@1",
            "EvtDmaEnablerEnable@1",
            "EvtDmaEnablerSelfManagedIoStart@1!"));
    // §2.4: SelfManagedIoStart failed → all three exit callbacks; enabler 2 never powered up → all three.
    expected.addAll(exit(0));
    expected.addAll(exit(1));
    expected.addAll(exit(2));
    expected.addAll(
        List.of(
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware"));
    assertEquals(expected, d.callbacks());
    DeviceSnapshot snap = d.snapshot();
    assertEquals(DeviceState.FAILED, snap.state());
    EnablerInfo second = snap.enablers().get(1);
    assertEquals(true, second.selfManagedIoStartFailed());
    assertEquals(false, snap.enablers().get(0).selfManagedIoStartFailed());
    assertEquals(false, snap.enablers().get(2).selfManagedIoStartFailed());
  }

  @Test
  @DisplayName("§2.3 row 3 + §2.4: EvtDmaEnablerFill fails on enabler 0 → its Disable and Flush are skipped; enabler 1 gets all three")
  void fillFails() {
    DeviceHarness d = started(2, 0, CallbackRule.failOn(CallbackKind.EVT_DMA_ENABLER_FILL, 0, FAIL));
    assertFailedStart(d.start(), CallbackKind.EVT_DMA_ENABLER_FILL, 0);
    List<String> expected = new ArrayList<>(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0!",
            "EvtDmaEnablerSelfManagedIoStop@0"));
    expected.addAll(exit(1));
    expected.addAll(List.of("EvtDeviceD0ExitPreInterruptsDisabled", "EvtDeviceD0Exit", "EvtDeviceReleaseHardware"));
    assertEquals(expected, d.callbacks());
    assertEquals(true, d.snapshot().enablers().get(0).fillFailed());
  }

  @Test
  @DisplayName("§2.3 row 3 + §2.4: EvtDmaEnablerEnable fails on enabler 1 → its Flush is skipped, its Disable still runs")
  void enableFails() {
    DeviceHarness d = started(2, 0, CallbackRule.failOn(CallbackKind.EVT_DMA_ENABLER_ENABLE, 1, FAIL));
    assertFailedStart(d.start(), CallbackKind.EVT_DMA_ENABLER_ENABLE, 1);
    List<String> expected = new ArrayList<>(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0",
            "EvtDmaEnablerEnable@0",
            "EvtDmaEnablerSelfManagedIoStart@0",
            "EvtDmaEnablerFill@1",
            "EvtDmaEnablerEnable@1!"));
    expected.addAll(exit(0));
    expected.addAll(List.of("EvtDmaEnablerSelfManagedIoStop@1", "EvtDmaEnablerDisable@1"));
    expected.addAll(List.of("EvtDeviceD0ExitPreInterruptsDisabled", "EvtDeviceD0Exit", "EvtDeviceReleaseHardware"));
    assertEquals(expected, d.callbacks());
  }

  @Test
  @DisplayName("§2.3 row 5: EvtDeviceSelfManagedIoInit fails → DMA power-down on all enablers, D3Final exit, then self-managed I/O flush and cleanup")
  void selfManagedIoInitFails() {
    DeviceHarness d = started(2, 1, CallbackRule.fail(CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_INIT, FAIL, 1.0));
    assertFailedStart(d.start(), CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_INIT, -1);
    List<String> calls = d.callbacks();
    List<String> expectedTail = new ArrayList<>();
    expectedTail.add("EvtDeviceSelfManagedIoInit!");
    expectedTail.addAll(exit(0));
    expectedTail.addAll(exit(1));
    expectedTail.addAll(
        List.of(
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware",
            "EvtDeviceSelfManagedIoFlush",
            "EvtDeviceSelfManagedIoCleanup"));
    assertEquals(expectedTail, calls.subList(calls.size() - expectedTail.size(), calls.size()));
  }

  @Test
  @DisplayName("§2.3 row 5 on resume: EvtDeviceSelfManagedIoRestart fails → same unwinding, device torn down")
  void selfManagedIoRestartFails() {
    DeviceHarness d = started(1, 0, CallbackRule.fail(CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_RESTART, FAIL, 1.0));
    d.start();
    d.setPower(DevicePowerState.D3);
    d.callbacks();
    PnpResult r = d.setPower(DevicePowerState.D0);
    assertFailedStart(r, CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_RESTART, -1);
    List<String> expected = new ArrayList<>(
        List.of(
            "EvtDeviceD0Entry",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0",
            "EvtDmaEnablerEnable@0",
            "EvtDmaEnablerSelfManagedIoStart@0",
            "EvtDeviceSelfManagedIoRestart!"));
    expected.addAll(exit(0));
    expected.addAll(
        List.of(
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware",
            "EvtDeviceSelfManagedIoFlush",
            "EvtDeviceSelfManagedIoCleanup"));
    assertEquals(expected, d.callbacks());
  }

  @Test
  @DisplayName("§2.3: a failed device rejects start; PnP's IRP_MN_REMOVE_DEVICE then removes it without another callback")
  void failedDeviceIsRemovedWithoutCallbacks() {
    DeviceHarness d = started(1, 0, CallbackRule.fail(CallbackKind.EVT_DEVICE_D0_ENTRY, FAIL, 1.0));
    d.start();
    d.callbacks();
    assertEquals(PnpOutcome.REJECTED, d.start().outcome());
    PnpResult removed = d.remove();
    assertEquals(PnpOutcome.SUCCEEDED, removed.outcome());
    assertEquals(DeviceState.REMOVED, removed.state());
    assertEquals(0, removed.callbacksInvoked());
    assertEquals(List.of(), d.callbacks());
    assertEquals(PnpOutcome.REJECTED, d.remove().outcome());
  }

  @Test
  @DisplayName("DESIGN §4: a callback left unanswered past its deadline is a hang; the device stays HUNG")
  void hangIsRecorded() {
    DeviceHarness d =
        new DeviceHarness(
            kit,
            DeviceSettings.defaults().withCallbackDeadline(Duration.ofMillis(500)),
            List.of(DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withAllCallbacks()),
            List.of(CallbackRule.hang(CallbackKind.EVT_DMA_ENABLER_ENABLE, 1.0)));
    d.add();
    d.callbacks();
    PnpResult r = d.start();
    assertEquals(PnpOutcome.HUNG, r.outcome());
    assertEquals(DeviceState.HUNG, r.state());
    assertEquals(CallbackKind.EVT_DMA_ENABLER_ENABLE, r.failedCallback());
    assertEquals(0, r.failedEnablerIndex());
    assertNull(r.failureStatus());
    List<String> calls = d.callbacks();
    assertEquals("EvtDmaEnablerEnable@0?", calls.get(calls.size() - 1));
    assertEquals(PnpOutcome.REJECTED, d.remove().outcome());
  }

  @Test
  @DisplayName("A modeled delay is not a hang: the callback answers after its delay and the path goes on")
  void delayIsNotAHang() {
    DeviceHarness d =
        new DeviceHarness(
            kit,
            DeviceSettings.defaults(),
            List.of(DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withAllCallbacks()),
            List.of(CallbackRule.delay(CallbackKind.EVT_DEVICE_D0_ENTRY, Duration.ofMillis(20), 1.0)));
    d.add();
    PnpResult r = d.start();
    assertEquals(PnpOutcome.SUCCEEDED, r.outcome());
  }
}
