package org.dmaemu.verifier;

/** What a device does when one of its objects hits a bug check (DESIGN §4, {@code verifier.on-violation}). */
public enum OnViolation {
  /** The device stops, as a crashed machine would; every other device runs on. */
  CRASH_DEVICE,
  /** The check is recorded; the offending call returns without effect and the device goes on. */
  RECORD
}
