package org.dmaemu.protocol.hardware;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.arbitration.Requester;

/**
 * A shared bus (DESIGN §3, after gem5's crossbar layer): one transfer at a time, each occupying
 * the bus for {@code header + bytes / width} of modeled time; the others wait in the order of the
 * bus's arbitration policy. KMDF knows nothing of it: it is the platform under the DMA engines.
 *
 * <p>One request, one answer: {@link BusReply.BusTransferDone} when the occupancy is over, carrying
 * when it began, so that the requester can tell its wait and its own data time apart. Nobody
 * releases the bus: the occupancy is fixed when it is granted. The bus watches requesters; a
 * requester that dies loses its place in the queue (an occupancy already granted runs out).
 *
 * <p>A requester whose answers can be lost (DESIGN §10, the grants path) asks with
 * {@code acknowledge}: it confirms each {@code BusTransferDone} with {@link BusTransferDoneReceived},
 * and the bus sends the answer again every redelivery timeout until it does.
 */
public sealed interface BusMessage extends CborSerializable {

  /**
   * Occupy the bus for a transfer of {@code bytes}.
   *
   * @param readyAtMicros modeled time (the node's clock) at which the transfer was ready for the
   *     bus: its occupancy starts then if the bus is free, so that the message's own delivery time
   *     does not count as bus time. The bus never starts an occupancy before the previous one
   *     ended, nor later than when the request arrived if the bus was free then.
   * @param acknowledge the requester confirms the answer with {@link BusTransferDoneReceived}
   */
  record OccupyBus(
      long requestId, long bytes, long readyAtMicros, Requester requester, ActorRef<BusReply> replyTo,
      boolean acknowledge)
      implements BusMessage {

    /** A request whose answer is not confirmed: it is sent once. */
    public OccupyBus(long requestId, long bytes, long readyAtMicros, Requester requester, ActorRef<BusReply> replyTo) {
      this(requestId, bytes, readyAtMicros, requester, replyTo, false);
    }
  }

  /** The {@code BusTransferDone} of request {@code requestId} arrived; the bus stops sending it again. */
  record BusTransferDoneReceived(long requestId, ActorRef<BusReply> replyTo) implements BusMessage {}

  record GetBusState(ActorRef<BusSnapshot> replyTo) implements BusMessage {}

  /** The bus actor's own messages (its occupancy timer); nobody else sends them. */
  non-sealed interface Internal extends BusMessage {}
}
