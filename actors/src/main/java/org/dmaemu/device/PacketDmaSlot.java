package org.dmaemu.device;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The per-device "packet DMA in progress" flag of DMA v2 (reference §4.4): KMDF takes it with an
 * interlocked compare-exchange in StartTransfer and drops it when the transaction's map registers
 * are freed. An atomic flag is the faithful model: the call that loses the race fails at once with
 * STATUS_WDF_BUSY, it never waits. Shared only by the transactions of one device, all on its node.
 */
public final class PacketDmaSlot {
  private final AtomicBoolean busy = new AtomicBoolean();

  public boolean tryAcquire() {
    return busy.compareAndSet(false, true);
  }

  public void release() {
    busy.set(false);
  }
}
