package org.dmaemu.verifier;

import static org.dmaemu.driver.MisbehavingDriver.Fault.*;

import java.util.List;
import java.util.Locale;
import org.dmaemu.driver.MisbehavingDriver.Fault;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.verifier.BugCheck;

/**
 * What reference §8 (with §3.2, §3.3, §5, §6.4) says each misuse of {@link Fault} hits. Written from
 * the reference, not from the emulator's output.
 */
final class Catalogue {
  private Catalogue() {}

  /** Where the bug check comes from, which decides what a test can see of it. */
  enum When {
    /** The misusing DDI call: under record it returns with the bug check. */
    CALL,
    /** WdfDmaTransactionCreate: under record it returns a failure and no handle. */
    CREATE,
    /** No call carries it: staging (after Execute returned) or a callback deadline. */
    LATER,
    /** The device's removal deletes the transaction (Dispose, §3.3). */
    REMOVAL
  }

  /**
   * @param rule the catalogue entry, {@code null} when the reference expects no bug check
   * @param subcode parameter 1; {@code null} where the reference does not fix it
   * @param stateAtCall the transaction's state when the check fires: parameter 3 of 0x10D/0x8, and
   *     the state a recorded call must leave unchanged
   */
  record Expectation(
      Fault fault,
      String section,
      String what,
      String rule,
      int code,
      Integer subcode,
      TransactionState stateAtCall,
      When when) {

    boolean expectsBugCheck() {
      return rule != null;
    }

    /** 0x10D/0x8: parameter 3 is the state at the call (§0 notation). */
    boolean carriesState() {
      return code == BugCheck.WDF_VIOLATION && subcode != null && subcode == BugCheck.WDF_DMA_FATAL_ERROR;
    }

    String bugCheckText() {
      if (!expectsBugCheck()) {
        return "no bug check";
      }
      String text = String.format(Locale.ROOT, "0x%X", code) + (subcode == null ? "" : String.format(Locale.ROOT, "/0x%X", subcode));
      return carriesState() ? text + " with state " + stateAtCall.value() : text;
    }

    @Override
    public String toString() {
      return section + " " + what + " → " + bugCheckText();
    }
  }

  private static Expectation fatal(Fault fault, String rule, String what, TransactionState state, When when) {
    return new Expectation(
        fault, "§8.1 " + rule, what, rule, BugCheck.WDF_VIOLATION, BugCheck.WDF_DMA_FATAL_ERROR, state, when);
  }

  private static Expectation dma(Fault fault, String section, String what, int code, TransactionState state, When when) {
    return new Expectation(
        fault, section, what, String.format(Locale.ROOT, "E6-0x%02X", code), BugCheck.DRIVER_VERIFIER_DMA_VIOLATION,
        code, state, when);
  }

  static final TransactionState CREATED = TransactionState.CREATED;
  static final TransactionState RESERVED = TransactionState.RESERVED;
  static final TransactionState INITIALIZED = TransactionState.INITIALIZED;
  static final TransactionState TRANSFER = TransactionState.TRANSFER;
  static final TransactionState TRANSFER_COMPLETED = TransactionState.TRANSFER_COMPLETED;
  static final TransactionState RELEASED = TransactionState.RELEASED;

  static final List<Expectation> ALL =
      List.of(
          fatal(INITIALIZE_TWICE, "K1", "Initialize in Initialized", INITIALIZED, When.CALL),
          fatal(EXECUTE_WITHOUT_INITIALIZE, "K2", "Execute in Created", CREATED, When.CALL),
          fatal(DMA_COMPLETED_WHEN_NOT_IN_TRANSFER, "K3", "DmaCompleted in Initialized", INITIALIZED, When.CALL),
          fatal(RELEASE_DURING_TRANSFER, "K4", "Release during Transfer (verifier on, KMDF 1.33)", TRANSFER, When.CALL),
          fatal(DELETE_DURING_TRANSFER, "K5", "WdfObjectDelete during Transfer (verifier on, KMDF 1.33)", TRANSFER,
              When.CALL),
          fatal(CANCEL_IN_CREATED, "K6", "Cancel in Created (DMA v3)", CREATED, When.CALL),
          fatal(ALLOCATE_RESOURCES_ZERO_UNINITIALIZED, "K8", "AllocateResources(0) in Created", CREATED, When.CALL),
          fatal(ALLOCATE_RESOURCES_DURING_TRANSFER, "K9", "AllocateResources(1) during Transfer", TRANSFER, When.CALL),
          // fxdmatransactionpacket.cpp: the state check (:189-201, K9) comes before the
          // reservation check (:206-216, K10), and Reserved is outside {Created, Initialized, Released}.
          fatal(ALLOCATE_RESOURCES_WHILE_RESERVED, "K9",
              "AllocateResources(1) in Reserved (state check before reservation check)", RESERVED, When.CALL),
          fatal(ALLOCATE_RESOURCES_TWICE, "K10",
              "AllocateResources(1) in Released with the reservation kept by Release", RELEASED, When.CALL),
          fatal(FREE_RESOURCES_IN_CREATED, "K11", "FreeResources in Created", CREATED, When.CALL),
          fatal(STOP_SYSTEM_TRANSFER_NOT_RUNNING, "K12", "StopSystemTransfer with no system transfer running",
              CREATED, When.CALL),
          new Expectation(CREATE_TRANSACTION_ON_BAD_ENABLER, "§8.1 K14",
              "WdfDmaTransactionCreate on a handle that is no enabler of the device", "K14",
              BugCheck.WDF_VIOLATION, BugCheck.WDF_INVALID_HANDLE, null, When.CREATE),
          new Expectation(CREATE_TRANSACTION_ON_NULL_ENABLER, "§8.1 K14",
              "WdfDmaTransactionCreate on a NULL enabler handle", "K14",
              BugCheck.WDF_VIOLATION, BugCheck.WDF_INVALID_HANDLE, null, When.CREATE),
          dma(INITIALIZE_ON_UNCONFIGURED_SYSTEM, "§1.5 note, §8.4",
              "Initialize on a system enabler never configured (NULL adapter)", 0x19, CREATED, When.CALL),
          dma(SET_MAXIMUM_LENGTH_BEFORE_INITIALIZE, "§3.3, §8.4",
              "SetMaximumLength before Initialize (NULL adapter)", 0x19, CREATED, When.CALL),
          dma(CANCEL_AFTER_COMPLETION, "§3.2 Cancel row, §8.4",
              "Cancel in TransferCompleted without a reservation (NULL adapter)", 0x19, TRANSFER_COMPLETED, When.CALL),
          dma(DMA_COMPLETED_BETWEEN_SG_FRAGMENTS, "§3.4, §8.4",
              "DmaCompleted while the next scatter-gather fragment waits for the adapter (nothing mapped)", 0x16,
              TRANSFER, When.CALL),
          dma(ZERO_MAXIMUM_LENGTH, "§3.3, §8.4", "SetMaximumLength(0) then Execute: a zero-length mapping", 0x21,
              TRANSFER, When.LATER),
          new Expectation(HANG_IN_PROGRAM_DMA, "DESIGN §4", "EvtProgramDma never returns (DPC watchdog)", "HANG",
              0x133, null, TRANSFER, When.LATER),
          fatal(TRANSFER_AT_REMOVAL, "K5", "device removed with a transfer in flight: Dispose in Transfer (§6.4)",
              TRANSFER, When.REMOVAL),
          new Expectation(LEAK_RESERVATION_AT_REMOVAL, "§3.2 WdfObjectDelete row, §5",
              "device removed holding a reservation: Dispose frees it", null, 0, null, RESERVED, When.REMOVAL));
}
