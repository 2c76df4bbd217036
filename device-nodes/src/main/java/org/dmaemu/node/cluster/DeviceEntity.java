package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.time.Duration;
import org.dmaemu.device.Device;
import org.dmaemu.node.metrics.DeviceMeter;
import org.dmaemu.node.inspect.Inspection;
import org.dmaemu.node.run.DeviceLaunch;
import org.dmaemu.node.run.DeviceOutcome;
import org.dmaemu.node.run.DeviceScript;
import org.dmaemu.node.run.ScriptStep;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.device.DeviceInspection;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.InspectDevice;
import org.dmaemu.time.NodeClock;

/**
 * One emulated device of a cluster run (DESIGN §3: "Device (sharded entity, id = device id)"):
 * entity id = the device id, e.g. {@code nic-0003}. On {@link Start} it plans the device from its
 * node's part of the run — the plan depends on (seed, device id) only, so the node it landed on
 * changes nothing the device does — spawns the {@code Device} and its {@code DeviceScript} as
 * children, as an embedded run's PnP manager does, and once the script has ended and the device has
 * stopped (so that what its transactions still held is known), reports the outcome and stops.
 */
public final class DeviceEntity extends AbstractBehavior<DeviceEntity.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "device");

  public sealed interface Command extends CborSerializable {}

  /** Run the device's script in run {@code runId} and report to {@code replyTo}. */
  public record Start(String runId, ActorRef<Report> replyTo) implements Command {}

  /** What a device entity reports. */
  public sealed interface Report extends CborSerializable {
    String runId();
  }

  /** The device's script ended: its outcome, with the map registers its transactions still held. */
  public record Ended(String runId, String node, DeviceOutcome outcome) implements Report {}

  /** The device could not run: the node it landed on has no (prepared) part in the run. */
  public record NotRun(String runId, String deviceId, String node, String reason) implements Report {}

  private record WrappedOutcome(DeviceOutcome outcome) implements Command {}

  /**
   * A surprise removal or power cycle injected into run {@code runId} ({@code dmaemu inject}), for
   * the device's script; an entity that is not running the run ignores it.
   */
  public record InjectEvent(String runId, DeviceScript.InjectEvent event) implements Command {}

  /** The device and its transactions now (dmaemu inspect); no answer unless the device is running. */
  public record Inspect(ActorRef<Inspection.DeviceEntry> replyTo) implements Command {}

  private record WrappedInspection(DeviceInspection inspection, ActorRef<Inspection.DeviceEntry> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  /** How long the device has to gather its transactions' states (its inspector waits less). */
  private static final Duration INSPECTION_TIMEOUT = Duration.ofSeconds(3);

  private enum DeviceStopped implements Command {
    INSTANCE
  }

  /** Registers the entity type on this node; the shards never move and the entities never passivate. */
  public static void init(ActorSystem<?> system) {
    Hosting.initEntity(system, TYPE_KEY, id -> create(id));
  }

  public static Behavior<Command> create(String deviceId) {
    return Behaviors.setup(context -> new DeviceEntity(context, deviceId));
  }

  private final String deviceId;
  private String runId;
  private String node;
  private ActorRef<Report> replyTo;
  private ActorRef<DeviceMessage> device;
  private ActorRef<DeviceScript.Command> script;
  private DeviceMeter meter;
  private DeviceOutcome outcome;

  private DeviceEntity(ActorContext<Command> context, String deviceId) {
    super(context);
    this.deviceId = deviceId;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(WrappedOutcome.class, this::onOutcome)
        .onMessage(Inspect.class, this::onInspect)
        .onMessage(InjectEvent.class, this::onInjectEvent)
        .onMessage(WrappedInspection.class, this::onInspection)
        .onMessageEquals(DeviceStopped.INSTANCE, this::onDeviceStopped)
        .build();
  }

  private Behavior<Command> onInspect(Inspect inspect) {
    if (device == null) {
      // Not running: an entity that sharding started for this question goes away again.
      return runId == null ? Behaviors.stopped() : this;
    }
    getContext().ask(DeviceInspection.class, device, INSPECTION_TIMEOUT, InspectDevice::new,
        (inspection, failure) -> new WrappedInspection(inspection, inspect.replyTo()));
    return this;
  }

  private Behavior<Command> onInjectEvent(InjectEvent inject) {
    if (runId == null) {
      // Sharding started this entity for the event: the device ran here and ended already.
      return Behaviors.stopped();
    }
    if (inject.runId().equals(runId) && outcome == null) {
      script.tell(inject.event());
    }
    return this;
  }

  private Behavior<Command> onInspection(WrappedInspection wrapped) {
    if (wrapped.inspection() != null) {
      wrapped.replyTo().tell(new Inspection.DeviceEntry(node, wrapped.inspection()));
    }
    return this;
  }

  private Behavior<Command> onStart(Start start) {
    if (runId != null) {
      // Started already (a repeated Start): the one script runs on.
      return this;
    }
    NodeRun run = LocalRuns.get(getContext().getSystem()).get(start.runId());
    if (run == null || run.workload() == null) {
      start.replyTo().tell(new NotRun(start.runId(), deviceId, run == null ? "" : run.node(),
          run == null ? "the node it landed on has no part in the run" : "the node's workload is not ready"));
      return Behaviors.stopped();
    }
    if (!run.started().add(deviceId)) {
      // It ran here already and has answered; this Start was sent again after the run lost a node.
      return Behaviors.stopped();
    }
    runId = start.runId();
    node = run.node();
    replyTo = start.replyTo();
    launch(run);
    return this;
  }

  /**
   * How long the script lets no request end before it gives the I/O up: in a cluster a device may
   * wait for what a crashed node's devices held on a shared arbiter until the failure detector and
   * the split brain resolver have removed that node, and only then get it.
   */
  private Duration quietAfter() {
    Duration heartbeatPause = getContext().getSystem().settings().config()
        .getDuration("akka.cluster.failure-detector.acceptable-heartbeat-pause");
    // Twice the usual margin: removal and reclaim came 24-25 s after a SIGKILL with a 15 s pause (performance.md).
    return DeviceLaunch.QUIET_AFTER.multipliedBy(2).plus(heartbeatPause).plus(NodeConfig.SBR_STABLE_AFTER);
  }

  /** The device and its script, made as an embedded run makes them ({@link DeviceLaunch}). */
  private void launch(NodeRun run) {
    DeviceLaunch launch = DeviceLaunch.of(run.workload(), run.workload().driverRules(), run.scenario().run().seed(),
        deviceId, run.runMetrics(), NodeClock.get(getContext().getSystem()), quietAfter());
    meter = launch.meter();
    device = getContext().spawn(launch.device(run.trace()), "device");
    ActorRef<DeviceOutcome> reportTo = getContext().messageAdapter(DeviceOutcome.class, WrappedOutcome::new);
    script = getContext().spawn(
        launch.script(device, ScriptStep.script(run.scenario().power().cycles(), false), reportTo), "script");
  }

  private Behavior<Command> onOutcome(WrappedOutcome wrapped) {
    outcome = wrapped.outcome();
    getContext().watchWith(device, DeviceStopped.INSTANCE);
    getContext().stop(device);
    return this;
  }

  private Behavior<Command> onDeviceStopped() {
    DeviceOutcome o = meter == null ? outcome : outcome.withLeaks(meter.leakReports(), meter.registersHeld());
    replyTo.tell(new Ended(runId, node, o));
    return Behaviors.stopped();
  }
}
