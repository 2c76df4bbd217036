package org.dmaemu.protocol.verifier;

import java.util.Locale;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.transaction.TransactionState;

/**
 * A bug check the emulated machine would have taken (reference §8), recorded instead of crashing
 * the emulator.
 *
 * @param code 0x10D (WDF_VIOLATION) or 0xE6 (DRIVER_VERIFIER_DMA_VIOLATION)
 * @param subcode parameter 1: 0x8 WDF_DMA_FATAL_ERROR, 0x4, 0x5, or the 0xE6 violation code
 * @param rule the catalogue entry, e.g. {@code K3} or {@code E6-0x04}
 * @param section the reference section, e.g. {@code §8.1 K3}
 * @param ddi the DDI call that hit the check, or the event that did
 * @param state the transaction's state at the call (parameter 3 of 0x10D/0x8), or {@code null}
 * @param transactionId -1 when no transaction is involved
 */
public record BugCheck(
    int code,
    int subcode,
    String rule,
    String section,
    String ddi,
    String deviceId,
    int enablerIndex,
    long transactionId,
    TransactionState state,
    String detail)
    implements CborSerializable {

  public static final int WDF_VIOLATION = 0x10D;
  public static final int WDF_DMA_FATAL_ERROR = 0x8;
  public static final int WDF_REQUIRED_PARAMETER_IS_NULL = 0x4;
  public static final int WDF_INVALID_HANDLE = 0x5;
  public static final int DRIVER_VERIFIER_DMA_VIOLATION = 0xE6;

  /** How the debugger prints it, e.g. {@code 0x10D (0x8, state 4)}. */
  public String summary() {
    return String.format(Locale.ROOT, "0x%X (0x%X%s) %s in %s: %s", code, subcode,
        state == null ? "" : ", state " + state.value(), rule, ddi, detail);
  }
}
