package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.testing.TestKits;
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
}
