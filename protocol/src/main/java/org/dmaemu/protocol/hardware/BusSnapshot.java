package org.dmaemu.protocol.hardware;

import org.dmaemu.protocol.CborSerializable;

/**
 * A bus as it is now.
 *
 * @param busy a transfer occupies the bus
 * @param waiting transfers in the queue
 * @param transfers occupancies granted so far
 * @param bytes bytes of those transfers
 * @param occupiedMicros modeled time the bus was granted for, summed over those transfers
 */
public record BusSnapshot(String busId, boolean busy, int waiting, long transfers, long bytes, long occupiedMicros)
    implements CborSerializable {}
