package org.dmaemu.node.check;

/**
 * The classes of violation the {@link InvariantChecker} finds in a trace (DESIGN §10), each with
 * the reference section it enforces. {@link #id()} is the name the report, {@code summary.json}
 * and {@code docs/checks.md} use.
 */
public enum Invariant {
  /** Two holds of one adapter's lock overlap in time. */
  ADAPTER_LOCK_EXCLUSION("adapter-lock-exclusion", "§4.3"),
  /** An adapter's transactions held more map registers at once than it has, or its pool reported a count out of range. */
  MAP_REGISTER_OVERGRANT("map-register-overgrant", "§4.1, §4.5"),
  /** A transaction was granted map registers and never gave them back. */
  MAP_REGISTER_LEAK("map-register-leak", "§3.4, §5"),
  /** A cancelled transaction was programmed, moved data or completed anyway. */
  COMPLETION_AFTER_CANCEL("completion-after-cancel", "§6.1"),
  /** A device's D0-entry or D0-exit callbacks out of the reference's order, or after a failure that ends the sequence. */
  POWER_CALLBACK_ORDER("power-callback-order", "§2.1-§2.4"),
  /** A transaction's DDI calls and callbacks out of the API × state matrix or the message sequence. */
  TRANSACTION_SEQUENCE("transaction-sequence", "§3.2, §3.5, §9.5"),
  /** AllocateResources, EvtReserveDma, FreeResources or a reserved Execute against the rules of reservation. */
  RESERVATION("reservation", "§5"),
  /** A transaction still in Transfer when the trace ends, on a device that neither hung nor crashed. */
  TRANSACTION_UNFINISHED("transaction-unfinished", "§3.5, DESIGN §10"),
  /** The verifier recorded a bug check. */
  BUG_CHECK("bug-check", "§8"),
  /** A request ended twice, or without one of the four outcomes. */
  REQUEST_ACCOUNTING("request-accounting", "DESIGN §10");

  private final String id;
  private final String section;

  Invariant(String id, String section) {
    this.id = id;
    this.section = section;
  }

  public String id() {
    return id;
  }

  /** The reference section(s) the invariant enforces. */
  public String section() {
    return section;
  }
}
