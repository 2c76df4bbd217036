package org.dmaemu.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.LoggingEvent;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.dmaemu.testing.TestKits;
import org.dmaemu.verifier.Catalogue.Expectation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * DESIGN §4: misuse never throws through the actor system. Every misuse of the catalogue runs at
 * once, in both verifier modes, while the log is watched: an actor that throws is logged at ERROR
 * by its supervisor ({@code akka.actor.SupervisorStrategy}) and stops, so no ERROR may appear and
 * every misbehaving device must still answer.
 */
class MisuseNeverThrowsTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("MisuseNeverThrowsTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @Test
  @DisplayName("§8 / DESIGN §4 every misuse, both verifier modes at once: no actor failure logged at ERROR, every device still answers")
  void noMisuseThrows() {
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    List<MisuseRun.Outcome> outcomes;
    try {
      outcomes =
          LoggingTestKit.custom(event -> isError(event, errors))
              .withOccurrences(0)
              .expect(kit.system(), MisuseNeverThrowsTest::runAll);
    } catch (AssertionError logged) {
      fail("actor failures logged at ERROR during the misuses: " + List.copyOf(errors), logged);
      return;
    }
    List<String> dead = new ArrayList<>();
    for (MisuseRun.Outcome outcome : outcomes) {
      if (outcome.snapshot() == null) {
        dead.add(outcome.deviceId());
      }
    }
    assertEquals(List.of(), dead, "devices that no longer answer GetDeviceState");
  }

  private static boolean isError(LoggingEvent event, ConcurrentLinkedQueue<String> errors) {
    if (event.level() != Level.ERROR) {
      return false;
    }
    errors.add(event.loggerName() + " [" + event.getMdc().getOrDefault("akkaSource", "?") + "]: " + event.message());
    return true;
  }

  /** Every catalogue entry in both modes, each on a thread of its own (the runs wait on probes). */
  private static List<MisuseRun.Outcome> runAll() {
    List<Expectation> all = Catalogue.ALL;
    ExecutorService threads = Executors.newFixedThreadPool(2 * all.size());
    try {
      List<CompletableFuture<MisuseRun.Outcome>> runs = new ArrayList<>();
      for (OnViolation mode : OnViolation.values()) {
        for (Expectation expected : all) {
          runs.add(CompletableFuture.supplyAsync(() -> MisuseRun.run(kit, expected, mode), threads));
        }
      }
      return runs.stream().map(CompletableFuture::join).toList();
    } finally {
      threads.shutdown();
    }
  }
}
