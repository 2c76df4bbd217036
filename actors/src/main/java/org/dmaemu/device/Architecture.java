package org.dmaemu.device;

import org.dmaemu.protocol.enabler.DeviceDescriptionVersion;

/** The emulated platform's architecture, which picks the default DMA interface version (§1.1). */
public enum Architecture {
  X64(DeviceDescriptionVersion.VERSION2),
  ARM64(DeviceDescriptionVersion.VERSION3);

  private final DeviceDescriptionVersion defaultVersion;

  Architecture(DeviceDescriptionVersion defaultVersion) {
    this.defaultVersion = defaultVersion;
  }

  /** DEVICE_DESCRIPTION_VERSION2 on x86/x64, VERSION3 on ARM/ARM64. */
  public DeviceDescriptionVersion defaultVersion() {
    return defaultVersion;
  }
}
