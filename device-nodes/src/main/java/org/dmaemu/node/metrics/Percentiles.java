package org.dmaemu.node.metrics;

import org.HdrHistogram.Histogram;
import org.dmaemu.protocol.CborSerializable;

/**
 * A distribution in emulated microseconds, as the summary prints it.
 *
 * @param count values recorded
 * @param p50 median; 0 when nothing was recorded
 * @param p99 99th percentile
 * @param max largest value
 */
public record Percentiles(long count, long p50, long p99, long max) implements CborSerializable {

  public static Percentiles none() {
    return new Percentiles(0, 0, 0, 0);
  }

  /** Percentiles of {@code histogram}, within its precision (3 significant digits). */
  public static Percentiles of(Histogram histogram) {
    long n = histogram.getTotalCount();
    if (n == 0) {
      return none();
    }
    return new Percentiles(
        n, histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getMaxValue());
  }
}
