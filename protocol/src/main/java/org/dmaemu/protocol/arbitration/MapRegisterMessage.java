package org.dmaemu.protocol.arbitration;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.CborSerializable;

/**
 * The map-register pool of one WDM adapter (reference §4): N registers, all-or-nothing grants, a
 * waiting queue ordered by the pool's policy, reservations (§5). A holder is identified by its
 * {@code replyTo} and a request id of its own; the pool watches holders and reclaims what a dead
 * holder held, recording the leak.
 */
public sealed interface MapRegisterMessage extends CborSerializable {

  /**
   * Ask for {@code count} registers at once. More than the pool has → refused with
   * STATUS_INSUFFICIENT_RESOURCES; with {@code immediate}, not enough free now → refused likewise.
   *
   * @param reservation the grant is a reservation (AllocateResources), held across transfers
   * @param requester who asks, for the pool's arbitration policy; FIFO looks only at arrival order
   */
  record AllocateMapRegisters(
      long requestId,
      int count,
      boolean immediate,
      boolean reservation,
      Requester requester,
      ActorRef<MapRegisterReply> replyTo)
      implements MapRegisterMessage {}

  /** Give a grant back. Freeing what is not held is Driver Verifier's 0xE6/0x05 (double free). */
  record FreeMapRegisters(long requestId, ActorRef<MapRegisterReply> holder) implements MapRegisterMessage {}

  /** Withdraw a request that is still waiting (§6.1). */
  record CancelMapRegisterRequest(long requestId, ActorRef<MapRegisterReply> holder) implements MapRegisterMessage {}

  record GetMapRegisterState(ActorRef<MapRegisterSnapshot> replyTo) implements MapRegisterMessage {}
}
