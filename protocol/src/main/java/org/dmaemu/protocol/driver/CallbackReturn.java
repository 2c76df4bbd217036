package org.dmaemu.protocol.driver;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;

/**
 * A driver's return from a callback. For the VOID callbacks ({@link CallbackKind#returnsStatus()}
 * false) the status is ignored: the reply only marks that the callback returned.
 */
public record CallbackReturn(NtStatus status) implements CborSerializable {
  public static final CallbackReturn SUCCESS = new CallbackReturn(NtStatus.STATUS_SUCCESS);
}
