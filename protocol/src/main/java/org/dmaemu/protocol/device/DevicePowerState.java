package org.dmaemu.protocol.device;

/** WDF_POWER_DEVICE_STATE values that the emulated power paths use (reference §2). */
public enum DevicePowerState {
  D0("WdfPowerDeviceD0"),
  D1("WdfPowerDeviceD1"),
  D2("WdfPowerDeviceD2"),
  D3("WdfPowerDeviceD3"),
  D3_FINAL("WdfPowerDeviceD3Final");

  private final String wdfName;

  DevicePowerState(String wdfName) {
    this.wdfName = wdfName;
  }

  public String wdfName() {
    return wdfName;
  }

  /** A low-power state a device can be sent to and later resumed from. */
  public boolean isLowPower() {
    return this == D1 || this == D2 || this == D3;
  }
}
