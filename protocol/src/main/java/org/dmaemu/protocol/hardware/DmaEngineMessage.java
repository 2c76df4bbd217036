package org.dmaemu.protocol.hardware;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.transaction.TransactionHandle;

/**
 * The emulated device hardware: a bus-master DMA engine with channels, and its interrupt line.
 * The driver programs it from EvtProgramDma; a transfer completes after its modeled time and the
 * engine raises the interrupt: EvtInterruptIsr, then — if the ISR queued one — EvtInterruptDpc.
 * Open: the engine also receives the {@code CallbackReturn} of the ISR and DPC it invoked.
 */
public interface DmaEngineMessage extends CborSerializable {

  /**
   * Start one transfer on {@code channel} (register writes from EvtProgramDma). A channel runs one
   * transfer at a time; a transfer programmed on a busy channel starts when the channel is free.
   */
  record ProgramTransfer(
      TransactionHandle transaction, DmaDirection direction, long offset, long length, int channel)
      implements DmaEngineMessage {}

  /** WdfInterruptQueueDpcForIsr, called by the ISR: deliver EvtInterruptDpc once the ISR returned. */
  record WdfInterruptQueueDpcForIsr(int interruptIndex) implements DmaEngineMessage {}

  /**
   * The driver gives up on a transaction's transfers (its watchdog's DPC-timeout path): the engine
   * drops those not finished yet (the channel time they booked stays booked), clears their
   * completions from the interrupt status, and a delayed interrupt of theirs shows an empty status
   * when it comes. It answers {@link TransferAborted} once done: no completion of those transfers
   * reaches the driver after that answer.
   */
  record AbortTransfer(TransactionHandle transaction, ActorRef<TransferAborted> replyTo) implements DmaEngineMessage {}
}
