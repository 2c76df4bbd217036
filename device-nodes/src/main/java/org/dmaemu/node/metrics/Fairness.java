package org.dmaemu.node.metrics;

/** Fairness of a share among the devices of a group. */
public final class Fairness {
  private Fairness() {}

  /**
   * Jain's fairness index (Σx)² / (n·Σx²): 1 when every device got the same, 1/n when one device got
   * everything. {@code NaN} for no devices or when nobody got anything (fairness is undefined).
   */
  public static double jain(double[] shares) {
    double sum = 0;
    double squares = 0;
    for (double x : shares) {
      sum += x;
      squares += x * x;
    }
    if (shares.length == 0 || squares == 0) {
      return Double.NaN;
    }
    return sum * sum / (shares.length * squares);
  }
}
