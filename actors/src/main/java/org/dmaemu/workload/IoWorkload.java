package org.dmaemu.workload;

import java.time.Duration;

/**
 * The I/O one DMA device's driver runs once self-managed I/O has started: when requests arrive,
 * how large they are, which way they go, and when the device stops issuing. Sizes and directions
 * come from the device's own stream (run seed, device id), drawn in request order, so the same
 * seed gives every device the same requests however the run is timed or placed.
 *
 * @param pattern when requests arrive
 * @param sizes request sizes
 * @param readFraction share of requests that read from the device, in [0, 1]
 * @param requests requests the device issues over its life; 0 = no limit (then {@code duration} ends the I/O)
 * @param duration modeled time, from the device's first I/O start, after which no request arrives;
 *     {@code null} = no limit (then {@code requests} ends the I/O)
 */
public record IoWorkload(
    ArrivalPattern pattern, SizeDistribution sizes, double readFraction, long requests, Duration duration) {

  public IoWorkload {
    if (pattern == null || sizes == null) {
      throw new IllegalArgumentException("a workload needs an arrival pattern and a size distribution");
    }
    if (!(readFraction >= 0 && readFraction <= 1)) {
      throw new IllegalArgumentException("read fraction must be in [0, 1], got " + readFraction);
    }
    if (requests < 0) {
      throw new IllegalArgumentException("requests must not be negative, got " + requests);
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (requests == 0 && duration == null) {
      throw new IllegalArgumentException("a workload needs a request count, a duration, or both");
    }
  }

  /** A closed loop of {@code outstanding} requests, sizes uniform in [min, max], {@code requests} in all. */
  public static IoWorkload closed(int outstanding, long minBytes, long maxBytes, double readFraction, long requests) {
    return new IoWorkload(
        new ArrivalPattern.Closed(outstanding), new SizeDistribution.Uniform(minBytes, maxBytes), readFraction, requests, null);
  }

  public IoWorkload withRequests(long n) {
    return new IoWorkload(pattern, sizes, readFraction, n, duration);
  }

  public long durationMicros() {
    return duration == null ? Long.MAX_VALUE : duration.toNanos() / 1000;
  }
}
