package org.dmaemu.verifier;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.testing.TestKits;
import org.dmaemu.verifier.Catalogue.Expectation;
import org.dmaemu.verifier.Catalogue.When;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every misuse of the {@link org.dmaemu.driver.MisbehavingDriver} against the verifier catalogue
 * (reference §8): it becomes exactly one bug-check record with the code, subcode and state of the
 * reference — never an exception — in both verifier modes, while a correct device next to it runs
 * on (DESIGN §4 "misuse never throws through the actor system").
 */
class VerifierCatalogueTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("VerifierCatalogueTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static Stream<Expectation> catalogue() {
    return Catalogue.ALL.stream();
  }

  @ParameterizedTest(name = "{0}, device crashed, other devices run on")
  @MethodSource("catalogue")
  void crashDevice(Expectation expected) {
    Neighbour neighbour = Neighbour.start(kit);
    MisuseRun.Outcome outcome = MisuseRun.run(kit, expected, OnViolation.CRASH_DEVICE);
    List<Executable> checks = new ArrayList<>(bugCheckChecks(expected, outcome));
    checks.add(() -> assertEquals(PnpOutcome.SUCCEEDED, outcome.added().outcome(), "AddDevice"));
    if (expected.when() == When.REMOVAL) {
      checks.addAll(crashAtRemovalChecks(expected, outcome));
    } else {
      // The misuse follows the return of EvtDeviceSelfManagedIoInit: the start may finish first.
      checks.add(() -> assertTrue(
          Set.of(PnpOutcome.SUCCEEDED, PnpOutcome.CRASHED).contains(outcome.started().outcome()),
          "StartDevice: " + outcome.started()));
      checks.add(() -> assertEquals(DeviceState.CRASHED, stateOf(outcome), "device state"));
    }
    // Under crash-device the misusing call never returns (TransactionDdiReturn).
    checks.add(() -> assertEquals(List.of(), outcome.returns(), "returns of the misusing call"));
    checks.add(neighbour::assertRanOn);
    assertAll(expected.toString(), checks);
  }

  @ParameterizedTest(name = "{0}, recorded; the call returns with it and the device goes on")
  @MethodSource("catalogue")
  void record(Expectation expected) {
    Neighbour neighbour = Neighbour.start(kit);
    MisuseRun.Outcome outcome = MisuseRun.run(kit, expected, OnViolation.RECORD);
    List<Executable> checks = new ArrayList<>(bugCheckChecks(expected, outcome));
    checks.add(() -> assertEquals(PnpOutcome.SUCCEEDED, outcome.added().outcome(), "AddDevice"));
    checks.add(() -> assertEquals(PnpOutcome.SUCCEEDED, outcome.started().outcome(), "StartDevice"));
    if (expected.when() == When.REMOVAL) {
      checks.add(() -> assertEquals(PnpOutcome.SUCCEEDED, outcome.removal().outcome(), "RemoveDevice"));
      checks.add(() -> assertEquals(DeviceState.REMOVED, stateOf(outcome), "device state"));
    } else {
      checks.add(() -> assertEquals(DeviceState.STARTED, stateOf(outcome), "device state: not crashed"));
      checks.add(() -> goesOn(outcome));
    }
    checks.addAll(returnChecks(expected, outcome));
    checks.add(neighbour::assertRanOn);
    assertAll(expected.toString(), checks);
  }

  // ---- What both modes share -----------------------------------------------------------------

  /** The device answers, and lists exactly the expected bug check (or none). */
  private static List<Executable> bugCheckChecks(Expectation expected, MisuseRun.Outcome outcome) {
    DeviceSnapshot s = outcome.snapshot();
    if (s == null) {
      return List.of(() -> fail("the device no longer answers GetDeviceState: an exception stopped it"));
    }
    List<BugCheck> all = s.bugChecks();
    if (!expected.expectsBugCheck()) {
      return List.of(() -> assertEquals(List.of(), rules(all), "bug checks"));
    }
    List<Executable> checks = new ArrayList<>();
    checks.add(() -> assertEquals(List.of(expected.rule()), rules(all), "bug checks (rules) recorded: " + summaries(all)));
    BugCheck first = all.isEmpty() ? null : all.get(0);
    if (first != null) {
      checks.add(() -> assertEquals(hex(expected.code()), hex(first.code()), "code"));
      if (expected.subcode() != null) {
        checks.add(() -> assertEquals(hex(expected.subcode()), hex(first.subcode()), "parameter 1"));
      }
      if (expected.carriesState()) {
        checks.add(() -> assertEquals(expected.stateAtCall(), first.state(), "parameter 3: the state at the call"));
      }
      checks.add(() -> assertEquals(outcome.deviceId(), first.deviceId(), "device"));
    }
    return checks;
  }

  /**
   * §6.4: Dispose of a transaction in Transfer bug-checks during the removal, so the machine is
   * down before IRP_MN_REMOVE_DEVICE completes; with no bug check the removal simply succeeds.
   */
  private static List<Executable> crashAtRemovalChecks(Expectation expected, MisuseRun.Outcome outcome) {
    if (!expected.expectsBugCheck()) {
      return List.of(
          () -> assertEquals(PnpOutcome.SUCCEEDED, outcome.removal().outcome(), "RemoveDevice"),
          () -> assertEquals(DeviceState.REMOVED, stateOf(outcome), "device state"));
    }
    return List.of(
        () -> assertEquals(PnpOutcome.SUCCEEDED, outcome.started().outcome(), "StartDevice"),
        () -> assertEquals(PnpOutcome.CRASHED, outcome.removal().outcome(), "RemoveDevice: " + outcome.removal()),
        () -> assertEquals(DeviceState.CRASHED, stateOf(outcome), "device state"));
  }

  /** Record mode: what the misusing call returned. */
  private static List<Executable> returnChecks(Expectation expected, MisuseRun.Outcome outcome) {
    switch (expected.when()) {
      case CALL:
        return List.of(() -> {
          assertEquals(1, outcome.returns().size(), "the misusing call returned once: " + outcome.returns());
          DriverMessage only = outcome.returns().get(0);
          assertTrue(only instanceof TransactionDdiReturn, "a DDI return: " + only);
          TransactionDdiReturn r = (TransactionDdiReturn) only;
          assertNotNull(r.bugCheck(), "the return carries the bug check: " + r);
          assertEquals(expected.rule(), r.bugCheck().rule());
          assertEquals(expected.stateAtCall(), r.state(), "a recorded violation leaves the state unchanged");
          DeviceSnapshot s = outcome.snapshot();
          if (s != null && !s.bugChecks().isEmpty()) {
            assertEquals(s.bugChecks().get(0), r.bugCheck(), "the same record as the device's");
          }
        });
      case CREATE:
        return List.of(() -> {
          assertEquals(1, outcome.returns().size(), "WdfDmaTransactionCreate returned once: " + outcome.returns());
          DriverMessage only = outcome.returns().get(0);
          assertTrue(only instanceof TransactionCreateResult, "a create result: " + only);
          TransactionCreateResult r = (TransactionCreateResult) only;
          assertFalse(r.status().isSuccess(), "WdfDmaTransactionCreate fails: " + r.status());
          assertNull(r.transaction(), "no handle");
        });
      default:
        // No call carries it; the driver saw no misusing call return.
        return List.of(() -> assertEquals(List.of(), outcome.returns(), "returns"));
    }
  }

  /** Record mode: the device still takes PnP requests — D3 and back to D0. */
  private static void goesOn(MisuseRun.Outcome outcome) {
    assertTrue(outcome.snapshot() != null, "the device answers");
    assertEquals(PnpOutcome.SUCCEEDED, MisuseRun.powerCycle(kit, outcome), "D3 and back to D0");
  }

  private static DeviceState stateOf(MisuseRun.Outcome outcome) {
    return outcome.snapshot() == null ? null : outcome.snapshot().state();
  }

  private static List<String> rules(List<BugCheck> all) {
    return all.stream().map(BugCheck::rule).toList();
  }

  private static List<String> summaries(List<BugCheck> all) {
    return all.stream().map(BugCheck::summary).toList();
  }

  private static String hex(int value) {
    return "0x" + Integer.toHexString(value).toUpperCase(java.util.Locale.ROOT);
  }
}
