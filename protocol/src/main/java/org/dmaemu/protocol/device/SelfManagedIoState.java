package org.dmaemu.protocol.device;

/**
 * The device's self-managed I/O machine, reduced to what decides which callbacks run
 * (pnp/selfmanagediostatemachine.cpp): Init on the first start, Restart after, Suspend only while
 * started, Flush and Cleanup on removal only if Init was ever invoked.
 */
public enum SelfManagedIoState {
  CREATED,
  STARTED,
  STOPPED,
  FAILED
}
