package org.dmaemu.protocol.enabler;

import org.dmaemu.protocol.CborSerializable;

/**
 * One WDM adapter of an enabler, as IoGetDmaAdapter left it (reference §4.1).
 *
 * @param direction the direction this adapter serves; {@code null} for a simplex enabler, whose one
 *     adapter serves both
 * @param mapRegisters NumberOfMapRegisters granted by the (emulated) HAL
 * @param maximumFragmentLength min(MaximumLength, (N − 1) × PAGE_SIZE), what
 *     WdfDmaEnablerGetFragmentLength returns
 */
public record AdapterInfo(DmaDirection direction, int mapRegisters, long maximumFragmentLength)
    implements CborSerializable {}
