package org.dmaemu.protocol.enabler;

/** WDF_DMA_DIRECTION (reference §1.2): ReadFromDevice = 0, WriteToDevice = 1. */
public enum DmaDirection {
  READ_FROM_DEVICE,
  WRITE_TO_DEVICE;

  public String wdfName() {
    return this == READ_FROM_DEVICE ? "WdfDmaDirectionReadFromDevice" : "WdfDmaDirectionWriteToDevice";
  }
}
