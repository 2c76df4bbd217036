package org.dmaemu.node.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.dmaemu.node.metrics.DeviceMeter;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.device.SelfManagedIoState;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.verifier.BugCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One device's script against a probe standing in for the device: I/O waits, crashes, bug checks. */
class DeviceScriptTest {

  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit =
        ActorTestKit.create(
            "DeviceScriptTest",
            ConfigFactory.parseString("akka.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static final List<ScriptStep> ONE_CYCLE = ScriptStep.script(1, false);

  private static PnpResult succeeded(String id, PnpCommand command) {
    return new PnpResult(id, command.request(), PnpOutcome.SUCCEEDED, DeviceState.STARTED, DevicePowerState.D0,
        null, -1, null, 2, "");
  }

  private static BugCheck bugCheck(String id, String rule, String ddi) {
    return new BugCheck(0xE6, 0x09, rule, "§8.4", ddi, id, 0, 1, TransactionState.RELEASED, "test");
  }

  private static DeviceSnapshot snapshot(String id, DeviceState state, List<BugCheck> bugChecks) {
    return new DeviceSnapshot(id, state, DevicePowerState.D3_FINAL, SelfManagedIoState.STOPPED, List.of(), false, 0,
        bugChecks);
  }

  /** Answers the next PnP request with success and returns it. */
  private static PnpCommand answer(TestProbe<DeviceMessage> device, String id) {
    PnpCommand command = (PnpCommand) device.receiveMessage();
    command.replyTo().tell(succeeded(id, command));
    return command;
  }

  @Test
  @DisplayName("a DMA device gets its next PnP request only when every request of its I/O has ended")
  void waitsForTheIo() {
    String id = "dev-script-1";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    DeviceMeter meter = newMeter(new RunMetrics(), 3);
    DeviceScript.Io io = new DeviceScript.Io(meter, "packet (DMA v2)", Duration.ofSeconds(5), Duration.ofSeconds(30));
    kit.spawn(DeviceScript.create(id, device.getRef(), ONE_CYCLE, outcomes.getRef(), io));

    assertEquals(PnpCommand.AddDevice.class, answer(device, id).getClass());
    assertEquals(PnpCommand.StartDevice.class, answer(device, id).getClass());
    meter.requestCompleted(new IoObserver.RequestEnd(id, 0, DmaDirection.READ_FROM_DEVICE, 4096, NtStatus.STATUS_SUCCESS, 10, 0));
    meter.requestCompleted(new IoObserver.RequestEnd(id, 0, DmaDirection.WRITE_TO_DEVICE, 0, NtStatus.STATUS_INSUFFICIENT_RESOURCES, 10, 0));
    device.expectNoMessage(Duration.ofMillis(200));
    meter.requestCompleted(new IoObserver.RequestEnd(id, 0, DmaDirection.WRITE_TO_DEVICE, 100, NtStatus.STATUS_SUCCESS, 10, 0));
    meter.ioFinished(id, 3);

    PnpCommand d3 = answer(device, id);
    assertEquals(DevicePowerState.D3, ((PnpCommand.SetDevicePower) d3).target());
    answer(device, id);
    assertEquals(PnpCommand.RemoveDevice.class, answer(device, id).getClass());
    GetDeviceState get = device.expectMessageClass(GetDeviceState.class);
    get.replyTo().tell(snapshot(id, DeviceState.REMOVED,
        List.of(bugCheck(id, "E6-0x05", "FreeMapRegisters"), bugCheck(id, "K5", "WdfObjectDelete"))));

    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(PnpOutcome.SUCCEEDED, o.outcome());
    assertEquals(ScriptStep.REMOVE, o.lastStep());
    assertEquals("packet (DMA v2)", o.dmaKind());
    assertEquals(3, o.requestsSubmitted());
    assertEquals(3, o.requestsEnded());
    assertEquals(1, o.requestsFailed());
    assertEquals(4196, o.bytes());
    assertEquals(List.of("E6-0x05", "K5"), o.bugChecks());
    assertEquals(1, o.cyclesCompleted());
  }

  @Test
  @DisplayName("§8 a device that crashes during its I/O, between PnP requests, ends its script as crashed")
  void crashDuringIo() {
    String id = "dev-script-2";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    DeviceMeter meter = newMeter(new RunMetrics(), 5);
    DeviceScript.Io io = new DeviceScript.Io(meter, "scatter-gather", Duration.ofMillis(20), Duration.ofSeconds(30));
    kit.spawn(DeviceScript.create(id, device.getRef(), ONE_CYCLE, outcomes.getRef(), io));

    answer(device, id);
    answer(device, id);
    meter.requestCompleted(new IoObserver.RequestEnd(id, 0, DmaDirection.READ_FROM_DEVICE, 512, NtStatus.STATUS_SUCCESS, 10, 0));
    // The script looks at the device while it waits; the first look finds it running.
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(snapshot(id, DeviceState.STARTED, List.of()));
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(
        snapshot(id, DeviceState.CRASHED, List.of(bugCheck(id, "K3", "WdfDmaTransactionDmaCompleted"))));

    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(PnpOutcome.CRASHED, o.outcome());
    assertEquals(ScriptStep.START, o.lastStep());
    assertEquals(List.of("K3"), o.bugChecks());
    assertEquals(bugCheck(id, "K3", "WdfDmaTransactionDmaCompleted").summary(), o.detail());
    assertEquals(5, o.requestsSubmitted());
    assertEquals(1, o.requestsEnded());
    assertEquals(true, o.reachedD0());
    device.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("I/O that makes no progress for the quiet limit is given up and the script goes on")
  void stalledIo() {
    String id = "dev-script-3";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    DeviceMeter meter = newMeter(new RunMetrics(), 2);
    DeviceScript.Io io = new DeviceScript.Io(meter, "packet (DMA v3)", Duration.ofMillis(20), Duration.ofMillis(100));
    kit.spawn(DeviceScript.create(id, device.getRef(), ScriptStep.script(0, false), outcomes.getRef(), io));

    answer(device, id);
    answer(device, id);
    DeviceMessage next;
    do {
      next = device.receiveMessage(Duration.ofSeconds(3));
      if (next instanceof GetDeviceState) {
        ((GetDeviceState) next).replyTo().tell(snapshot(id, DeviceState.STARTED, List.of()));
      }
    } while (next instanceof GetDeviceState);
    PnpCommand remove = (PnpCommand) next;
    assertEquals(PnpCommand.RemoveDevice.class, remove.getClass());
    remove.replyTo().tell(succeeded(id, remove));
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(snapshot(id, DeviceState.REMOVED, List.of()));

    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(PnpOutcome.SUCCEEDED, o.outcome());
    assertEquals(2, o.requestsSubmitted());
    assertEquals(0, o.requestsEnded());
  }

  @Test
  @DisplayName("a power-only device's script sends its requests back to back")
  void powerOnly() {
    String id = "dev-script-4";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    ActorRef<DeviceScript.Command> script =
        kit.spawn(DeviceScript.create(id, device.getRef(), ONE_CYCLE, outcomes.getRef(), null));
    for (int i = 0; i < ONE_CYCLE.size(); i++) {
      answer(device, id);
    }
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(snapshot(id, DeviceState.REMOVED, List.of()));
    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(PnpOutcome.SUCCEEDED, o.outcome());
    assertEquals(null, o.dmaKind());
    assertEquals(0, o.requestsSubmitted());
    assertEquals(ONE_CYCLE.size(), o.pnpRequests());
    outcomes.expectTerminated(script);
  }

  private static void end(DeviceMeter meter, String id) {
    meter.requestCompleted(new IoObserver.RequestEnd(id, 0, DmaDirection.READ_FROM_DEVICE, 512, NtStatus.STATUS_SUCCESS, 10, 0));
  }

  private static DevicePowerState target(PnpCommand command) {
    return ((PnpCommand.SetDevicePower) command).target();
  }

  @Test
  @DisplayName("power.every: D3 → D0 cycles are sent while the I/O runs; those left when it ends run after it")
  void cyclesDuringIo() {
    String id = "dev-script-5";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    DeviceMeter meter = newMeter(new RunMetrics(), 2);
    DeviceScript.Io io = new DeviceScript.Io(meter, "packet", Duration.ofSeconds(5), Duration.ofSeconds(30));
    List<ScriptStep> threeCycles = ScriptStep.script(3, false);
    kit.spawn(DeviceScript.create(id, device.getRef(), threeCycles, outcomes.getRef(), io,
        new PowerSchedule(Duration.ofMillis(20), null)));

    assertEquals(PnpCommand.AddDevice.class, answer(device, id).getClass());
    assertEquals(PnpCommand.StartDevice.class, answer(device, id).getClass());
    // No request has ended: the cycles come on the schedule, D0 right after D3.
    assertEquals(DevicePowerState.D3, target(answer(device, id)));
    assertEquals(DevicePowerState.D0, target(answer(device, id)));
    assertEquals(DevicePowerState.D3, target(answer(device, id)));
    // The I/O ends while the second cycle is under way: its D0 comes, then the third cycle at once.
    end(meter, id);
    end(meter, id);
    meter.ioFinished(id, 2);
    assertEquals(DevicePowerState.D0, target(answer(device, id)));
    assertEquals(DevicePowerState.D3, target(answer(device, id)));
    assertEquals(DevicePowerState.D0, target(answer(device, id)));
    assertEquals(PnpCommand.RemoveDevice.class, answer(device, id).getClass());
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(snapshot(id, DeviceState.REMOVED, List.of()));
    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(PnpOutcome.SUCCEEDED, o.outcome());
    assertEquals(3, o.cyclesCompleted());
    assertEquals(threeCycles.size(), o.pnpRequests());
  }

  @Test
  @DisplayName("§6.4 power.surprise-removal: the device is surprise-removed during its I/O and its script ends there")
  void surpriseRemovalDuringIo() {
    String id = "dev-script-6";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    DeviceMeter meter = newMeter(new RunMetrics(), 5);
    DeviceScript.Io io = new DeviceScript.Io(meter, "packet", Duration.ofSeconds(5), Duration.ofSeconds(30));
    kit.spawn(DeviceScript.create(id, device.getRef(), ONE_CYCLE, outcomes.getRef(), io,
        new PowerSchedule(Duration.ZERO, Duration.ofMillis(20))));

    answer(device, id);
    answer(device, id);
    end(meter, id);
    // The I/O still runs: the removal comes on the schedule, not the cycle.
    assertEquals(PnpCommand.SurpriseRemoveDevice.class, answer(device, id).getClass());
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(snapshot(id, DeviceState.SURPRISE_REMOVED, List.of()));
    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(PnpOutcome.SUCCEEDED, o.outcome());
    assertEquals(ScriptStep.SURPRISE_REMOVE, o.lastStep());
    assertEquals(0, o.cyclesCompleted());
    assertEquals(3, o.pnpRequests());
  }

  @Test
  @DisplayName("a surprise removal due after the I/O has ended takes the orderly removal's place, after the cycles")
  void surpriseRemovalAfterIo() {
    String id = "dev-script-7";
    TestProbe<DeviceMessage> device = kit.createTestProbe();
    TestProbe<DeviceOutcome> outcomes = kit.createTestProbe();
    DeviceMeter meter = newMeter(new RunMetrics(), 1);
    DeviceScript.Io io = new DeviceScript.Io(meter, "packet", Duration.ofSeconds(5), Duration.ofSeconds(30));
    kit.spawn(DeviceScript.create(id, device.getRef(), ONE_CYCLE, outcomes.getRef(), io,
        new PowerSchedule(Duration.ZERO, Duration.ofSeconds(60))));

    answer(device, id);
    answer(device, id);
    end(meter, id);
    meter.ioFinished(id, 1);
    assertEquals(DevicePowerState.D3, target(answer(device, id)));
    assertEquals(DevicePowerState.D0, target(answer(device, id)));
    assertEquals(PnpCommand.SurpriseRemoveDevice.class, answer(device, id).getClass());
    device.expectMessageClass(GetDeviceState.class).replyTo().tell(snapshot(id, DeviceState.SURPRISE_REMOVED, List.of()));
    DeviceOutcome o = outcomes.receiveMessage();
    assertEquals(ScriptStep.SURPRISE_REMOVE, o.lastStep());
    assertEquals(1, o.cyclesCompleted());
  }

  /** A meter to which {@code submitted} requests have arrived. */
  private static DeviceMeter newMeter(RunMetrics run, int submitted) {
    DeviceMeter meter = new DeviceMeter(run);
    for (int i = 0; i < submitted; i++) {
      meter.requestSubmitted("dev", i, DmaDirection.READ_FROM_DEVICE, 1);
    }
    return meter;
  }
}
