package org.dmaemu.protocol.arbitration;

import org.dmaemu.protocol.CborSerializable;

/**
 * A map-register pool as it is now.
 *
 * @param held registers granted and not yet freed (reservations included)
 * @param reserved of those, registers held as reservations
 * @param waiting requests in the queue
 * @param leakedRegisters registers reclaimed from holders that died while holding them
 */
public record MapRegisterSnapshot(
    String adapterId,
    int total,
    int free,
    int held,
    int reserved,
    int waiting,
    long grants,
    long leakedRegisters,
    long doubleFrees)
    implements CborSerializable {}
