package org.dmaemu.protocol.device;

import akka.actor.typed.ActorRef;

/** Asks a device for a {@link DeviceSnapshot} (tests, inspection). */
public record GetDeviceState(ActorRef<DeviceSnapshot> replyTo) implements DeviceMessage {}
