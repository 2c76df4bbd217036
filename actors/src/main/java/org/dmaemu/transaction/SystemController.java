package org.dmaemu.transaction;

import java.time.Duration;

/**
 * The platform's system DMA controller, which moves the data of System-profile transfers (reference
 * §4.6): a transfer takes {@code latency + bytes / bytesPerMicrosecond} of modeled time, after which
 * the HAL's completion routine runs (EvtDmaTransactionDmaTransferComplete, §6.3).
 */
public record SystemController(double bytesPerMicrosecond, Duration latency) {

  public SystemController {
    if (!(bytesPerMicrosecond > 0) || Double.isInfinite(bytesPerMicrosecond)) {
      throw new IllegalArgumentException("controller bandwidth must be a positive number, got " + bytesPerMicrosecond);
    }
    if (latency == null || latency.isNegative()) {
      throw new IllegalArgumentException("controller latency must not be negative, got " + latency);
    }
  }

  /** 100 bytes/µs and 5 µs: a slow shared SoC controller. */
  public static SystemController defaults() {
    return new SystemController(100, Duration.ofNanos(5_000));
  }

  /** Modeled duration of a transfer of {@code bytes}. */
  public Duration transferTime(long bytes) {
    return latency.plusNanos((long) Math.min(Long.MAX_VALUE / 4.0, bytes * 1000.0 / bytesPerMicrosecond));
  }
}
