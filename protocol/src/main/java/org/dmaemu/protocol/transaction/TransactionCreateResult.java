package org.dmaemu.protocol.transaction;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.DriverMessage;

/** WdfDmaTransactionCreate's return: the status and, on success, the handle. */
public record TransactionCreateResult(NtStatus status, TransactionHandle transaction) implements DriverMessage {}
