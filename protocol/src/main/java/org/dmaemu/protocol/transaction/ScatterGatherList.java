package org.dmaemu.protocol.transaction;

import org.dmaemu.protocol.CborSerializable;

/**
 * What EvtProgramDma is given for one fragment (reference §3.4): the bytes of the transaction's
 * buffer this transfer covers and how the HAL mapped them.
 *
 * @param offset where the fragment starts, in bytes from the start of the transaction's buffer
 * @param length the fragment's length in bytes
 * @param elements SCATTER_GATHER_ELEMENTs: one for packet and system profiles, one per page spanned
 *     for scatter-gather
 * @param mapRegisters map registers behind this fragment
 */
public record ScatterGatherList(long offset, long length, int elements, int mapRegisters)
    implements CborSerializable {}
