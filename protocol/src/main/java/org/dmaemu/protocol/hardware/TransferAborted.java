package org.dmaemu.protocol.hardware;

import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.transaction.TransactionHandle;

/**
 * The engine's answer to {@link DmaEngineMessage.AbortTransfer}: the transaction's transfers raise
 * no completion from now on.
 *
 * @param dropped transfers the engine had not finished, or whose completion it had not shown yet
 */
public record TransferAborted(TransactionHandle transaction, int dropped)
    implements DriverMessage {}
