package org.dmaemu.node.run;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * How one device's script ended. Depends only on (run seed, device id) — not on timing — as long
 * as no callback is late by a whole deadline for want of CPU.
 *
 * @param lastStep the last request sent: the one that failed, hung, was rejected or crashed, or the script's last
 * @param outcome that request's outcome; SUCCEEDED means the whole script succeeded; CRASHED also
 *     when a bug check stopped the device between requests, during its I/O
 * @param failedCallback the callback that failed or hung, else {@code null}
 * @param failedEnabler its enabler for enabler callbacks, else -1
 * @param failureStatus what it returned; {@code null} for a hang or a success
 * @param detail why the device rejected the request, or the bug check that crashed it; else empty
 * @param reachedD0 a StartDevice or SetDevicePower(D0) succeeded at least once
 * @param cyclesCompleted D3 → D0 cycles that ended back in D0
 * @param pnpRequests results received
 * @param callbacks callbacks delivered to the driver over all PnP requests (not the I/O path's)
 * @param dmaKind the DMA device's kind ({@code DmaIoPlan.kind}); {@code null} for a power-only device
 * @param requestsSubmitted requests that arrived at its driver (none before StartDevice succeeded:
 *     the driver starts its I/O then)
 * @param requestsEnded requests that ended, completed or failed
 * @param requestsFailed requests that ended with a failure status
 * @param bytes bytes its transactions moved
 * @param bugChecks the rules of its bug checks in the order raised
 * @param plannedBugChecks the rules of those a planned fault explains (a transaction callback the
 *     plan hung trips the DPC watchdog): not a reference driver's bug
 * @param leakReports transactions that went away still holding map registers: deleted in Transfer
 *     at removal (with bug check K5), or stopped without being deleted (the device crashed or hung,
 *     or the run stopped it after a failure); known once the device has stopped
 * @param registersHeld map registers they held
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
    long callbacks,
    String dmaKind,
    long requestsSubmitted,
    long requestsEnded,
    long requestsFailed,
    long bytes,
    List<String> bugChecks,
    List<String> plannedBugChecks,
    int leakReports,
    int registersHeld)
    implements CborSerializable {

  public DeviceOutcome {
    bugChecks = List.copyOf(bugChecks);
    plannedBugChecks = List.copyOf(plannedBugChecks);
  }

  public boolean completed() {
    return outcome == PnpOutcome.SUCCEEDED;
  }

  public boolean doesDma() {
    return dmaKind != null;
  }

  /**
   * The device ended stuck (hung) or crashed: its driver never got to give back what it held, so
   * registers its transactions still held when they went down are not a leak of the driver.
   */
  public boolean stuck() {
    return outcome == PnpOutcome.HUNG || outcome == PnpOutcome.CRASHED;
  }

  /** This outcome with what the device's transactions still held when it stopped. */
  public DeviceOutcome withLeaks(int reports, int registers) {
    return new DeviceOutcome(
        deviceId, lastStep, outcome, failedCallback, failedEnabler, failureStatus, detail, reachedD0,
        cyclesCompleted, pnpRequests, callbacks, dmaKind, requestsSubmitted, requestsEnded, requestsFailed, bytes,
        bugChecks, plannedBugChecks, reports, registers);
  }
}
