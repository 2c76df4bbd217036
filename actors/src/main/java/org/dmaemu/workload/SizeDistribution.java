package org.dmaemu.workload;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The sizes of a device's I/O requests, in bytes (scenario key {@code workloads.<group>.size}).
 * Every draw is at least 1 byte.
 */
public sealed interface SizeDistribution {

  /** One size, drawn from {@code random}. */
  long draw(SplittableRandom random);

  /** The largest size this distribution can return. */
  long max();

  record Fixed(long bytes) implements SizeDistribution {
    public Fixed {
      requireSize("bytes", bytes);
    }

    @Override
    public long draw(SplittableRandom random) {
      return bytes;
    }

    @Override
    public long max() {
      return bytes;
    }
  }

  /** Uniform over [min, max]. */
  record Uniform(long min, long max) implements SizeDistribution {
    public Uniform {
      requireSize("min", min);
      if (max < min) {
        throw new IllegalArgumentException("max must be at least min, got min " + min + " and max " + max);
      }
    }

    @Override
    public long draw(SplittableRandom random) {
      return min == max ? min : min + random.nextLong(max - min + 1);
    }
  }

  /**
   * Lognormal with the given median and shape {@code sigma} (the standard deviation of the size's
   * natural logarithm), clamped to [min, max]: request sizes of real storage and network traffic
   * have this shape.
   */
  record LogNormal(long median, double sigma, long min, long max) implements SizeDistribution {
    public LogNormal {
      requireSize("median", median);
      requireSize("min", min);
      if (!(sigma >= 0) || Double.isInfinite(sigma)) {
        throw new IllegalArgumentException("sigma must be a finite number >= 0, got " + sigma);
      }
      if (max < min) {
        throw new IllegalArgumentException("max must be at least min, got min " + min + " and max " + max);
      }
    }

    @Override
    public long draw(SplittableRandom random) {
      double z = gaussian(random);
      double size = Math.exp(Math.log(median) + sigma * z);
      long rounded = size >= max ? max : Math.round(size);
      return Math.max(min, Math.min(max, rounded));
    }

    /** Box–Muller: SplittableRandom has no nextGaussian in Java 17's API surface used here. */
    private static double gaussian(SplittableRandom random) {
      double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
      double u2 = random.nextDouble();
      return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
  }

  /** A table of sizes with weights: each size is drawn with probability weight / sum of weights. */
  record Empirical(List<Entry> entries) implements SizeDistribution {
    public Empirical {
      if (entries == null || entries.isEmpty()) {
        throw new IllegalArgumentException("an empirical size table needs at least one entry");
      }
      entries = List.copyOf(entries);
    }

    @Override
    public long draw(SplittableRandom random) {
      double total = 0;
      for (Entry e : entries) {
        total += e.weight();
      }
      double pick = random.nextDouble() * total;
      for (Entry e : entries) {
        pick -= e.weight();
        if (pick < 0) {
          return e.bytes();
        }
      }
      return entries.get(entries.size() - 1).bytes();
    }

    @Override
    public long max() {
      long m = 0;
      for (Entry e : entries) {
        m = Math.max(m, e.bytes());
      }
      return m;
    }

    /** @param weight relative frequency, positive */
    public record Entry(long bytes, double weight) {
      public Entry {
        requireSize("bytes", bytes);
        if (!(weight > 0) || Double.isInfinite(weight)) {
          throw new IllegalArgumentException("a weight must be a positive number, got " + weight);
        }
      }
    }
  }

  private static void requireSize(String what, long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException(what + " must be at least 1 byte, got " + bytes);
    }
  }
}
