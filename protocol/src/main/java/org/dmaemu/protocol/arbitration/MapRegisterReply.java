package org.dmaemu.protocol.arbitration;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.transaction.TransactionMessage;

/** What the map-register pool sends its requester (the transaction): answers, and a rebuild's question. */
public sealed interface MapRegisterReply extends TransactionMessage {

  String adapterId();

  /**
   * {@code count} registers granted, starting at register {@code base} (the map-register base). A
   * grant is known by (adapter, requester, request id); request ids are never reused, so a second
   * copy is recognised and ignored.
   */
  record MapRegistersGranted(String adapterId, long requestId, int count, int base) implements MapRegisterReply {}

  /** Refused: more than the pool has, or immediate and not enough free. */
  record MapRegistersUnavailable(String adapterId, long requestId, NtStatus status) implements MapRegisterReply {}

  /** The answer to a cancel: {@code cancelled} is true if the request was still waiting and is gone. */
  record MapRegisterRequestCancelled(String adapterId, long requestId, boolean cancelled)
      implements MapRegisterReply {}

  /** The answer to a free of a grant that is not held: nothing was freed (Driver Verifier 0xE6/0x05). */
  record MapRegistersNotHeld(String adapterId, long requestId) implements MapRegisterReply {}

  /**
   * A pool restarted after a crash asks each of its requesters which grants it holds and what it
   * waits for; the answer is {@link MapRegisterMessage.MapRegisterHolding} to {@code replyTo}. A
   * request the answer reports as waiting is known from then on by the id the answer gives it.
   *
   * @param rebuild which rebuild asks (the pool's restart count)
   */
  record ReportMapRegisterHolding(String adapterId, long rebuild, ActorRef<MapRegisterMessage> replyTo)
      implements MapRegisterReply {}
}
