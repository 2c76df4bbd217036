package org.dmaemu.protocol.enabler;

import org.dmaemu.protocol.CborSerializable;

/**
 * Everything a DMA enabler actor receives: its own commands and the returns of the callbacks it
 * invoked. Open so that the enabler actor adds its own commands.
 */
public interface EnablerMessage extends CborSerializable {}
