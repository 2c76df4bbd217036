package org.dmaemu.protocol.arbitration;

import org.dmaemu.protocol.CborSerializable;

/** One adapter now, as {@code !dma} shows it: its map-register pool and its lock (reference §4). */
public record AdapterInspection(MapRegisterSnapshot registers, AdapterLockSnapshot lock) implements CborSerializable {}
