package org.dmaemu.protocol.enabler;

/**
 * The WDM DMA interface version an enabler's adapters use (DEVICE_DESCRIPTION_VERSIONn, reference
 * §1.1). Many transaction features exist only with version 3.
 */
public enum DeviceDescriptionVersion {
  VERSION2(2),
  VERSION3(3);

  private final int number;

  DeviceDescriptionVersion(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  public boolean usesDmaV3() {
    return this == VERSION3;
  }
}
