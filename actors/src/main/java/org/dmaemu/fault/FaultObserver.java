package org.dmaemu.fault;

/**
 * Where a device's actors report each fault they inject, so that the run can log it, count it per
 * fault and attribute the requests it ends. Implementations must not block.
 */
public interface FaultObserver {

  FaultObserver NONE = new FaultObserver() {};

  /**
   * Fault {@code faultId} acted on device {@code deviceId} at modeled {@code atMicros}; {@code what}
   * says how ("interrupts drop", "EvtDmaEnablerSelfManagedIoStart STATUS_UNSUCCESSFUL").
   */
  default void faultInjected(String faultId, String deviceId, String what, long atMicros) {}
}
