package org.dmaemu.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.driver.ReferenceDriver;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;

/** One device with a reference driver, driven request by request, its callbacks recorded. */
public final class DeviceHarness {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(5);

  public final String id;
  public final ActorRef<DeviceMessage> device;
  private final RecordingTrace trace = new RecordingTrace();
  private final TestProbe<PnpResult> results;
  private final TestProbe<DeviceSnapshot> snapshots;

  public DeviceHarness(
      ActorTestKit kit, DeviceSettings settings, List<DmaEnablerConfig> enablers, List<CallbackRule> rules) {
    this.id = "dev-" + IDS.incrementAndGet();
    this.results = kit.createTestProbe();
    this.snapshots = kit.createTestProbe();
    ReferenceDriver.Settings driver = new ReferenceDriver.Settings(enablers, rules, 7L);
    this.device = kit.spawn(Device.create(id, settings, driver.model(), trace), id);
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

  public PnpResult stop() {
    return send(new PnpCommand.StopDevice(results.getRef()));
  }

  public PnpResult remove() {
    return send(new PnpCommand.RemoveDevice(results.getRef()));
  }

  public PnpResult surpriseRemove() {
    return send(new PnpCommand.SurpriseRemoveDevice(results.getRef()));
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
}
