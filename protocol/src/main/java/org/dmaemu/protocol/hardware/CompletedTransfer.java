package org.dmaemu.protocol.hardware;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.transaction.TransactionHandle;

/**
 * A transfer the engine finished, as its status registers show it to the ISR.
 *
 * @param bytes bytes actually moved (the residual count subtracted, as PLX's DPC computes it)
 */
public record CompletedTransfer(TransactionHandle transaction, int channel, long bytes, long startMicros, long endMicros)
    implements CborSerializable {}
