package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.LiveFaults;
import org.dmaemu.fault.Window;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.RecordingFaults;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Callback faults injected into a running run (DESIGN §10, {@code dmaemu inject}): a reference
 * driver's rule book takes up a fault added to its node's {@link LiveFaults} at its next callback,
 * if the fault selects its device, and reports it with the fault's id.
 */
class LiveCallbackFaultTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final DmaEnablerConfig SG = DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 65536).withAllCallbacks();
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("LiveCallbackFaultTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static FaultyDevice device(String id, LiveFaults live) {
    return new FaultyDevice(kit, id, DeviceSettings.defaults(), new FaultPlan(List.of(), 7, live),
        recorder -> new ReferenceDriver.Settings(List.of(SG), List.of(), 7L).model(recorder));
  }

  private static Fault.CallbackFault failD0Entry(String faultId, DeviceSelector devices) {
    return new Fault.CallbackFault(
        faultId, CallbackKind.EVT_DEVICE_D0_ENTRY, NtStatus.STATUS_UNSUCCESSFUL, 1.0, devices, Window.ALWAYS);
  }

  @Test
  @DisplayName("§2.3 an injected EvtDeviceD0Entry failure acts from the next D0 entry on: the power-up fails, reported under the fault's id")
  void injectedFailureActsNextTime() {
    String id = "live-cb-" + IDS.incrementAndGet();
    LiveFaults live = new LiveFaults();
    FaultyDevice d = device(id, live);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.setPower(DevicePowerState.D3).outcome());

    live.add(failD0Entry("live-1", DeviceSelector.ALL));
    PnpResult up = d.setPower(DevicePowerState.D0);
    assertEquals(PnpOutcome.FAILED, up.outcome());
    assertEquals(CallbackKind.EVT_DEVICE_D0_ENTRY, up.failedCallback());
    List<RecordingFaults.Injected> injected = d.observer.injected();
    assertEquals(1, injected.size(), injected.toString());
    assertEquals("live-1", injected.get(0).faultId());
    assertEquals(id, injected.get(0).deviceId());
  }

  @Test
  @DisplayName("§2.3 an injected callback fault that selects other devices leaves this one alone")
  void injectedFaultForOthers() {
    String id = "live-cb-" + IDS.incrementAndGet();
    LiveFaults live = new LiveFaults();
    FaultyDevice d = device(id, live);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    live.add(failD0Entry("elsewhere", new DeviceSelector(Set.of(), Set.of("another-0001"), 1.0)));
    assertEquals(PnpOutcome.SUCCEEDED, d.setPower(DevicePowerState.D3).outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.setPower(DevicePowerState.D0).outcome());
    assertEquals(List.of(), d.observer.injected());
  }
}
