package org.dmaemu.node.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.List;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;

/**
 * The PnP manager's script for one device: sends each request when the previous one's result
 * arrives, reports a {@link DeviceOutcome} and stops. A failed, hung or rejected request ends the
 * script — the device is left where that request put it.
 */
public final class DeviceScript extends AbstractBehavior<DeviceScript.Command> {

  public sealed interface Command extends CborSerializable {}

  private record WrappedPnpResult(PnpResult result) implements Command {}

  private final String deviceId;
  private final ActorRef<DeviceMessage> device;
  private final List<ScriptStep> steps;
  private final ActorRef<DeviceOutcome> reportTo;
  private final ActorRef<PnpResult> resultAdapter;
  private int position;
  private boolean reachedD0;
  private int cyclesCompleted;
  private int requests;
  private long callbacks;

  public static Behavior<Command> create(
      String deviceId, ActorRef<DeviceMessage> device, List<ScriptStep> steps, ActorRef<DeviceOutcome> reportTo) {
    return Behaviors.setup(context -> new DeviceScript(context, deviceId, device, steps, reportTo));
  }

  private DeviceScript(
      ActorContext<Command> context,
      String deviceId,
      ActorRef<DeviceMessage> device,
      List<ScriptStep> steps,
      ActorRef<DeviceOutcome> reportTo) {
    super(context);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a script needs at least one step");
    }
    this.deviceId = deviceId;
    this.device = device;
    this.steps = steps;
    this.reportTo = reportTo;
    this.resultAdapter = context.messageAdapter(PnpResult.class, WrappedPnpResult::new);
    device.tell(steps.get(0).command(resultAdapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder().onMessage(WrappedPnpResult.class, this::onPnpResult).build();
  }

  private Behavior<Command> onPnpResult(WrappedPnpResult wrapped) {
    PnpResult result = wrapped.result();
    ScriptStep step = steps.get(position);
    requests++;
    callbacks += result.callbacksInvoked();
    if (result.outcome() != PnpOutcome.SUCCEEDED) {
      return finish(step, result);
    }
    if (step.entersD0()) {
      reachedD0 = true;
      if (step == ScriptStep.TO_D0) {
        cyclesCompleted++;
      }
    }
    position++;
    if (position == steps.size()) {
      return finish(step, result);
    }
    device.tell(steps.get(position).command(resultAdapter));
    return this;
  }

  private Behavior<Command> finish(ScriptStep last, PnpResult result) {
    reportTo.tell(
        new DeviceOutcome(
            deviceId,
            last,
            result.outcome(),
            result.failedCallback(),
            result.failedEnablerIndex(),
            result.failureStatus(),
            result.detail(),
            reachedD0,
            cyclesCompleted,
            requests,
            callbacks));
    return Behaviors.stopped();
  }
}
