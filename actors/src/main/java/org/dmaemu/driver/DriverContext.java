package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.device.DeviceMessage;

/**
 * What a driver actor is given when its device starts it: who it drives, where its DDI calls go,
 * and which of the device's PnP requests it serves (the k-th; drivers derive their random streams
 * from it so that results do not depend on timing or placement).
 */
public record DriverContext(String deviceId, ActorRef<DeviceMessage> device, long requestOrdinal) {}
