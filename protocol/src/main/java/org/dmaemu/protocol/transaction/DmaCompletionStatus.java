package org.dmaemu.protocol.transaction;

/** DMA_COMPLETION_STATUS (reference §6.3), in declaration order. */
public enum DmaCompletionStatus {
  DMA_COMPLETE("DmaComplete"),
  DMA_ABORTED("DmaAborted"),
  DMA_ERROR("DmaError"),
  DMA_CANCELLED("DmaCancelled");

  private final String wdmName;

  DmaCompletionStatus(String wdmName) {
    this.wdmName = wdmName;
  }

  public String wdmName() {
    return wdmName;
  }
}
