package org.dmaemu.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.device.SelfManagedIoState;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerCallback;
import org.dmaemu.testing.DeviceHarness;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The D0-entry and D0-exit callback order of reference §2.1 and §2.2, end to end through the device actor. */
class PowerSequencingTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("PowerSequencingTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static DmaEnablerConfig sg() {
    return DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 65536).withAllCallbacks();
  }

  static DeviceHarness device(int enablers, int interrupts, List<CallbackRule> rules) {
    List<DmaEnablerConfig> configs = new ArrayList<>();
    for (int i = 0; i < enablers; i++) {
      configs.add(sg());
    }
    return new DeviceHarness(kit, DeviceSettings.defaults().withInterruptCount(interrupts), configs, rules);
  }

  static List<String> enablerEntry(int i) {
    return List.of(
        "EvtDmaEnablerFill@" + i, "EvtDmaEnablerEnable@" + i, "EvtDmaEnablerSelfManagedIoStart@" + i);
  }

  static List<String> enablerExit(int i) {
    return List.of(
        "EvtDmaEnablerSelfManagedIoStop@" + i, "EvtDmaEnablerDisable@" + i, "EvtDmaEnablerFlush@" + i);
  }

  @Test
  @DisplayName("§2.1 first start with 1 enabler: D0Entry, interrupts, PostInterruptsEnabled, Fill/Enable/SMIOStart, SelfManagedIoInit")
  void firstStartOneEnabler() {
    DeviceHarness d = device(1, 1, List.of());
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(List.of("EvtDriverDeviceAdd"), d.callbacks());

    PnpResult start = d.start();
    assertEquals(PnpOutcome.SUCCEEDED, start.outcome());
    assertEquals(DeviceState.STARTED, start.state());
    assertEquals(DevicePowerState.D0, start.powerState());
    assertEquals(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtInterruptEnable#0",
            "EvtInterruptPostEnable#0",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0",
            "EvtDmaEnablerEnable@0",
            "EvtDmaEnablerSelfManagedIoStart@0",
            "EvtDeviceSelfManagedIoInit"),
        d.callbacks());
    assertEquals(9, start.callbacksInvoked());
  }

  @Test
  @DisplayName("§2.1 first start with 3 enablers and 2 interrupts: enablers in creation order, each Fill→Enable→SMIOStart")
  void firstStartThreeEnablers() {
    DeviceHarness d = device(3, 2, List.of());
    d.add();
    d.callbacks();
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(
        List.of(
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtInterruptEnable#0",
            "EvtInterruptPostEnable#0",
            "EvtInterruptEnable#1",
            "EvtInterruptPostEnable#1",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0",
            "EvtDmaEnablerEnable@0",
            "EvtDmaEnablerSelfManagedIoStart@0",
            "EvtDmaEnablerFill@1",
            "EvtDmaEnablerEnable@1",
            "EvtDmaEnablerSelfManagedIoStart@1",
            "EvtDmaEnablerFill@2",
            "EvtDmaEnablerEnable@2",
            "EvtDmaEnablerSelfManagedIoStart@2",
            "EvtDeviceSelfManagedIoInit"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.2 D0 exit with 3 enablers: SMIOSuspend, per enabler in creation order (not reversed) Stop→Disable→Flush, then interrupts in reverse")
  void d0ExitThreeEnablers() {
    DeviceHarness d = device(3, 2, List.of());
    d.add();
    d.start();
    d.callbacks();
    PnpResult dx = d.setPower(DevicePowerState.D3);
    assertEquals(PnpOutcome.SUCCEEDED, dx.outcome());
    assertEquals(DeviceState.LOW_POWER, dx.state());
    assertEquals(DevicePowerState.D3, dx.powerState());
    List<String> expected = new ArrayList<>();
    expected.add("EvtDeviceSelfManagedIoSuspend");
    expected.addAll(enablerExit(0));
    expected.addAll(enablerExit(1));
    expected.addAll(enablerExit(2));
    expected.addAll(
        List.of(
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtInterruptDisable#1",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit"));
    assertEquals(expected, d.callbacks());
  }

  @Test
  @DisplayName("§2.2 D0 exit with 1 enabler: SMIOSuspend, Stop, Disable, Flush (source order, not the docs' Flush-before-Disable)")
  void d0ExitOneEnabler() {
    DeviceHarness d = device(1, 1, List.of());
    d.add();
    d.start();
    d.callbacks();
    d.setPower(DevicePowerState.D2);
    assertEquals(
        List.of(
            "EvtDeviceSelfManagedIoSuspend",
            "EvtDmaEnablerSelfManagedIoStop@0",
            "EvtDmaEnablerDisable@0",
            "EvtDmaEnablerFlush@0",
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.1 resume from D3 with 1 and 3 enablers: no PrepareHardware, SelfManagedIoRestart instead of Init")
  void resume() {
    for (int enablers : new int[] {1, 3}) {
      DeviceHarness d = device(enablers, 1, List.of());
      d.add();
      d.start();
      d.setPower(DevicePowerState.D3);
      d.callbacks();
      PnpResult resume = d.setPower(DevicePowerState.D0);
      assertEquals(PnpOutcome.SUCCEEDED, resume.outcome());
      assertEquals(DeviceState.STARTED, resume.state());
      List<String> expected = new ArrayList<>(
          List.of(
              "EvtDeviceD0Entry",
              "EvtInterruptEnable#0",
              "EvtInterruptPostEnable#0",
              "EvtDeviceD0EntryPostInterruptsEnabled"));
      for (int i = 0; i < enablers; i++) {
        expected.addAll(enablerEntry(i));
      }
      expected.add("EvtDeviceSelfManagedIoRestart");
      assertEquals(expected, d.callbacks());
    }
  }

  @Test
  @DisplayName("§2.2 remove from D0: exit to D3Final, then ReleaseHardware, SelfManagedIoFlush, SelfManagedIoCleanup")
  void removeFromD0() {
    DeviceHarness d = device(1, 1, List.of());
    d.add();
    d.start();
    d.callbacks();
    PnpResult removed = d.remove();
    assertEquals(PnpOutcome.SUCCEEDED, removed.outcome());
    assertEquals(DeviceState.REMOVED, removed.state());
    assertEquals(DevicePowerState.D3_FINAL, removed.powerState());
    assertEquals(
        List.of(
            "EvtDeviceSelfManagedIoSuspend",
            "EvtDmaEnablerSelfManagedIoStop@0",
            "EvtDmaEnablerDisable@0",
            "EvtDmaEnablerFlush@0",
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware",
            "EvtDeviceSelfManagedIoFlush",
            "EvtDeviceSelfManagedIoCleanup"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.2 surprise removal in D0: EvtDeviceSurpriseRemoval first, then the D3Final exit and removal")
  void surpriseRemoval() {
    DeviceHarness d = device(1, 0, List.of());
    d.add();
    d.start();
    d.callbacks();
    PnpResult gone = d.surpriseRemove();
    assertEquals(DeviceState.SURPRISE_REMOVED, gone.state());
    List<String> calls = d.callbacks();
    assertEquals("EvtDeviceSurpriseRemoval", calls.get(0));
    assertEquals(
        List.of("EvtDeviceReleaseHardware", "EvtDeviceSelfManagedIoFlush", "EvtDeviceSelfManagedIoCleanup"),
        calls.subList(calls.size() - 3, calls.size()));
    assertTrue(calls.contains("EvtDmaEnablerSelfManagedIoStop@0"));
  }

  @Test
  @DisplayName("§2.1 stop then start again: ReleaseHardware on stop; PrepareHardware, D0Entry and SelfManagedIoRestart on restart")
  void stopAndRestart() {
    DeviceHarness d = device(1, 1, List.of());
    d.add();
    d.start();
    d.callbacks();
    PnpResult stopped = d.stop();
    assertEquals(DeviceState.STOPPED, stopped.state());
    List<String> stopCalls = d.callbacks();
    assertEquals("EvtDeviceReleaseHardware", stopCalls.get(stopCalls.size() - 1));
    assertFalse(stopCalls.contains("EvtDeviceSelfManagedIoCleanup"));
    PnpResult restarted = d.start();
    assertEquals(PnpOutcome.SUCCEEDED, restarted.outcome());
    List<String> startCalls = d.callbacks();
    assertEquals("EvtDevicePrepareHardware", startCalls.get(0));
    assertEquals("EvtDeviceSelfManagedIoRestart", startCalls.get(startCalls.size() - 1));
  }

  @Test
  @DisplayName("§1.6 only registered callbacks are called: an enabler with only Fill and SelfManagedIoStop registered")
  void unregisteredCallbacksAreSkipped() {
    DmaEnablerConfig partial =
        DmaEnablerConfig.init(DmaProfile.PACKET, 4096)
            .withCallbacks(java.util.Set.of(EnablerCallback.FILL, EnablerCallback.SELF_MANAGED_IO_STOP));
    DeviceHarness d = new DeviceHarness(kit, DeviceSettings.defaults().withInterruptCount(0), List.of(partial), List.of());
    d.add();
    d.start();
    d.setPower(DevicePowerState.D3);
    assertEquals(
        List.of(
            "EvtDriverDeviceAdd",
            "EvtDevicePrepareHardware",
            "EvtDeviceD0Entry",
            "EvtDeviceD0EntryPostInterruptsEnabled",
            "EvtDmaEnablerFill@0",
            "EvtDeviceSelfManagedIoInit",
            "EvtDeviceSelfManagedIoSuspend",
            "EvtDmaEnablerSelfManagedIoStop@0",
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtDeviceD0Exit"),
        d.callbacks());
  }

  @Test
  @DisplayName("§2.2 row 10: a failing EvtDmaEnablerDisable lets the exit finish, then the device is torn down")
  void powerDownFailureTearsDown() {
    DeviceHarness d =
        device(2, 1, List.of(CallbackRule.failOn(
            CallbackKind.EVT_DMA_ENABLER_DISABLE, 0, NtStatus.STATUS_INSUFFICIENT_RESOURCES)));
    d.add();
    d.start();
    d.callbacks();
    PnpResult dx = d.setPower(DevicePowerState.D3);
    assertEquals(PnpOutcome.FAILED, dx.outcome());
    assertEquals(DeviceState.FAILED, dx.state());
    assertEquals(CallbackKind.EVT_DMA_ENABLER_DISABLE, dx.failedCallback());
    assertEquals(0, dx.failedEnablerIndex());
    assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, dx.failureStatus());
    List<String> expected = new ArrayList<>();
    expected.add("EvtDeviceSelfManagedIoSuspend");
    expected.addAll(List.of("EvtDmaEnablerSelfManagedIoStop@0", "EvtDmaEnablerDisable@0!", "EvtDmaEnablerFlush@0"));
    expected.addAll(enablerExit(1));
    expected.addAll(
        List.of(
            "EvtDeviceD0ExitPreInterruptsDisabled",
            "EvtInterruptDisable#0",
            "EvtDeviceD0Exit",
            "EvtDeviceReleaseHardware",
            "EvtDeviceSelfManagedIoFlush",
            "EvtDeviceSelfManagedIoCleanup"));
    assertEquals(expected, d.callbacks());
    assertEquals(SelfManagedIoState.STOPPED, d.snapshot().selfManagedIo());
  }

  @Test
  @DisplayName("PnP requests that do not fit the state are rejected and change nothing")
  void invalidRequestsAreRejected() {
    DeviceHarness d = device(1, 1, List.of());
    assertEquals(PnpOutcome.REJECTED, d.start().outcome());
    d.add();
    assertEquals(PnpOutcome.REJECTED, d.add().outcome());
    assertEquals(PnpOutcome.REJECTED, d.setPower(DevicePowerState.D3).outcome());
    d.start();
    assertEquals(PnpOutcome.REJECTED, d.setPower(DevicePowerState.D3_FINAL).outcome());
    d.remove();
    PnpResult late = d.start();
    assertEquals(PnpOutcome.REJECTED, late.outcome());
    assertEquals(DeviceState.REMOVED, late.state());
    assertFalse(late.detail().isEmpty());
  }
}
