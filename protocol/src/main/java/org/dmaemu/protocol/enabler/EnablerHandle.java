package org.dmaemu.protocol.enabler;

import org.dmaemu.protocol.CborSerializable;

/**
 * A WDFDMAENABLER handle: the owning device and the enabler's position in that device's enabler
 * list. The position is the creation order, which is also the power-callback order (§1.4 step 8).
 */
public record EnablerHandle(String deviceId, int index) implements CborSerializable {
  @Override
  public String toString() {
    return deviceId + "/enabler-" + index;
  }
}
