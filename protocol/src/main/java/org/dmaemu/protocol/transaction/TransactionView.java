package org.dmaemu.protocol.transaction;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.enabler.DmaDirection;

/**
 * One DMA transaction as {@code !wdfdmatransaction} would show it: its state (reference §3.1), its
 * request's progress, and what it holds or waits for.
 *
 * @param enabler the enabler's index in its device (creation order)
 * @param length bytes of the initialized request; 0 when not initialized
 * @param transferred bytes of it moved so far
 * @param waitingFor {@code "adapter lock"}, {@code "map registers"}, or empty when not waiting
 * @param lockHeld the transaction holds its adapter's lock
 * @param registersHeld map registers granted to its transfer (a reservation's included)
 * @param registersReserved of those, registers reserved by WdfDmaTransactionAllocateResources (§5)
 */
public record TransactionView(
    int enabler,
    long id,
    TransactionState state,
    DmaDirection direction,
    long length,
    long transferred,
    String waitingFor,
    boolean lockHeld,
    int registersHeld,
    int registersReserved)
    implements CborSerializable {}
