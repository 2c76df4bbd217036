package org.dmaemu.workload;

import java.time.Duration;

/**
 * When a DMA device's driver gets its next I/O request (DESIGN §6, scenario key {@code
 * workloads.<group>.pattern}).
 *
 * <ul>
 *   <li>{@link Closed}: a fixed number of requests in flight; the next arrives when one ends.
 *   <li>{@link Open}: Poisson arrivals at a rate, whatever is in flight; requests that find no free
 *       DMA transaction wait in the driver's queue, and their latency includes that wait.
 *   <li>{@link OnOff}: Poisson arrivals during bursts of {@code on}, none during the {@code off}
 *       pauses between them.
 * </ul>
 */
public sealed interface ArrivalPattern {

  /** @param outstanding requests kept in flight, at least 1 */
  record Closed(int outstanding) implements ArrivalPattern {
    public Closed {
      if (outstanding < 1) {
        throw new IllegalArgumentException("outstanding must be at least 1, got " + outstanding);
      }
    }
  }

  /** @param perSecond mean requests per second of modeled time */
  record Open(double perSecond) implements ArrivalPattern {
    public Open {
      requirePositiveRate(perSecond);
    }
  }

  /**
   * @param perSecond mean requests per second of modeled time while a burst lasts
   * @param on length of a burst
   * @param off pause between bursts
   */
  record OnOff(double perSecond, Duration on, Duration off) implements ArrivalPattern {
    public OnOff {
      requirePositiveRate(perSecond);
      if (on == null || on.isZero() || on.isNegative()) {
        throw new IllegalArgumentException("a burst must last a positive time, got " + on);
      }
      if (off == null || off.isNegative()) {
        throw new IllegalArgumentException("the pause between bursts must not be negative, got " + off);
      }
    }

    /** Whether modeled time {@code micros} after the start falls in a burst. */
    public boolean inBurst(long micros) {
      long onMicros = on.toNanos() / 1000;
      long period = onMicros + off.toNanos() / 1000;
      return period <= 0 || micros % period < onMicros;
    }

    /** The start of the next burst at or after {@code micros}. */
    public long nextBurstStart(long micros) {
      if (inBurst(micros)) {
        return micros;
      }
      long period = (on.toNanos() + off.toNanos()) / 1000;
      return (micros / period + 1) * period;
    }
  }

  private static void requirePositiveRate(double perSecond) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("a rate must be a positive number of requests per second, got " + perSecond);
    }
  }
}
