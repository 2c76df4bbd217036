package org.dmaemu.protocol.enabler;

/** WDF_DMA_ENABLER_CONFIG_FLAGS bits (reference §1.3). Unknown bits are not rejected by KMDF. */
public final class DmaEnablerConfigFlags {
  /** SG profiles only: no preallocated scatter-gather list lookaside. */
  public static final int NO_SGLIST_PREALLOCATION = 0x1;
  /** KMDF ≥ 1.19 and DMA v3 only: transactions are never split into several transfers. */
  public static final int REQUIRE_SINGLE_TRANSFER = 0x2;

  private DmaEnablerConfigFlags() {}
}
