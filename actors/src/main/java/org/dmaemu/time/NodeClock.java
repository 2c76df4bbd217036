package org.dmaemu.time;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;

/**
 * The one clock of a node (DESIGN §5). Every modeled duration — driver think time, a callback's
 * deadline, later transfer times — is converted to real time here, and every trace timestamp is
 * read here. Realtime mode: wall clock with a time scale, {@code time-scale} emulated microseconds
 * per real microsecond.
 *
 * <p>Modeled time 0 is when the clock was created, unless a cluster run {@linkplain #alignTo aligns}
 * it to an epoch that its coordinator chose: then every node of the run reads 0 at that wall-clock
 * moment, so that modeled timestamps from devices on other nodes mean the same to a bus or an
 * arbiter. Within one machine this is exact up to the resolution of the wall clock; across hosts it
 * is as good as their NTP synchronization.
 */
public final class NodeClock implements Extension {

  /** How modeled time relates to real time. */
  public enum Mode {
    REALTIME
  }

  /** Origin and scale together, so that a reader never sees one of a new alignment with the other of the old. */
  private record Timebase(long originNanos, double timeScale) {}

  private final Mode mode;
  private volatile Timebase base;

  public NodeClock(Mode mode, double timeScale) {
    checkScale(timeScale);
    this.mode = mode;
    this.base = new Timebase(System.nanoTime(), timeScale);
  }

  private static void checkScale(double timeScale) {
    if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
      throw new IllegalArgumentException("dmaemu.clock.time-scale must be a positive number, got " + timeScale);
    }
  }

  /** Reads {@code dmaemu.clock}. */
  public static NodeClock fromConfig(Config config) {
    String mode = config.getString("dmaemu.clock.mode");
    if (!mode.equals("realtime")) {
      throw new IllegalArgumentException(
          "dmaemu.clock.mode = \"" + mode + "\" is not supported; this version has only \"realtime\"");
    }
    return new NodeClock(Mode.REALTIME, config.getDouble("dmaemu.clock.time-scale"));
  }

  public static NodeClock get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public Mode mode() {
    return mode;
  }

  public double timeScale() {
    return base.timeScale();
  }

  /** Emulated microseconds since this clock started (or since the epoch it was aligned to). */
  public long nowMicros() {
    Timebase b = base;
    return (long) ((System.nanoTime() - b.originNanos()) / 1000.0 * b.timeScale());
  }

  /** The real duration after which {@code modeled} emulated time has passed. */
  public Duration toReal(Duration modeled) {
    if (modeled.isZero() || modeled.isNegative()) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.max(1L, (long) (modeled.toNanos() / base.timeScale())));
  }

  /**
   * Restarts modeled time for a cluster run: from now on {@link #nowMicros()} reads 0 at the
   * wall-clock moment {@code epochMicros} (microseconds since 1970, as the run's coordinator read
   * its wall clock) and runs at {@code timeScale}. Only between runs: actors that hold modeled
   * timestamps of the previous alignment would misread them.
   */
  public void alignTo(long epochMicros, double timeScale) {
    checkScale(timeScale);
    long sinceEpochNanos = (wallClockMicros() - epochMicros) * 1000L;
    base = new Timebase(System.nanoTime() - sinceEpochNanos, timeScale);
  }

  /** Microseconds since 1970 by this machine's wall clock: what a coordinator passes to {@link #alignTo}. */
  public static long wallClockMicros() {
    Instant wall = Instant.now();
    return wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1000L;
  }

  /** The extension id: one clock per ActorSystem, i.e. per node. */
  public static final class Id extends ExtensionId<NodeClock> {
    static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public NodeClock createExtension(ActorSystem<?> system) {
      return fromConfig(system.settings().config());
    }
  }
}
