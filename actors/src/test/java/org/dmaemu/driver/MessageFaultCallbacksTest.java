package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.RecordingFaults;
import org.dmaemu.testing.TestKits;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Message faults on the CALLBACKS path (DESIGN §10): framework-to-driver Evt* callbacks as the
 * driver receives them, dropped, delayed or duplicated; and the framework side that must take a
 * late or repeated return for no other callback.
 */
class MessageFaultCallbacksTest {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration QUIET = Duration.ofMillis(300);
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MessageFaultCallbacksTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** A driver that hands every message to {@code probe}: the test answers for it. */
  private static DriverModel forwardingTo(TestProbe<DriverMessage> probe) {
    return context -> Behaviors.receiveMessage(m -> {
      probe.getRef().tell(m);
      return Behaviors.same();
    });
  }

  private static <T extends DriverCallback> T expect(TestProbe<DriverMessage> driver, Class<T> type) {
    return driver.expectMessageClass(type, Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("DESIGN §4 / reference §2.1: a repeated return names its invocation and is not taken for the next callback")
  void repeatedReturnIgnored() {
    TestProbe<DriverMessage> driver = kit.createTestProbe(DriverMessage.class);
    TestProbe<PnpResult> pnp = kit.createTestProbe(PnpResult.class);
    String id = "cb-" + IDS.incrementAndGet();
    ActorRef<DeviceMessage> device =
        kit.spawn(Device.create(id, DeviceSettings.defaults(), forwardingTo(driver), TraceSink.NONE), id);
    device.tell(new PnpCommand.AddDevice(pnp.getRef()));
    expect(driver, DriverCallback.EvtDriverDeviceAdd.class).replyTo().tell(CallbackReturn.SUCCESS.answering(1));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage().outcome());

    // The device stopped its idle driver after AddDevice: the new one's callbacks count from 1.
    device.tell(new PnpCommand.StartDevice(pnp.getRef()));
    DriverCallback.EvtDevicePrepareHardware prepare = expect(driver, DriverCallback.EvtDevicePrepareHardware.class);
    // Returned twice: the second copy arrives while EvtDeviceD0Entry (invocation 2) is outstanding.
    prepare.replyTo().tell(CallbackReturn.SUCCESS.answering(1));
    prepare.replyTo().tell(CallbackReturn.SUCCESS.answering(1));
    DriverCallback.EvtDeviceD0Entry entry = expect(driver, DriverCallback.EvtDeviceD0Entry.class);
    driver.expectNoMessage(QUIET);
    // D0 entry's own return decides its outcome: a failure unwinds the entry (§2.3 row 1).
    entry.replyTo().tell(new CallbackReturn(NtStatus.STATUS_UNSUCCESSFUL).answering(2));
    DriverCallback.EvtDeviceReleaseHardware release = expect(driver, DriverCallback.EvtDeviceReleaseHardware.class);
    release.replyTo().tell(CallbackReturn.SUCCESS.answering(3));
    PnpResult start = pnp.receiveMessage();
    assertEquals(PnpOutcome.FAILED, start.outcome());
    assertEquals(CallbackKind.EVT_DEVICE_D0_ENTRY, start.failedCallback());
  }

  // ---- Faults on the path ----------------------------------------------------------------------

  private static final DmaEnablerConfig SG = DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 65536).withAllCallbacks();

  private static String newId() {
    return "cbf-" + IDS.incrementAndGet();
  }

  /** A power-only device whose reference driver has {@code rules}. */
  private static FaultyDevice powerDevice(String id, DeviceSettings settings, FaultPlan plan, List<CallbackRule> rules) {
    return new FaultyDevice(kit, id, settings, plan, recorder -> new ReferenceDriver.Settings(List.of(SG), rules, 7L).model(recorder));
  }

  private static FaultPlan everyCallback(String faultId, MessageAction action, Duration delay, double p, String id, long seed) {
    return FaultyDevice.plan(faultId, MessagePath.CALLBACKS, action, delay, p, id, seed);
  }

  @Test
  @DisplayName("DESIGN §4/§10 callbacks drop: the driver never sees EvtDriverDeviceAdd; the device's deadline makes it a hang and the request ends")
  void droppedCallbackHangs() {
    String id = newId();
    FaultyDevice d = powerDevice(
        id, DeviceSettings.defaults().withCallbackDeadline(Duration.ofMillis(200)),
        everyCallback("drop-all", MessageAction.DROP, null, 1.0, id, 1), List.of());
    PnpResult add = d.add();
    assertEquals(PnpOutcome.HUNG, add.outcome());
    assertEquals(CallbackKind.EVT_DRIVER_DEVICE_ADD, add.failedCallback());
    assertEquals(DeviceState.HUNG, d.snapshot().state());
    assertEquals(List.of("EvtDriverDeviceAdd?"), d.callbacks());
    List<RecordingFaults.Injected> injected = d.observer.injected();
    assertEquals(1, injected.size());
    assertEquals("drop-all", injected.get(0).faultId());
    assertEquals(id, injected.get(0).deviceId());
    assertEquals("callbacks drop EvtDriverDeviceAdd", injected.get(0).what());
  }

