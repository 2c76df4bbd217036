package org.dmaemu.hardware;

import akka.actor.typed.ActorRef;
import java.util.Objects;
import org.dmaemu.protocol.hardware.BusMessage;

/**
 * The shared {@link Bus} a device's DMA engine moves its data over (DESIGN §3). The run spawns the
 * bus and hands every device of the groups on it the same attachment.
 *
 * @param busId the bus's id, as the run and its metrics name it
 */
public record BusAttachment(String busId, ActorRef<BusMessage> ref) {

  public BusAttachment {
    Objects.requireNonNull(busId, "bus id");
    Objects.requireNonNull(ref, "bus ref");
  }
}
