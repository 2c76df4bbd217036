package org.dmaemu.node.metrics;

/**
 * A gauge integrated over modeled time: how many units (map registers, the lock, the bus) of an
 * arbiter, or of all the per-enabler adapters of a group, are in use, of how many, and how many
 * requests wait. Utilization over a window is ∫inUse / ∫capacity; queue depth its time average.
 * Updates come from many actors: synchronized, one lock per tracked entity.
 */
public final class Occupancy {

  /** Integrals up to a moment: what {@link #sample} hands out for one interval. */
  public record Window(double inUseIntegral, double capacityIntegral, double waitingIntegral, long micros, int maxWaiting) {

    public double utilization() {
      return capacityIntegral <= 0 ? 0 : inUseIntegral / capacityIntegral;
    }

    public double meanWaiting() {
      return micros <= 0 ? 0 : waitingIntegral / micros;
    }
  }

  private long inUse;
  private long capacity;
  private long waiting;
  private long lastMicros = -1;
  private double inUseIntegral;
  private double capacityIntegral;
  private double waitingIntegral;
  private int maxWaiting;
  private int maxWaitingTotal;
  private long windowStart = -1;
  private double totalInUse;
  private double totalCapacity;
  private double totalWaiting;
  private long firstMicros = -1;

  /** Adds the given changes (differences) at modeled time {@code atMicros}. */
  public synchronized void change(long inUseDelta, long capacityDelta, long waitingDelta, long atMicros) {
    advance(atMicros);
    inUse += inUseDelta;
    capacity += capacityDelta;
    waiting += waitingDelta;
    maxWaiting = (int) Math.max(maxWaiting, waiting);
    maxWaitingTotal = Math.max(maxWaitingTotal, maxWaiting);
  }

  private void advance(long atMicros) {
    if (firstMicros < 0) {
      firstMicros = atMicros;
      windowStart = atMicros;
    }
    if (lastMicros >= 0 && atMicros > lastMicros) {
      long dt = atMicros - lastMicros;
      inUseIntegral += inUse * (double) dt;
      capacityIntegral += capacity * (double) dt;
      waitingIntegral += waiting * (double) dt;
    }
    lastMicros = Math.max(lastMicros, atMicros);
  }

  /** The window since the previous sample, closed at {@code atMicros}; starts the next one. */
  public synchronized Window sample(long atMicros) {
    advance(atMicros);
    long start = windowStart < 0 ? atMicros : windowStart;
    Window w = new Window(inUseIntegral, capacityIntegral, waitingIntegral, Math.max(0, atMicros - start), maxWaiting);
    totalInUse += inUseIntegral;
    totalCapacity += capacityIntegral;
    totalWaiting += waitingIntegral;
    inUseIntegral = 0;
    capacityIntegral = 0;
    waitingIntegral = 0;
    maxWaiting = (int) waiting;
    windowStart = atMicros;
    return w;
  }

  /** Everything sampled so far, as one window. */
  public synchronized Window total() {
    long span = firstMicros < 0 ? 0 : Math.max(0, windowStart - firstMicros);
    return new Window(totalInUse, totalCapacity, totalWaiting, span, maxWaitingTotal);
  }
}
