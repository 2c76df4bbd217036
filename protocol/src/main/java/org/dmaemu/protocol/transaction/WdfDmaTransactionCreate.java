package org.dmaemu.protocol.transaction;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerMessage;

/**
 * The DDI WdfDmaTransactionCreate (reference §3.3): sent by a driver to its device, which hands it
 * to the enabler; the transaction is the enabler's child.
 *
 * @param parentGiven WDF_OBJECT_ATTRIBUTES.ParentObject was set: not allowed for transactions
 */
public record WdfDmaTransactionCreate(
    EnablerHandle enabler, boolean parentGiven, ActorRef<TransactionCreateResult> replyTo)
    implements DeviceMessage, EnablerMessage {}
