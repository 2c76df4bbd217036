package org.dmaemu.protocol.arbitration;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.transaction.TransactionMessage;

/** What the map-register pool answers; sent straight to the requesting transaction. */
public sealed interface MapRegisterReply extends TransactionMessage {

  String adapterId();

  long requestId();

  /** {@code count} registers granted, starting at register {@code base} (the map-register base). */
  record MapRegistersGranted(String adapterId, long requestId, int count, int base) implements MapRegisterReply {}

  /** Refused: more than the pool has, or immediate and not enough free. */
  record MapRegistersUnavailable(String adapterId, long requestId, NtStatus status) implements MapRegisterReply {}

  /** The answer to a cancel: {@code cancelled} is true if the request was still waiting and is gone. */
  record MapRegisterRequestCancelled(String adapterId, long requestId, boolean cancelled)
      implements MapRegisterReply {}

  /** The answer to a free of a grant that is not held: nothing was freed (Driver Verifier 0xE6/0x05). */
  record MapRegistersNotHeld(String adapterId, long requestId) implements MapRegisterReply {}
}
