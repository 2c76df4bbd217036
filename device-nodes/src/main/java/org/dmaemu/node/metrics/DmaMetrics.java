package org.dmaemu.node.metrics;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * What the DMA devices of a run did, taken from {@link RunMetrics} when the run ended. Times are
 * emulated microseconds.
 *
 * @param requestsCompleted I/O requests whose transaction ended with a success status
 * @param requestsFailed I/O requests that ended with a failure status (a failing Initialize or
 *     Execute, or a DmaCompleted* that ended the transaction with a failure)
 * @param failuresByStatus the failed requests by status, most frequent first
 * @param bytesMoved bytes the transactions of every request transferred
 * @param requestLatency from WdfDmaTransactionInitialize to the request's completion
 * @param adapterLockWait from asking for the adapter lock to getting it, per allocation
 * @param mapRegisterWait from holding the adapter lock to getting the map registers, per allocation
 * @param leakReports transactions that went away still holding map registers (deleted in Transfer
 *     at removal, or stopped without being deleted), whatever the state of their device
 * @param registersStillHeld map registers those transactions held
 */
public record DmaMetrics(
    long requestsCompleted,
    long requestsFailed,
    List<StatusCount> failuresByStatus,
    long bytesMoved,
    Percentiles requestLatency,
    Percentiles adapterLockWait,
    Percentiles mapRegisterWait,
    long leakReports,
    long registersStillHeld)
    implements CborSerializable {

  public DmaMetrics {
    failuresByStatus = List.copyOf(failuresByStatus);
  }

  public static DmaMetrics none() {
    return new DmaMetrics(0, 0, List.of(), 0, Percentiles.none(), Percentiles.none(), Percentiles.none(), 0, 0);
  }

  /** Requests that ended, either way. */
  public long requestsEnded() {
    return requestsCompleted + requestsFailed;
  }
}
