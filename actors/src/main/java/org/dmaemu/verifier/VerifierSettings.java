package org.dmaemu.verifier;

/**
 * The emulated verifier. KMDF's unconditional checks (reference §8.1 "always") apply regardless;
 * the gated ones (K4, K5, K12) apply when {@code kmdfVerifierOn} and the driver's KMDF version
 * allows.
 */
public record VerifierSettings(boolean kmdfVerifierOn, OnViolation onViolation) {
  public static VerifierSettings defaults() {
    return new VerifierSettings(true, OnViolation.CRASH_DEVICE);
  }
}
