package org.dmaemu.protocol.arbitration;

import org.dmaemu.protocol.CborSerializable;

/**
 * An adapter lock as it is now.
 *
 * @param holder a description of the holder (its actor path and request id), or {@code null}
 * @param grants how many times the lock was granted so far
 * @param reclaimed how many times it was taken back from a holder that died
 */
public record AdapterLockSnapshot(String adapterId, String holder, int waiting, long grants, long reclaimed)
    implements CborSerializable {}
