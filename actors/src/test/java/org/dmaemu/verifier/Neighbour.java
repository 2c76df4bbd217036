package org.dmaemu.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.trace.TraceSink;

/**
 * A correct device running the PLX-style scatter-gather driver (reference §9) beside a misbehaving
 * one: started before the misuse, it must still finish its requests, and be removed without a bug
 * check, after the misuse.
 */
final class Neighbour {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long REQUESTS = 8;

  private final ActorRef<DeviceMessage> device;
  private final TestProbe<PnpResult> pnp;
  private final TestProbe<DeviceSnapshot> snapshots;
  private final ConcurrentLinkedQueue<NtStatus> done = new ConcurrentLinkedQueue<>();

  private Neighbour(ActorTestKit kit) {
    String id = "neighbour-" + IDS.incrementAndGet();
    DmaIoDriver.Settings driver =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SCATTER_GATHER,
            DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8192).withWdmDmaVersionOverride(3),
            2, IoWorkload.closed(2, 512, 32 * 1024, 0.5, REQUESTS), 0, List.of(), 7);
    DeviceSettings settings = DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
    this.device =
        kit.spawn(
            Device.create(id, settings, driver.model(end -> done.add(end.status())), TraceSink.NONE),
            id);
    this.pnp = kit.createTestProbe();
    this.snapshots = kit.createTestProbe();
  }

  /** Added and started: its requests are running. */
  static Neighbour start(ActorTestKit kit) {
    Neighbour n = new Neighbour(kit);
    n.device.tell(new PnpCommand.AddDevice(n.pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, n.pnp.receiveMessage(MisuseRun.WAIT).outcome(), "neighbour added");
    n.device.tell(new PnpCommand.StartDevice(n.pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, n.pnp.receiveMessage(MisuseRun.WAIT).outcome(), "neighbour started");
    return n;
  }

  /** Every request succeeded; the device is then removed, with no bug check. */
  void assertRanOn() {
    pnp.awaitAssert(MisuseRun.WAIT, Duration.ofMillis(10), () -> {
      assertEquals(REQUESTS, done.size(), "neighbour's requests completed");
      return null;
    });
    assertEquals(List.of(), done.stream().filter(s -> s != NtStatus.STATUS_SUCCESS).toList(), "neighbour's failed requests");
    device.tell(new PnpCommand.RemoveDevice(pnp.getRef()));
    PnpResult removed = pnp.receiveMessage(MisuseRun.WAIT);
    assertEquals(PnpOutcome.SUCCEEDED, removed.outcome(), "neighbour removed");
    assertEquals(DeviceState.REMOVED, removed.state());
    DeviceSnapshot s = MisuseRun.snapshot(snapshots, device);
    assertEquals(List.of(), s == null ? null : s.bugChecks(), "neighbour's bug checks");
  }
}
