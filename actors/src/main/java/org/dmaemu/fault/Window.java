package org.dmaemu.fault;

/**
 * When a fault is active, in modeled microseconds since the run's start (the node clock's epoch,
 * which every node of a cluster run shares): from {@code fromMicros} inclusive to {@code
 * untilMicros} exclusive.
 */
public record Window(long fromMicros, long untilMicros) {

  public static final Window ALWAYS = new Window(0, Long.MAX_VALUE);

  public Window {
    if (fromMicros < 0 || untilMicros <= fromMicros) {
      throw new IllegalArgumentException("a fault window needs 0 <= from < until, got " + fromMicros + ".." + untilMicros);
    }
  }

  public boolean contains(long nowMicros) {
    return nowMicros >= fromMicros && nowMicros < untilMicros;
  }
}
