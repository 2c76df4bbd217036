package org.dmaemu.arbitration;

/**
 * What an arbiter throws when a fault crashes it: a real failure that its supervisor answers with a
 * restart. No stack trace: where it was thrown is known, and the restart's log line says which
 * fault it was.
 */
final class ArbiterCrash extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ArbiterCrash(String arbiter, String faultId) {
    super(arbiter + " crashed by fault " + faultId, null, false, false);
  }
}
