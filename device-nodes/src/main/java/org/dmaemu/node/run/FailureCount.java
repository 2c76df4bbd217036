package org.dmaemu.node.run;

import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * How many devices a callback stopped with one status.
 *
 * @param status what the callback returned; {@code null} for hangs
 */
public record FailureCount(CallbackKind callback, NtStatus status, long devices) implements CborSerializable {}
