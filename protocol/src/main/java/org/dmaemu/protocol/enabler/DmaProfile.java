package org.dmaemu.protocol.enabler;

/**
 * WDF_DMA_PROFILE (reference §1.2), with the numeric values of wdfdmaenabler.h. {@link #INVALID}
 * exists so that a driver can pass it and get the status KMDF returns.
 */
public enum DmaProfile {
  INVALID(0),
  PACKET(1),
  SCATTER_GATHER(2),
  PACKET64(3),
  SCATTER_GATHER64(4),
  SCATTER_GATHER_DUPLEX(5),
  SCATTER_GATHER64_DUPLEX(6),
  SYSTEM(7),
  SYSTEM_DUPLEX(8);

  private final int wdfValue;

  DmaProfile(int wdfValue) {
    this.wdfValue = wdfValue;
  }

  public int wdfValue() {
    return wdfValue;
  }

  /** The name KMDF uses, e.g. {@code WdfDmaProfileScatterGather64Duplex}. */
  public String wdfName() {
    StringBuilder b = new StringBuilder("WdfDmaProfile");
    for (String part : name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return b.toString();
  }

  public boolean isValid() {
    return this != INVALID;
  }

  public boolean isPacket() {
    return this == PACKET || this == PACKET64;
  }

  public boolean isScatterGather() {
    return this == SCATTER_GATHER
        || this == SCATTER_GATHER64
        || this == SCATTER_GATHER_DUPLEX
        || this == SCATTER_GATHER64_DUPLEX;
  }

  public boolean isSystem() {
    return this == SYSTEM || this == SYSTEM_DUPLEX;
  }

  /** Bus-master profiles get their adapters at WdfDmaEnablerCreate; system profiles later (§1.4 step 7). */
  public boolean isBusMaster() {
    return isPacket() || isScatterGather();
  }

  public boolean isDuplex() {
    return this == SCATTER_GATHER_DUPLEX || this == SCATTER_GATHER64_DUPLEX || this == SYSTEM_DUPLEX;
  }

  /** DEVICE_DESCRIPTION.Dma64BitAddresses for this profile (§1.2). */
  public boolean is64Bit() {
    return this == PACKET64 || this == SCATTER_GATHER64 || this == SCATTER_GATHER64_DUPLEX;
  }

  /** DEVICE_DESCRIPTION.Dma32BitAddresses: bus-master profiles that are not 64-bit (§1.2). */
  public boolean is32BitOnly() {
    return isBusMaster() && !is64Bit();
  }

  /** Number of WDM adapters the enabler owns: two for duplex profiles (§4.2). */
  public int adapterCount() {
    return isDuplex() ? 2 : 1;
  }

  public static DmaProfile fromWdfValue(int value) {
    for (DmaProfile p : values()) {
      if (p.wdfValue == value) {
        return p;
      }
    }
    return INVALID;
  }
}
