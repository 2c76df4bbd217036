package org.dmaemu.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DriverModel;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;

/**
 * One device under a fault plan, with a driver made by the test, its injections, requests and
 * adapters recorded ({@link RecordingFaults}) and its callbacks traced.
 */
public final class FaultyDevice {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);

  public final String id;
  public final ActorRef<DeviceMessage> device;
  public final RecordingFaults observer = new RecordingFaults();
  public final RecordingTrace trace = new RecordingTrace();
  private final TestProbe<PnpResult> results;
  private final TestProbe<DeviceSnapshot> snapshots;

  /**
   * @param id the device id (seeds derive from it: two devices of one id and seed draw alike)
   * @param driver the driver model, given the recorder as its observer
   */
  public FaultyDevice(
      ActorTestKit kit, String id, DeviceSettings settings, FaultPlan plan, Function<RecordingFaults, DriverModel> driver) {
    this.id = id;
    this.results = kit.createTestProbe();
    this.snapshots = kit.createTestProbe();
    this.device = kit.spawn(
        Device.create(id, settings.withFaults(plan), driver.apply(observer), trace, observer),
        id + "-" + NAMES.incrementAndGet());
  }

  /** A plan of one message fault on this device only, always active. */
  public static FaultPlan plan(
      String faultId, MessagePath path, MessageAction action, Duration delay, double probability, String deviceId,
      long seed) {
    return new FaultPlan(
        List.of(new Fault.MessageFault(
            faultId, path, action, delay, probability, new DeviceSelector(Set.of(), Set.of(deviceId), 1.0),
            Window.ALWAYS)),
        seed);
  }

  public PnpResult add() {
    return send(new PnpCommand.AddDevice(results.getRef()));
  }

  public PnpResult start() {
    return send(new PnpCommand.StartDevice(results.getRef()));
  }

  public PnpResult setPower(DevicePowerState target) {
    return send(new PnpCommand.SetDevicePower(target, results.getRef()));
  }

  public PnpResult remove() {
    return send(new PnpCommand.RemoveDevice(results.getRef()));
  }

  public PnpResult send(DeviceMessage command) {
    device.tell(command);
    return results.receiveMessage(WAIT);
  }

  public DeviceSnapshot snapshot() {
    device.tell(new GetDeviceState(snapshots.getRef()));
    return snapshots.receiveMessage(WAIT);
  }

  /** Callbacks since the last call; see {@link RecordingTrace#drainCallbacks}. */
  public List<String> callbacks() {
    return trace.drainCallbacks(id);
  }

  /** Waits until the driver reports the end of its I/O; returns how many requests it issued. */
  public long awaitIoFinished(Duration within) {
    results.awaitAssert(within, () -> {
      assertTrue(observer.finishedWith() >= 0, "the driver reports the end of its I/O");
      return null;
    });
    return observer.finishedWith();
  }

  /** Once the I/O has ended, the device's adapters hold only the reservations of its driver, and no lock. */
  public void assertNothingHeldButReservations(int reservedRegisters) {
    results.awaitAssert(WAIT, () -> {
      assertEquals(reservedRegisters, observer.registersInUse(), "map registers in use");
      assertTrue(!observer.anyLockHeld(), "an adapter lock is still held");
      return null;
    });
  }

  /** Removes the device: no bug check (no K5, nothing held: 0xE6/0x09), every register back, none leaked. */
  public void removeCleanly() {
    assertEquals(PnpOutcome.SUCCEEDED, remove().outcome());
    assertEquals(List.of(), snapshot().bugChecks(), "nothing held at removal");
    results.awaitAssert(WAIT, () -> {
      assertEquals(0, observer.registersInUse());
      return null;
    });
    assertEquals(0, observer.registersLeaked());
  }

  /** Each request ended exactly once. */
  public void assertEachRequestEndedOnce() {
    assertEquals(observer.submitted(), observer.ended().size(), "every request ends: " + observer.ended());
    assertEquals(
        observer.submitted(),
        observer.ended().stream().map(e -> e.sequence()).distinct().count(),
        "no request ends twice");
  }
}
