package org.dmaemu.protocol.driver;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.enabler.EnablerMessage;

/**
 * A driver's return from a callback, sent to the framework object that invoked it (a device or a
 * DMA enabler): the callback's return value. For the VOID callbacks
 * ({@link CallbackKind#returnsStatus()} false) the status is ignored: the reply only marks that the
 * callback returned. A framework object has at most one callback outstanding at a time.
 */
public record CallbackReturn(NtStatus status) implements DeviceMessage, EnablerMessage {
  public static final CallbackReturn SUCCESS = new CallbackReturn(NtStatus.STATUS_SUCCESS);
}
