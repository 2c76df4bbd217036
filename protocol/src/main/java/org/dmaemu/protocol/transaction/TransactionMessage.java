package org.dmaemu.protocol.transaction;

import org.dmaemu.protocol.CborSerializable;

/** Everything a DMA transaction actor receives. Open: the actor adds private messages of its own. */
public interface TransactionMessage extends CborSerializable {}
