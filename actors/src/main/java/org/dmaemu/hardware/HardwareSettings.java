package org.dmaemu.hardware;

import java.time.Duration;

/**
 * The emulated device's DMA engine (reference §9.1: a PLX9x5x-like bus master with one channel per
 * direction and one interrupt). One instance is shared by every device of a group.
 *
 * @param channels independent DMA channels; each runs one transfer at a time (2 for a duplex
 *     device: PLX uses DMA0 for writes and DMA1 for reads)
 * @param bytesPerMicrosecond bandwidth of one channel (1000 ≈ 1 GB/s)
 * @param latency modeled time from the moment a channel takes a transfer to its first byte
 *     (descriptor fetch, bus arbitration)
 * @param interruptIndex the WDFINTERRUPT, in the device's interrupt list, that the engine raises
 * @param bus the shared bus the engine's transfers cross, or {@code null}: the engine's own
 *     bandwidth is then the only limit
 */
public record HardwareSettings(
    int channels, double bytesPerMicrosecond, Duration latency, int interruptIndex, BusAttachment bus) {

  public HardwareSettings {
    if (channels < 1) {
      throw new IllegalArgumentException("hardware channels must be at least 1, got " + channels);
    }
    if (!(bytesPerMicrosecond > 0) || Double.isInfinite(bytesPerMicrosecond)) {
      throw new IllegalArgumentException(
          "hardware bytesPerMicrosecond must be a positive finite number, got " + bytesPerMicrosecond);
    }
    if (latency == null) {
      throw new IllegalArgumentException("hardware latency must not be null");
    }
    if (latency.isNegative()) {
      throw new IllegalArgumentException("hardware latency must not be negative, got " + latency);
    }
    if (latency.compareTo(MAX_LATENCY) > 0) {
      throw new IllegalArgumentException("hardware latency must be at most " + MAX_LATENCY + ", got " + latency);
    }
    if (interruptIndex < 0) {
      throw new IllegalArgumentException("hardware interruptIndex must not be negative, got " + interruptIndex);
    }
  }

  /** An engine raising interrupt 0, without a bus. */
  public HardwareSettings(int channels, double bytesPerMicrosecond, Duration latency) {
    this(channels, bytesPerMicrosecond, latency, 0, null);
  }

  /** Duplex (2 channels), 1000 bytes/µs (≈ 1 GB/s per channel), 2 µs latency, interrupt 0, no bus. */
  public static HardwareSettings defaults() {
    return new HardwareSettings(2, 1000.0, Duration.ofNanos(2_000), 0, null);
  }

  public HardwareSettings withChannels(int count) {
    return new HardwareSettings(count, bytesPerMicrosecond, latency, interruptIndex, bus);
  }

  public HardwareSettings withBandwidth(double bytesPerMicros) {
    return new HardwareSettings(channels, bytesPerMicros, latency, interruptIndex, bus);
  }

  public HardwareSettings withLatency(Duration modeled) {
    return new HardwareSettings(channels, bytesPerMicrosecond, modeled, interruptIndex, bus);
  }

  public HardwareSettings withInterruptIndex(int index) {
    return new HardwareSettings(channels, bytesPerMicrosecond, latency, index, bus);
  }

  /** The engine's transfers cross {@code attachment}'s bus; {@code null} detaches it. */
  public HardwareSettings withBus(BusAttachment attachment) {
    return new HardwareSettings(channels, bytesPerMicrosecond, latency, interruptIndex, attachment);
  }

  /** Modeled nanoseconds one channel is busy with a transfer of {@code length} bytes, without a bus. */
  public long transferNanos(long length) {
    return saturate(latency.toNanos() + length * 1000.0 / bytesPerMicrosecond);
  }

  /** Modeled nanoseconds the engine itself needs to move {@code length} bytes, the latency not counted. */
  public long dataNanos(long length) {
    return saturate(length * 1000.0 / bytesPerMicrosecond);
  }

  private static long saturate(double nanos) {
    // Saturate far below Long.MAX_VALUE so that adding it to a timestamp cannot overflow.
    return nanos >= MAX_TRANSFER_NANOS ? MAX_TRANSFER_NANOS : Math.round(nanos);
  }

  private static final long MAX_TRANSFER_NANOS = Long.MAX_VALUE / 4;

  /** Far beyond any device; keeps the latency in nanoseconds well inside a long. */
  private static final Duration MAX_LATENCY = Duration.ofDays(1);
}
