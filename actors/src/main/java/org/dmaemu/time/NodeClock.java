package org.dmaemu.time;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The one clock of a node (DESIGN §5). Every modeled duration — driver think time, a callback's
 * deadline, later transfer times — is converted to real time here, and every trace timestamp is
 * read here. Realtime mode: wall clock with a time scale, {@code time-scale} emulated microseconds
 * per real microsecond.
 */
public final class NodeClock implements Extension {

  /** How modeled time relates to real time. */
  public enum Mode {
    REALTIME
  }

  private final Mode mode;
  private final double timeScale;
  private final long originNanos = System.nanoTime();

  public NodeClock(Mode mode, double timeScale) {
    if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
      throw new IllegalArgumentException("dmaemu.clock.time-scale must be a positive number, got " + timeScale);
    }
    this.mode = mode;
    this.timeScale = timeScale;
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
    return timeScale;
  }

  /** Emulated microseconds since this clock started. */
  public long nowMicros() {
    return (long) ((System.nanoTime() - originNanos) / 1000.0 * timeScale);
  }

  /** The real duration after which {@code modeled} emulated time has passed. */
  public Duration toReal(Duration modeled) {
    if (modeled.isZero() || modeled.isNegative()) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.max(1L, (long) (modeled.toNanos() / timeScale)));
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
