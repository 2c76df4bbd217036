package org.dmaemu.protocol.transaction;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.verifier.BugCheck;

/**
 * The return of a DDI call on a transaction.
 *
 * @param ddi the DDI's name, e.g. {@code WdfDmaTransactionDmaCompleted}
 * @param status the NTSTATUS the DDI returned, or its status out-parameter (DmaCompleted*);
 *     STATUS_SUCCESS for VOID DDIs
 * @param value the BOOLEAN the DDI returned (DmaCompleted*: the transaction is finished; Cancel:
 *     it was cancelled); {@code false} for the others
 * @param bytesTransferred WdfDmaTransactionGetBytesTransferred after the call
 * @param currentTransferLength WdfDmaTransactionGetCurrentDmaTransferLength after the call
 * @param state the transaction's state after the call (an observation for tests and tools; a KMDF
 *     driver cannot read it)
 * @param bugCheck the check the call hit (reference §8), else {@code null}. With
 *     {@code verifier.on-violation = crash-device} the device stops and no return comes at all.
 */
public record TransactionDdiReturn(
    TransactionHandle transaction,
    String ddi,
    NtStatus status,
    boolean value,
    long bytesTransferred,
    long currentTransferLength,
    TransactionState state,
    BugCheck bugCheck)
    implements DriverMessage {}
