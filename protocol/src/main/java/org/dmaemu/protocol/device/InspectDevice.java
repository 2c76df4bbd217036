package org.dmaemu.protocol.device;

import akka.actor.typed.ActorRef;

/** Asks a device for its state and the state of each of its DMA transactions. */
public record InspectDevice(ActorRef<DeviceInspection> replyTo) implements DeviceMessage {}
