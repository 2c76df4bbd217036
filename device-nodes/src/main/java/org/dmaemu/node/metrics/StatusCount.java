package org.dmaemu.node.metrics;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;

/** How many I/O requests ended with one NTSTATUS. */
public record StatusCount(NtStatus status, long requests) implements CborSerializable {}
