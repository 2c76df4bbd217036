package org.dmaemu.node.run;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpResult;

/** One request of a power-cycle script, as the PnP manager sends it. */
public enum ScriptStep {
  ADD("AddDevice"),
  START("StartDevice"),
  TO_D3("SetDevicePower(D3)"),
  TO_D0("SetDevicePower(D0)"),
  REMOVE("RemoveDevice"),
  SURPRISE_REMOVE("SurpriseRemoval");

  private final String label;

  ScriptStep(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** A request whose success leaves the device in D0. */
  public boolean entersD0() {
    return this == START || this == TO_D0;
  }

  /** A request that takes the device out of D0 (a removal of a started device runs the D0-exit path). */
  public boolean leavesD0() {
    return this == TO_D3 || this == REMOVE || this == SURPRISE_REMOVE;
  }

  PnpCommand command(ActorRef<PnpResult> replyTo) {
    switch (this) {
      case ADD:
        return new PnpCommand.AddDevice(replyTo);
      case START:
        return new PnpCommand.StartDevice(replyTo);
      case TO_D3:
        return new PnpCommand.SetDevicePower(DevicePowerState.D3, replyTo);
      case TO_D0:
        return new PnpCommand.SetDevicePower(DevicePowerState.D0, replyTo);
      case SURPRISE_REMOVE:
        return new PnpCommand.SurpriseRemoveDevice(replyTo);
      default:
        return new PnpCommand.RemoveDevice(replyTo);
    }
  }

  /**
   * AddDevice → StartDevice → (D3 → D0) × {@code cycles} → RemoveDevice; only the first two when
   * {@code stopAfterStart}, which leaves the device in D0.
   */
  public static List<ScriptStep> script(int cycles, boolean stopAfterStart) {
    List<ScriptStep> steps = new ArrayList<>(3 + 2 * cycles);
    steps.add(ADD);
    steps.add(START);
    if (!stopAfterStart) {
      for (int i = 0; i < cycles; i++) {
        steps.add(TO_D3);
        steps.add(TO_D0);
      }
      steps.add(REMOVE);
    }
    return List.copyOf(steps);
  }
}
