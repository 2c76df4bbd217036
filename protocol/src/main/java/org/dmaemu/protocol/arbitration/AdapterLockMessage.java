package org.dmaemu.protocol.arbitration;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.CborSerializable;

/**
 * The adapter "lock" of one WDM adapter (reference §4.3): one holder at a time. Packet and
 * scatter-gather transfers hold it while the adapter-control routine runs; system transfers for
 * the whole transaction. A holder is identified by its {@code replyTo} and a request id of its
 * own; the lock watches holders and takes the lock back from one that dies.
 */
public sealed interface AdapterLockMessage extends CborSerializable {

  /**
   * Ask for the adapter. With {@code immediate} (DMA_SYNCHRONOUS_CALLBACK, §4.5) a busy adapter is
   * refused at once instead of queueing.
   *
   * @param requester who asks, for the lock's arbitration policy; FIFO looks only at arrival order
   */
  record AcquireAdapter(long requestId, boolean immediate, Requester requester, ActorRef<AdapterReply> replyTo)
      implements AdapterLockMessage {}

  /** Give the adapter back. */
  record ReleaseAdapter(long requestId, ActorRef<AdapterReply> holder) implements AdapterLockMessage {}

  /** CancelAdapterChannel: withdraw a request that is still waiting (§6.1). */
  record CancelAdapterRequest(long requestId, ActorRef<AdapterReply> holder) implements AdapterLockMessage {}

  record GetAdapterLockState(ActorRef<AdapterLockSnapshot> replyTo) implements AdapterLockMessage {}
}
