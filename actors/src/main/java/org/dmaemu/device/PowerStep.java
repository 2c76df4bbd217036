package org.dmaemu.device;

import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * One step of a PnP/power path: a device-level callback, or a walk over the DMA enablers.
 *
 * @param callback the callback for {@link Type#CALLBACK}, else {@code null}
 * @param interrupt the interrupt's index for interrupt callbacks, else -1
 * @param powerState the previous state (D0 entry) or target state (D0 exit) the callback is given
 */
public record PowerStep(
    Type type, CallbackKind callback, int interrupt, DevicePowerState powerState, OnFailure onFailure) {

  public enum Type {
    CALLBACK,
    DMA_POWER_UP,
    DMA_POWER_DOWN,
    /** Removal deletes the enablers' transactions (Dispose: §3.3, §6.4). */
    DISPOSE_OBJECTS
  }

  /** What a failure of this step does to the rest of the path. */
  public enum OnFailure {
    /** D0 entry: stop, and unwind as the failure matrix of §2.3 says. */
    UNWIND_ENTRY,
    /** AddDevice: nothing more runs. */
    ABORT,
    /** D0 exit and removal: record the failure, go on (§2.2 row 10). */
    CONTINUE,
    /** Unwinding after a failure: the result is ignored (§2.4). */
    IGNORE
  }

  static PowerStep callback(CallbackKind kind, OnFailure onFailure) {
    return new PowerStep(Type.CALLBACK, kind, -1, null, onFailure);
  }

  static PowerStep callback(CallbackKind kind, DevicePowerState state, OnFailure onFailure) {
    return new PowerStep(Type.CALLBACK, kind, -1, state, onFailure);
  }

  static PowerStep interrupt(CallbackKind kind, int index, OnFailure onFailure) {
    return new PowerStep(Type.CALLBACK, kind, index, null, onFailure);
  }

  static PowerStep dma(Type type, OnFailure onFailure) {
    return new PowerStep(type, null, -1, null, onFailure);
  }
}
