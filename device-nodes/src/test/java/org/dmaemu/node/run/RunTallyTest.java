package org.dmaemu.node.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.dmaemu.node.metrics.DmaMetrics;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.driver.CallbackKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The accounting of outcomes into a summary, and the run's checks. */
class RunTallyTest {

  private static DeviceOutcome outcome(String id, ScriptStep last, PnpOutcome outcome, List<String> bugChecks) {
    return new DeviceOutcome(id, last, outcome, null, -1, null, "", true, 0, 2, 10, "packet (DMA v3)", 20, 20, 0,
        1000, bugChecks, List.of(), 0, 0);
  }

  private static RunSummary summary(RunTally tally) {
    return tally.summary(1, 3, false, Duration.ofSeconds(1), DmaMetrics.none());
  }

  @Test
  @DisplayName("§8 crashed devices are counted apart from rejected ones, grouped by the rule that crashed them")
  void crashesByRule() {
    RunTally tally = new RunTally(5, false);
    tally.add(outcome("dev-000001", ScriptStep.START, PnpOutcome.CRASHED, List.of("K3")));
    tally.add(outcome("dev-000002", ScriptStep.TO_D3, PnpOutcome.CRASHED, List.of("HANG", "K3")));
    tally.add(outcome("dev-000003", ScriptStep.START, PnpOutcome.CRASHED, List.of("K3", "E6-0x05")));
    tally.add(outcome("dev-000004", ScriptStep.REMOVE, PnpOutcome.SUCCEEDED, List.of()));
    tally.add(outcome("dev-000005", ScriptStep.ADD, PnpOutcome.REJECTED, List.of()));
    RunSummary s = summary(tally);

    assertEquals(3, s.crashed());
    assertEquals(1, s.rejected());
    assertEquals(1, s.completed());
    assertEquals(List.of(new RuleCount("K3", 2), new RuleCount("HANG", 1)), s.crashes());
    assertEquals(List.of(new RuleCount("K3", 3), new RuleCount("E6-0x05", 1), new RuleCount("HANG", 1)), s.bugChecks());
    assertEquals(5, s.dma().devices());
    assertEquals(List.of(new KindCount("packet (DMA v3)", 5)), s.dma().devicesByKind());
    assertEquals(List.of("5 bug checks from the reference drivers (K3 x3, E6-0x05 x1, HANG x1)"), s.failedChecks());
  }

  @Test
  @DisplayName("§8.4 registers held at stop: a leak for a removed or failed device, not for a hung or crashed one")
  void leaksByEndState() {
    RunTally tally = new RunTally(4, false);
    tally.add(outcome("dev-000001", ScriptStep.REMOVE, PnpOutcome.SUCCEEDED, List.of()).withLeaks(1, 5));
    tally.add(
        new DeviceOutcome("dev-000002", ScriptStep.TO_D3, PnpOutcome.FAILED, CallbackKind.EVT_DMA_ENABLER_DISABLE, 0,
            NtStatus.STATUS_INVALID_DEVICE_STATE, "", true, 0, 3, 30, null, 0, 0, 0, 0, List.of(), List.of(), 2, 3));
    tally.add(outcome("dev-000003", ScriptStep.TO_D3, PnpOutcome.HUNG, List.of()).withLeaks(2, 16));
    tally.add(outcome("dev-000004", ScriptStep.START, PnpOutcome.CRASHED, List.of("K2")).withLeaks(1, 4));
    RunSummary s = summary(tally);

    assertEquals(8, s.dma().leakedRegisters());
    assertEquals(20, s.dma().registersHeldByStuckDevices());
    assertEquals(List.of(new RuleCount("K2", 1)), s.bugChecks());
    assertEquals(
        List.of(
            "8 map registers leaked: transactions of removed or failed devices went away holding them",
            "1 bug check from the reference drivers (K2 x1)"),
        s.failedChecks());
  }

  @Test
  @DisplayName("a run passes its checks with every device answered, no leak and no bug check; requests unfinished are counted")
  void checks() {
    RunTally tally = new RunTally(3, false);
    tally.add(outcome("dev-000001", ScriptStep.REMOVE, PnpOutcome.SUCCEEDED, List.of()));
    tally.add(outcome("dev-000002", ScriptStep.TO_D3, PnpOutcome.HUNG, List.of()).withLeaks(2, 16));
    RunSummary partial = summary(tally);
    assertEquals(List.of("1 of 3 devices gave no final answer before the run timed out"), partial.failedChecks());

    tally.add(
        new DeviceOutcome("dev-000003", ScriptStep.START, PnpOutcome.SUCCEEDED, null, -1, null, "", true, 0, 2, 10,
            "scatter-gather", 30, 25, 0, 0, List.of(), List.of(), 0, 0));
    RunSummary s = summary(tally);
    assertTrue(s.passedChecks(), s.failedChecks().toString());
    assertEquals(70, s.dma().requestsSubmitted());
    assertEquals(5, s.dma().requestsUnfinished());
  }

  @Test
  @DisplayName("§3.3 a DPC watchdog bug check (HANG) that a planned callback hang explains is counted, and fails no check")
  void plannedHangBugCheckPasses() {
    RunTally tally = new RunTally(2, false);
    tally.add(new DeviceOutcome("dev-000001", ScriptStep.START, PnpOutcome.CRASHED, null, -1, null, "", true, 0, 2, 10,
        "scatter-gather", 20, 20, 4, 0, List.of("HANG"), List.of("HANG"), 0, 0));
    tally.add(outcome("dev-000002", ScriptStep.START, PnpOutcome.CRASHED, List.of("HANG", "K3")));
    RunSummary s = summary(tally);
    assertEquals(List.of(new RuleCount("HANG", 2)), s.crashes());
    assertEquals(List.of(new RuleCount("HANG", 2), new RuleCount("K3", 1)), s.bugChecks());
    assertEquals(List.of(new RuleCount("HANG", 1)), s.plannedBugChecks());
    // The other device's hang was no plan's: it and its K3 are the reference driver's.
    assertEquals(List.of("2 bug checks from the reference drivers (HANG x1, K3 x1)"), s.failedChecks());
  }
}
