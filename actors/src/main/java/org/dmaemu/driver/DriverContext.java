package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import java.time.Duration;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.protocol.device.DeviceMessage;

/**
 * What a driver actor is given when its device starts it: who it drives, where its DDI calls go,
 * and which of the device's PnP requests it serves (the k-th; drivers derive their random streams
 * from it so that results do not depend on timing or placement); how long the device waits for a
 * callback before calling it a hang; and the run's fault plan with the device's group, from which
 * the driver takes the gates of the message paths it receives on (DESIGN §10).
 */
public record DriverContext(
    String deviceId,
    ActorRef<DeviceMessage> device,
    long requestOrdinal,
    Duration callbackDeadline,
    FaultPlan faults,
    String group) {

  /** A driver of a device without faults and with the default 1 s callback deadline. */
  public DriverContext(String deviceId, ActorRef<DeviceMessage> device, long requestOrdinal) {
    this(deviceId, device, requestOrdinal, Duration.ofSeconds(1), FaultPlan.NONE, "default");
  }

  public DriverContext {
    faults = faults == null ? FaultPlan.NONE : faults;
  }

  /**
   * The message gate of the driver's {@code actorKey} (unique within the device; drivers add their
   * request ordinal, so that each driver actor of the device draws its own stream).
   */
  public MessageGate gate(String actorKey) {
    return faults.gate(deviceId, group, actorKey);
  }
}
