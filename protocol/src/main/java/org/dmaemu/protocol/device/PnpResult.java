package org.dmaemu.protocol.device;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * The reply to a {@link PnpCommand}.
 *
 * @param failedCallback the callback that failed or hung, else {@code null}
 * @param failedEnablerIndex its enabler, for enabler callbacks, else -1
 * @param failureStatus the status it returned, else {@code null}
 * @param callbacksInvoked callbacks delivered to the driver during this request
 * @param detail a human-readable reason for REJECTED, else empty
 */
public record PnpResult(
    String deviceId,
    PnpRequest request,
    PnpOutcome outcome,
    DeviceState state,
    DevicePowerState powerState,
    CallbackKind failedCallback,
    int failedEnablerIndex,
    NtStatus failureStatus,
    int callbacksInvoked,
    String detail)
    implements CborSerializable {}
