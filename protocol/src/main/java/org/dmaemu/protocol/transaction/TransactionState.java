package org.dmaemu.protocol.transaction;

/** FxDmaTransactionState (reference §3.1), with KMDF's numeric values (bug-check parameter 3). */
public enum TransactionState {
  INVALID(0),
  CREATED(1),
  RESERVED(2),
  INITIALIZED(3),
  TRANSFER(4),
  TRANSFER_COMPLETED(5),
  TRANSFER_FAILED(6),
  RELEASED(7),
  DELETED(8);

  private final int value;

  TransactionState(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  /** The name KMDF's source uses, e.g. {@code FxDmaTransactionStateTransferCompleted}. */
  public String kmdfName() {
    StringBuilder b = new StringBuilder("FxDmaTransactionState");
    for (String part : name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return b.toString();
  }
}
