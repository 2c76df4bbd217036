package org.dmaemu.verifier;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.MisbehavingDriver;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.Catalogue.Expectation;
import org.dmaemu.verifier.Catalogue.When;

/**
 * One device with a {@link MisbehavingDriver}: AddDevice, StartDevice (the misuse follows
 * self-managed I/O start), RemoveDevice for the misuses left for removal; then what came of it.
 */
final class MisuseRun {
  static final Duration WAIT = Duration.ofSeconds(5);
  /** How long stray bug checks (a crash's own teardown) get to arrive before the last look. */
  static final Duration SETTLE = Duration.ofMillis(100);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long SEED = 42;

  /**
   * @param removal the RemoveDevice result, {@code null} when the fault is not a removal fault
   * @param snapshot the device's last state, {@code null} if it no longer answers (an exception
   *     stopped it)
   * @param returns what the misusing call returned (record mode only)
   */
  record Outcome(
      String deviceId,
      ActorRef<DeviceMessage> device,
      PnpResult added,
      PnpResult started,
      PnpResult removal,
      DeviceSnapshot snapshot,
      List<DriverMessage> returns) {}

  private MisuseRun() {}

  static Outcome run(ActorTestKit kit, Expectation expected, OnViolation mode) {
    String id = "misuse-" + expected.fault().name().toLowerCase(java.util.Locale.ROOT) + "-" + IDS.incrementAndGet();
    ConcurrentLinkedQueue<DriverMessage> returns = new ConcurrentLinkedQueue<>();
    MisbehavingDriver.Settings driver = MisbehavingDriver.Settings.forFault(expected.fault(), SEED);
    DeviceSettings settings = DeviceSettings.defaults().withVerifier(new VerifierSettings(true, mode));
    ActorRef<DeviceMessage> device =
        kit.spawn(Device.create(id, settings, driver.model((dev, r) -> returns.add(r)), TraceSink.NONE), id);
    TestProbe<PnpResult> pnp = kit.createTestProbe();
    TestProbe<DeviceSnapshot> snapshots = kit.createTestProbe();

    device.tell(new PnpCommand.AddDevice(pnp.getRef()));
    PnpResult added = pnp.receiveMessage(WAIT);
    device.tell(new PnpCommand.StartDevice(pnp.getRef()));
    PnpResult started = pnp.receiveMessage(WAIT);
    PnpResult removal = null;
    if (expected.when() == When.REMOVAL) {
      device.tell(new PnpCommand.RemoveDevice(pnp.getRef()));
      removal = pnp.receiveMessage(WAIT);
    }
    if (expected.expectsBugCheck()) {
      awaitBugCheck(snapshots, device);
    }
    // Anything a crash or a removal still sends has arrived by now.
    pnp.expectNoMessage(SETTLE);
    return new Outcome(id, device, added, started, removal, snapshot(snapshots, device), List.copyOf(returns));
  }

  /** Until the device lists a bug check or stops answering; the caller's assertions judge what came. */
  private static void awaitBugCheck(TestProbe<DeviceSnapshot> probe, ActorRef<DeviceMessage> device) {
    try {
      probe.awaitAssert(WAIT, Duration.ofMillis(10), () -> {
        DeviceSnapshot s = snapshot(probe, device);
        if (s != null && s.bugChecks().isEmpty()) {
          throw new AssertionError("no bug check yet");
        }
        return null;
      });
    } catch (AssertionError none) {
      // Reported by the caller, which sees the snapshot.
    }
  }

  /** D3 and back to D0: the first outcome that is not SUCCEEDED, else SUCCEEDED. */
  static PnpOutcome powerCycle(ActorTestKit kit, Outcome outcome) {
    TestProbe<PnpResult> pnp = kit.createTestProbe();
    for (DevicePowerState target : List.of(DevicePowerState.D3, DevicePowerState.D0)) {
      outcome.device().tell(new PnpCommand.SetDevicePower(target, pnp.getRef()));
      PnpOutcome result = pnp.receiveMessage(WAIT).outcome();
      if (result != PnpOutcome.SUCCEEDED) {
        return result;
      }
    }
    return PnpOutcome.SUCCEEDED;
  }

  /** The device's state, or {@code null} when it does not answer (it is dead). */
  static DeviceSnapshot snapshot(TestProbe<DeviceSnapshot> probe, ActorRef<DeviceMessage> device) {
    device.tell(new GetDeviceState(probe.getRef()));
    try {
      return probe.receiveMessage(Duration.ofMillis(500));
    } catch (AssertionError noAnswer) {
      return null;
    }
  }
}
