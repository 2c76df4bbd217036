package org.dmaemu.protocol.arbitration;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.transaction.TransactionMessage;

/** What the adapter lock answers; sent straight to the requesting transaction. */
public sealed interface AdapterReply extends TransactionMessage {

  String adapterId();

  long requestId();

  /** The requester now holds the adapter. */
  record AdapterGranted(String adapterId, long requestId) implements AdapterReply {}

  /** Refused: busy and the request was immediate ({@code STATUS_INSUFFICIENT_RESOURCES}). */
  record AdapterUnavailable(String adapterId, long requestId, NtStatus status) implements AdapterReply {}

  /** The answer to a cancel: {@code cancelled} is true if the request was still waiting and is gone. */
  record AdapterRequestCancelled(String adapterId, long requestId, boolean cancelled) implements AdapterReply {}
}
