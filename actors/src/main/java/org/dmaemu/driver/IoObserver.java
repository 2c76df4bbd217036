package org.dmaemu.driver;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.enabler.DmaDirection;

/**
 * Where a driver reports the I/O requests it completed. Implementations must not block; the
 * node's metrics take these from many actors at once.
 */
public interface IoObserver {

  IoObserver NONE = (deviceId, direction, bytes, status, latencyMicros) -> {};

  /**
   * A request ended.
   *
   * @param bytes bytes the transaction moved (WdfDmaTransactionGetBytesTransferred)
   * @param status the final status of the DMA transaction (DmaCompleted*'s status, or the failing DDI's)
   * @param latencyMicros modeled time from Initialize to the request's completion
   */
  void requestCompleted(String deviceId, DmaDirection direction, long bytes, NtStatus status, long latencyMicros);
}
