package org.dmaemu.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN §5: one clock per node; a cluster run aligns every node's clock to one epoch. */
class NodeClockTest {

  /** Wall-clock readings are whole microseconds; allow a few of them besides the time the test itself takes. */
  private static final long SLACK_MICROS = 5;

  @Test
  @DisplayName("aligned to an epoch one second ago at scale 0.5, the clock reads half a second of modeled time")
  void alignsToEpoch() {
    NodeClock clock = new NodeClock(NodeClock.Mode.REALTIME, 1.0);
    long before = System.nanoTime();
    clock.alignTo(NodeClock.wallClockMicros() - 1_000_000, 0.5);
    long now = clock.nowMicros();
    long elapsedMicros = (System.nanoTime() - before) / 1000;
    assertTrue(now >= 500_000 - SLACK_MICROS, "reads " + now);
    assertTrue(now <= 500_000 + elapsedMicros + SLACK_MICROS, "reads " + now + " after " + elapsedMicros + " µs");
    assertEquals(0.5, clock.timeScale());
    assertEquals(Duration.ofMillis(2), clock.toReal(Duration.ofMillis(1)), "modeled time runs at the new scale");
  }

  @Test
  @DisplayName("two nodes' clocks, created at different moments, agree once aligned to the same epoch")
  void alignedClocksAgree() {
    NodeClock first = new NodeClock(NodeClock.Mode.REALTIME, 1.0);
    NodeClock second = new NodeClock(NodeClock.Mode.REALTIME, 3.0);
    long epoch = NodeClock.wallClockMicros() - 250_000;
    long before = System.nanoTime();
    first.alignTo(epoch, 2.0);
    second.alignTo(epoch, 2.0);
    long a = first.nowMicros();
    long b = second.nowMicros();
    long elapsedMicros = (System.nanoTime() - before) / 1000;
    assertTrue(Math.abs(a - b) <= 2 * (elapsedMicros + SLACK_MICROS), a + " vs " + b);
    assertTrue(a >= 500_000 - 2 * SLACK_MICROS, "250 ms of wall time at scale 2: " + a);
  }

  @Test
  @DisplayName("an alignment with an unusable time scale is refused and leaves the clock as it was")
  void refusesBadScale() {
    NodeClock clock = new NodeClock(NodeClock.Mode.REALTIME, 1.0);
    assertThrows(IllegalArgumentException.class, () -> clock.alignTo(NodeClock.wallClockMicros(), 0));
    assertEquals(1.0, clock.timeScale());
  }
}
