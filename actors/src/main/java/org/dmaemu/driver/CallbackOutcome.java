package org.dmaemu.driver;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * What came of one callback delivered to a driver.
 *
 * @param status what the driver returned; {@code null} when it did not answer before the deadline
 */
public record CallbackOutcome(
    CallbackKind kind, int enablerIndex, int interruptIndex, NtStatus status, long startMicros, long endMicros) {

  public boolean hung() {
    return status == null;
  }

  /** A status-returning callback that returned a failure status. VOID callbacks never fail. */
  public boolean failed() {
    return status != null && kind.returnsStatus() && !status.isSuccess();
  }
}
