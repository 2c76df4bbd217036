package org.dmaemu.protocol.device;

/** Where a device is in its PnP life. */
public enum DeviceState {
  /** Spawned; EvtDriverDeviceAdd not run yet. */
  CREATED,
  /** EvtDriverDeviceAdd succeeded; not started. */
  ADDED,
  /** Started and in D0. */
  STARTED,
  /** Started and in a low-power state (D1–D3). */
  LOW_POWER,
  /** Stopped (IRP_MN_STOP_DEVICE): hardware released, can be started again. */
  STOPPED,
  /** Orderly removal done. */
  REMOVED,
  /** Surprise removal done. */
  SURPRISE_REMOVED,
  /**
   * A callback failed and PnP tore the device down (reference §2.3, §2.2 row 10). The only request
   * it takes is removal, which calls nothing more: the teardown already ran.
   */
  FAILED,
  /** A callback never returned: the device's PnP/power machine is stuck, as on a real machine. */
  HUNG,
  /**
   * One of its objects hit a bug check and {@code verifier.on-violation = crash-device}: the device
   * stopped as a crashed machine would; every other device runs on.
   */
  CRASHED;

  /** The device object is gone or stuck: it takes no DDI call and no PnP request. */
  public boolean isGone() {
    return this == REMOVED || this == SURPRISE_REMOVED || this == HUNG || this == CRASHED;
  }

  /** No DDI call is accepted: the device is gone, or torn down after a failure. */
  public boolean isTerminal() {
    return isGone() || this == FAILED;
  }
}
