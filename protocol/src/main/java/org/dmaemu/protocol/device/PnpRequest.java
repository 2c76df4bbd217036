package org.dmaemu.protocol.device;

/** The PnP/power requests the emulated PnP manager sends a device. */
public enum PnpRequest {
  ADD,
  START,
  SET_POWER,
  STOP,
  REMOVE,
  SURPRISE_REMOVE
}
