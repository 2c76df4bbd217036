package org.dmaemu.arbitration;

import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.dmaemu.time.NodeClock;

/**
 * An arbiter's grants that were sent to a requester which acknowledges grants, and are not
 * acknowledged yet (DESIGN §10, the grants path): each is sent again once per redelivery timeout
 * until its acknowledgement comes, or the grant ends (released, freed, its holder died). One timer
 * serves them all; it runs only while some grant is unacknowledged, so an arbiter whose requesters
 * never lose grants never sets it.
 *
 * <p>The requester recognises a second copy of a grant by its request id and ignores it: a
 * redelivery that crosses a late acknowledgement costs one message, nothing else.
 *
 * @param <G> the arbiter's grant (its request object)
 * @param <T> the arbiter's message type
 */
public final class GrantRedelivery<G, T> {

  private final TimerScheduler<T> timers;
  private final T due;
  private final NodeClock clock;
  private final long timeoutMicros;
  /** Unacknowledged grants with the modeled time each was last sent, oldest first. */
  private final LinkedHashMap<G, Long> unacknowledged = new LinkedHashMap<>();
  private boolean armed;
  private long redeliveries;

  /**
   * @param due the message the timer sends the arbiter; the arbiter answers it with {@link #due}
   */
  public GrantRedelivery(TimerScheduler<T> timers, T due, NodeClock clock, Duration timeout) {
    this.timers = timers;
    this.due = due;
    this.clock = clock;
    this.timeoutMicros = Math.max(1, timeout.toNanos() / 1000L);
  }

  /** {@code grant} was just sent and waits for its acknowledgement. */
  public void sent(G grant) {
    unacknowledged.put(grant, clock.nowMicros());
    arm(timeoutMicros);
  }

  /** {@code grant} was acknowledged, or ended: it is not sent again. */
  public void settled(G grant) {
    if (!unacknowledged.isEmpty()) {
      unacknowledged.remove(grant);
    }
  }

  /** The timer fired: sends again, through {@code resend}, every grant unacknowledged for a whole timeout. */
  public void due(Consumer<G> resend) {
    armed = false;
    long now = clock.nowMicros();
    long next = timeoutMicros;
    for (Map.Entry<G, Long> e : unacknowledged.entrySet()) {
      long age = now - e.getValue();
      if (age >= timeoutMicros) {
        resend.accept(e.getKey());
        e.setValue(now);
        redeliveries++;
      } else {
        next = Math.min(next, timeoutMicros - age);
      }
    }
    if (!unacknowledged.isEmpty()) {
      arm(next);
    }
  }

  /** Grants sent again so far. */
  public long redeliveries() {
    return redeliveries;
  }

  public int pending() {
    return unacknowledged.size();
  }

  private void arm(long micros) {
    if (!armed) {
      armed = true;
      timers.startSingleTimer(this, due, clock.toReal(Duration.ofNanos(micros * 1000L)));
    }
  }
}
