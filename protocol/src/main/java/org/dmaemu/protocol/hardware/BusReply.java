package org.dmaemu.protocol.hardware;

/** What the bus answers; sent straight to the requesting DMA engine. */
public sealed interface BusReply extends DmaEngineMessage {

  String busId();

  long requestId();

  /**
   * The transfer's occupancy of the bus is over: the bus's grant, as the requester learns it. Known
   * by its request id, which a requester never reuses, so that a second copy is recognised.
   *
   * @param grantedAtMicros modeled time (the node's clock) the bus was granted: the wait ended, data began to move
   * @param doneAtMicros modeled time the occupancy ended
   */
  record BusTransferDone(String busId, long requestId, long grantedAtMicros, long doneAtMicros) implements BusReply {}
}
