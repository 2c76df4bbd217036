package org.dmaemu.driver;

import org.dmaemu.fault.FaultObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.enabler.DmaDirection;

/**
 * Where a driver reports its I/O requests: each one when it arrives and when it ends, how long its
 * fragments took from EvtProgramDma to the interrupt, and when the device will issue no more.
 * Implementations must not block; the node's metrics take these from many actors at once.
 *
 * <p>Every request that arrives ({@link #requestSubmitted}) ends exactly once ({@link
 * #requestCompleted}): completed (a success status), cancelled ({@code STATUS_CANCELLED}: still
 * queued when the device went away), failed (any other status), or aborted by the fault that ended it
 * ({@link RequestEnd#faultId()}, {@link #requestsAborted}).
 */
public interface IoObserver extends FaultObserver {

  IoObserver NONE = end -> {};

  /** A request ended. */
  void requestCompleted(RequestEnd end);

  /**
   * A request arrived. {@code sequence} counts from 0 per device; sizes and directions are drawn
   * from the device's own stream in sequence order, so a seed gives each device the same requests.
   */
  default void requestSubmitted(String deviceId, long sequence, DmaDirection direction, long bytes) {}

  /** Modeled time from an EvtProgramDma (or a system transfer's start) to the interrupt (or its completion). */
  default void programToInterrupt(String deviceId, long micros) {}

  /**
   * {@code count} requests of the device that had not ended when the run gave the device up (it
   * hung, crashed, stalled or its node went away) end as aborted by fault {@code faultId}: the
   * fault that acted on the device last. No request of the device is reported after this.
   */
  default void requestsAborted(String deviceId, String faultId, long count) {}

  /** The device will issue no more requests, and every one it issued has ended. */
  default void ioFinished(String deviceId, long submitted) {}

  /**
   * One ended request.
   *
   * @param bytes bytes the transaction moved (WdfDmaTransactionGetBytesTransferred)
   * @param status the final status: DmaCompleted*'s status, the failing DDI's, or STATUS_CANCELLED
   * @param latencyMicros modeled time from the request's arrival to its end (driver queueing included)
   * @param arrivalMicros when it arrived, modeled microseconds after the device's first I/O start
   *     (requests that arrive within the warm-up are run but not measured)
   * @param faultId the fault that ended the request ("aborted by fault id"), else {@code null}
   */
  record RequestEnd(
      String deviceId,
      long sequence,
      DmaDirection direction,
      long bytes,
      NtStatus status,
      long latencyMicros,
      long arrivalMicros,
      String faultId) {

    /** An end that no fault caused. */
    public RequestEnd(
        String deviceId, long sequence, DmaDirection direction, long bytes, NtStatus status, long latencyMicros,
        long arrivalMicros) {
      this(deviceId, sequence, direction, bytes, status, latencyMicros, arrivalMicros, null);
    }

    /** The same end, attributed to fault {@code id}. */
    public RequestEnd abortedBy(String id) {
      return new RequestEnd(deviceId, sequence, direction, bytes, status, latencyMicros, arrivalMicros, id);
    }

    public boolean aborted() {
      return faultId != null;
    }

    public boolean completed() {
      return !aborted() && status != null && status.isSuccess();
    }

    public boolean cancelled() {
      return !aborted() && status == NtStatus.STATUS_CANCELLED;
    }
  }
}
