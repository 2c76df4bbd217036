package org.dmaemu.protocol.device;

/** How a PnP request ended. */
public enum PnpOutcome {
  /** Every callback succeeded; the device is where the request asked. */
  SUCCEEDED,
  /** A callback failed; the device went through the failure path of reference §2.3 / §2.2. */
  FAILED,
  /** A callback was not answered before its deadline. */
  HUNG,
  /** The request is not valid in the device's state (e.g. start of a removed device). */
  REJECTED,
  /** A bug check stopped the device while the request ran (reference §8, crash-device). */
  CRASHED
}
