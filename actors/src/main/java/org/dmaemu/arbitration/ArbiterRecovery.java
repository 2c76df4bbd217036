package org.dmaemu.arbitration;

import java.time.Duration;
import java.util.Objects;

/**
 * How an arbiter (adapter lock, map-register pool, bus) recovers from lost grants and from its own
 * crash (DESIGN §10). Both durations are modeled time, read through the node's clock.
 *
 * @param grantRedelivery how long a grant that its requester promised to acknowledge may go
 *     unacknowledged before the arbiter sends it again: the latency a dropped grant costs
 * @param rebuildTimeout how long an arbiter restarted after a crash waits for its requesters'
 *     answers before it treats the silent ones as gone (their holdings reclaimed) and serves again
 */
public record ArbiterRecovery(Duration grantRedelivery, Duration rebuildTimeout) {

  /**
   * One modeled millisecond. A lost lock grant leaves the lock held by a requester that does not
   * know it, and everyone queued behind waits too (scenarios/map-register-starvation.conf with half
   * its grants dropped: 1.7 modeled seconds with this; with ten milliseconds it had not finished at
   * 3.5 when the run's stall timeout ended it); an acknowledgement comes back
   * within microseconds in one JVM, so redelivery is then rare without a loss. Between nodes a
   * round trip can exceed it: a copy sent again is recognised and ignored, costing one message.
   */
  public static final Duration DEFAULT_GRANT_REDELIVERY = Duration.ofMillis(1);

  /**
   * One modeled second, as a callback's hang deadline: a requester that is alive answers within
   * microseconds, so only a dead or unreachable one makes the rebuild wait this long; treating a
   * live requester as gone would hand its registers to someone else, which is worse than waiting.
   */
  public static final Duration DEFAULT_REBUILD_TIMEOUT = Duration.ofSeconds(1);

  public ArbiterRecovery {
    Objects.requireNonNull(grantRedelivery, "grantRedelivery");
    Objects.requireNonNull(rebuildTimeout, "rebuildTimeout");
    if (grantRedelivery.isNegative() || grantRedelivery.isZero()) {
      throw new IllegalArgumentException("the grant redelivery timeout must be positive, got " + grantRedelivery);
    }
    if (rebuildTimeout.isNegative() || rebuildTimeout.isZero()) {
      throw new IllegalArgumentException("the rebuild timeout must be positive, got " + rebuildTimeout);
    }
  }

  public static ArbiterRecovery defaults() {
    return new ArbiterRecovery(DEFAULT_GRANT_REDELIVERY, DEFAULT_REBUILD_TIMEOUT);
  }
}
