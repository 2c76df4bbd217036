package org.dmaemu.protocol.device;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.EnablerInfo;

/**
 * WdfDmaEnablerCreate's return: the status and, on success, the new enabler (its handle, adapters
 * and fragment lengths).
 */
public record EnablerCreateResult(NtStatus status, EnablerInfo enabler) implements DriverMessage {}
