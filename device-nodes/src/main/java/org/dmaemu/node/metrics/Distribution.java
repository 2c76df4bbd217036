package org.dmaemu.node.metrics;

import org.HdrHistogram.Histogram;

/**
 * A distribution of modeled microseconds as {@code summary.json} reports it (HdrHistogram, three
 * significant digits).
 */
public record Distribution(long count, double mean, long p50, long p90, long p99, long p999, long max) {

  public static Distribution of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new Distribution(0, 0, 0, 0, 0, 0, 0);
    }
    return new Distribution(
        h.getTotalCount(),
        h.getMean(),
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(90),
        h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9),
        h.getMaxValue());
  }
}
