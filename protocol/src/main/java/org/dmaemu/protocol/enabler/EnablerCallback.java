package org.dmaemu.protocol.enabler;

/**
 * The six enabler power callbacks of WDF_DMA_ENABLER_CONFIG (reference §1.1, §1.6), in the order
 * KMDF calls them: the first three on D0 entry, the last three on D0 exit.
 */
public enum EnablerCallback {
  FILL("EvtDmaEnablerFill"),
  ENABLE("EvtDmaEnablerEnable"),
  SELF_MANAGED_IO_START("EvtDmaEnablerSelfManagedIoStart"),
  SELF_MANAGED_IO_STOP("EvtDmaEnablerSelfManagedIoStop"),
  DISABLE("EvtDmaEnablerDisable"),
  FLUSH("EvtDmaEnablerFlush");

  private final String kmdfName;

  EnablerCallback(String kmdfName) {
    this.kmdfName = kmdfName;
  }

  public String kmdfName() {
    return kmdfName;
  }
}
