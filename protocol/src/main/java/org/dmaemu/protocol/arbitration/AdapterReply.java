package org.dmaemu.protocol.arbitration;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.transaction.TransactionMessage;

/** What the adapter lock sends its requester (the transaction): answers, and a rebuild's question. */
public sealed interface AdapterReply extends TransactionMessage {

  String adapterId();

  /**
   * The requester now holds the adapter. A grant is known by (adapter, requester, request id): a
   * requester never reuses a request id, so a second copy of a grant (a redelivery, or a duplicate
   * on the way) is recognised and ignored.
   */
  record AdapterGranted(String adapterId, long requestId) implements AdapterReply {}

  /** Refused: busy and the request was immediate ({@code STATUS_INSUFFICIENT_RESOURCES}). */
  record AdapterUnavailable(String adapterId, long requestId, NtStatus status) implements AdapterReply {}

  /** The answer to a cancel: {@code cancelled} is true if the request was still waiting and is gone. */
  record AdapterRequestCancelled(String adapterId, long requestId, boolean cancelled) implements AdapterReply {}

  /**
   * A lock restarted after a crash asks each of its requesters what it holds and waits for; the
   * answer is {@link AdapterLockMessage.AdapterHolding} to {@code replyTo}. A request the answer
   * reports as waiting is known from then on by the id the answer gives it, so that a grant the
   * crashed lock sent before cannot be taken for one of the rebuilt lock.
   *
   * @param rebuild which rebuild asks (the lock's restart count)
   */
  record ReportAdapterHolding(String adapterId, long rebuild, ActorRef<AdapterLockMessage> replyTo)
      implements AdapterReply {}
}