  @Test
  @DisplayName("§2.1/§2.3 callbacks duplicate: every return comes twice, the framework takes one; the same callbacks run and D0 entry's failure stays D0 entry's")
  void duplicatedReturnsIgnored() {
    List<CallbackRule> failEntry = List.of(CallbackRule.fail(CallbackKind.EVT_DEVICE_D0_ENTRY, NtStatus.STATUS_UNSUCCESSFUL, 1.0));
    String plainId = newId();
    FaultyDevice plain = powerDevice(plainId, DeviceSettings.defaults(), FaultPlan.NONE, failEntry);
    String id = newId();
    FaultyDevice twice = powerDevice(
        id, DeviceSettings.defaults(), everyCallback("dup-all", MessageAction.DUPLICATE, null, 1.0, id, 1), failEntry);

    assertEquals(PnpOutcome.SUCCEEDED, plain.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, twice.add().outcome());
    PnpResult plainStart = plain.start();
    PnpResult twiceStart = twice.start();
    assertEquals(PnpOutcome.FAILED, twiceStart.outcome());
    assertEquals(CallbackKind.EVT_DEVICE_D0_ENTRY, twiceStart.failedCallback());
    assertEquals(plainStart.failedCallback(), twiceStart.failedCallback());
    assertEquals(plainStart.callbacksInvoked(), twiceStart.callbacksInvoked());
    List<String> callbacks = twice.callbacks();
    assertEquals(plain.callbacks(), callbacks);
    // Every callback delivered was duplicated, and reported as such.
    assertEquals(callbacks.size(), twice.observer.injected().size());
    assertTrue(twice.observer.what().contains("callbacks duplicate EvtDeviceD0Entry"), twice.observer.what().toString());
    assertTrue(twice.observer.injected().stream().allMatch(i -> i.faultId().equals("dup-all") && i.deviceId().equals(id)));
  }

  @Test
  @DisplayName("§9.2/§9.5 callbacks duplicate on a DMA driver: EvtProgramDma, ISR and DPC returned twice; every request completes once, no bug check")
  void duplicatedReturnsDuringIo() {
    String id = newId();
    DmaIoDriver.Settings plx = new DmaIoDriver.Settings(
        DmaIoDriver.Mode.SCATTER_GATHER,
        DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8192).withWdmDmaVersionOverride(3),
        2, IoWorkload.closed(2, 1, 64 * 1024, 0.5, 20), 0, List.of(), 11).withWatchdog(Duration.ofSeconds(2));
    FaultyDevice d = new FaultyDevice(
        kit, id, DeviceSettings.defaults().withHardware(HardwareSettings.defaults()),
        everyCallback("dup-io", MessageAction.DUPLICATE, null, 1.0, id, 1), plx::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(20, d.awaitIoFinished(Duration.ofSeconds(20)));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_SUCCESS), d.observer.ended().toString());
    assertEquals(List.of(), d.snapshot().bugChecks());
    List<String> what = d.observer.what();
    for (String kind : List.of("EvtProgramDma", "EvtInterruptIsr", "EvtInterruptDpc")) {
      assertTrue(what.contains("callbacks duplicate " + kind), kind + " in " + what);
    }
    assertEquals(PnpOutcome.SUCCEEDED, d.remove().outcome());
    assertEquals(List.of(), d.snapshot().bugChecks(), "nothing held at removal");
  }

  @Test
  @DisplayName("DESIGN §5/§10 callbacks delay: each callback reaches the driver the modeled delay later; the same callbacks run, each taking at least the delay")
  void delayedCallbacks() {
    String plainId = newId();
    FaultyDevice plain = powerDevice(plainId, DeviceSettings.defaults(), FaultPlan.NONE, List.of());
    String id = newId();
    FaultyDevice late = powerDevice(
        id, DeviceSettings.defaults(), everyCallback("late-all", MessageAction.DELAY, Duration.ofMillis(40), 1.0, id, 1),
        List.of());
    assertEquals(PnpOutcome.SUCCEEDED, plain.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, plain.start().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, late.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, late.start().outcome());
    List<TraceEvent> spans = late.trace.all().stream()
        .filter(e -> e.track().equals(id) && e.phase().equals("X") && e.name().startsWith("Evt")).toList();
    assertTrue(spans.size() > 5, spans.toString());
    for (TraceEvent span : spans) {
      assertTrue(span.durMicros() >= 40_000, span.name() + " took " + span.durMicros() + " us");
    }
    assertEquals(plain.callbacks(), late.callbacks());
    assertTrue(late.observer.what().contains("callbacks delay EvtDeviceD0Entry"), late.observer.what().toString());
  }

  @Test
  @DisplayName("DESIGN §5: the same seed gives the same callback injections; another seed others")
  void sameSeedSameInjections() {
    List<String> first = powerCycleInjections("same-seed-device", 41);
    List<String> again = powerCycleInjections("same-seed-device", 41);
    List<String> other = powerCycleInjections("same-seed-device", 42);
    assertTrue(first.size() > 3 && first.size() < 25, first.toString());
    assertEquals(first, again);
    assertNotEquals(first, other);
  }

  /** Add, start, D3, D0, remove under p = 0.5 duplicates; what was duplicated, in order. */
  private static List<String> powerCycleInjections(String id, long seed) {
    FaultyDevice d = powerDevice(
        id, DeviceSettings.defaults(), everyCallback("dup-half", MessageAction.DUPLICATE, null, 0.5, id, seed), List.of());
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.setPower(DevicePowerState.D3).outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.setPower(DevicePowerState.D0).outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.remove().outcome());
    return d.observer.what();
  }
}
