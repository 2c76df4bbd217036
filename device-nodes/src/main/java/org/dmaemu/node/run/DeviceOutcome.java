package org.dmaemu.node.run;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * How one device's script ended. Depends only on (run seed, device id) — not on timing — as long
 * as no callback is late by a whole deadline for want of CPU.
 *
 * @param lastStep the last request sent: the one that failed, hung or was rejected, or the script's last
 * @param outcome that request's outcome; SUCCEEDED means the whole script succeeded
 * @param failedCallback the callback that failed or hung, else {@code null}
 * @param failedEnabler its enabler for enabler callbacks, else -1
 * @param failureStatus what it returned; {@code null} for a hang or a success
 * @param detail why the device rejected the request, else empty
 * @param reachedD0 a StartDevice or SetDevicePower(D0) succeeded at least once
 * @param cyclesCompleted D3 → D0 cycles that ended back in D0
 * @param pnpRequests results received
 * @param callbacks callbacks delivered to the driver over all requests
 */
public record DeviceOutcome(
    String deviceId,
    ScriptStep lastStep,
    PnpOutcome outcome,
    CallbackKind failedCallback,
    int failedEnabler,
    NtStatus failureStatus,
    String detail,
    boolean reachedD0,
    int cyclesCompleted,
    int pnpRequests,
    long callbacks)
    implements CborSerializable {

  public boolean completed() {
    return outcome == PnpOutcome.SUCCEEDED;
  }
}
