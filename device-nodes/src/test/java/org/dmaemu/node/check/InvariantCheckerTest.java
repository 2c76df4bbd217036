package org.dmaemu.node.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.dmaemu.protocol.trace.TraceEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each class of violation caught in a small hand-made trace (src/test/resources/check/), and a
 * clean one that must stay clean. The expected counts are exact: a check that also fires where it
 * should not fails here too.
 */
class InvariantCheckerTest {

  private static Map<String, Long> classes(Object... idThenCount) {
    Map<String, Long> m = new java.util.HashMap<>();
    for (int i = 0; i < idThenCount.length; i += 2) {
      m.put(((Invariant) idThenCount[i]).id(), ((Number) idThenCount[i + 1]).longValue());
    }
    return m;
  }

  private static Set<String> transactions(InvariantReport r) {
    return r.details().stream().map(Violation::transaction).collect(Collectors.toSet());
  }

  private static Set<String> devices(InvariantReport r) {
    return r.details().stream().map(Violation::device).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("a clean trace (packet fragments, lock holds that touch, registers up to capacity, a reservation cycle, D0 entry and exit) has no violation")
  void cleanTrace() {
    InvariantReport r = CheckTraces.check("clean.json");
    assertEquals(0, r.violations(), r.details().toString());
    assertTrue(r.passed());
    assertEquals(56, r.checked());
    assertEquals(List.of(), r.notes());
  }

  @Test
  @DisplayName("§4.3 two overlapping holds of one adapter's lock; a hold that starts as another ends is legal")
  void lockOverlap() {
    // reference §4.3: the adapter (the HAL's channel) has one owner at a time.
    InvariantReport r = CheckTraces.check("lock-overlap.json");
    assertEquals(classes(Invariant.ADAPTER_LOCK_EXCLUSION, 1), r.byClass());
    Violation v = r.details().get(0);
    assertEquals("dev-2", v.device());
    assertEquals("dev-2/enabler-0/tx-1", v.transaction());
    assertEquals(15, v.atMicros());
    assertEquals(List.of("dev-1/enabler-0/tx-1", "dev-2/enabler-0/tx-1"),
        v.events().stream().map(e -> e.args().get("transaction")).toList());
    assertTrue(v.message().contains("from 15 to 20 us"), v.message());
    assertFalse(r.passed());
  }

  @Test
  @DisplayName("§4.1/§4.5 map registers over-granted: three holds reach 5 of an adapter's 4; its pool reports -1 free")
  void registersOverGranted() {
    // reference §4.1, §4.5: an adapter grants at most the registers it has.
    InvariantReport r = CheckTraces.check("registers-overgrant.json");
    assertEquals(classes(Invariant.MAP_REGISTER_OVERGRANT, 2), r.byClass());
    Violation holds = r.details().get(0);
    assertTrue(holds.message().contains("has 4 map registers but 3 holds had 5 at 15 us"), holds.message());
    assertEquals(3, holds.events().size());
    assertEquals(15, holds.atMicros());
    Violation pool = r.details().get(1);
    assertTrue(pool.message().contains("reported -1 free of 4"), pool.message());
    assertNull(pool.device());
  }

  @Test
  @DisplayName("§3.4 a leak names its holder; registers held by a device that hung are a note, not a leak")
  void registersLeaked() {
    // reference §3.4: a packet transaction's registers are freed when it finishes.
    InvariantReport r = CheckTraces.check("registers-leak.json");
    assertEquals(classes(Invariant.MAP_REGISTER_LEAK, 1), r.byClass());
    Violation v = r.details().get(0);
    assertEquals("dev-1", v.device());
    assertEquals("dev-1/enabler-0/tx-1", v.transaction());
    assertEquals("MapRegistersGranted", v.events().get(0).name());
    assertTrue(v.message().startsWith("3 map registers of adapter dev-1/enabler-0"), v.message());
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("5 map registers still held by devices that hung")),
        r.notes().toString());
  }

  @Test
  @DisplayName("§6.1 no completion after cancel: a cancelled transaction granted, programmed, moving data; a Cancel TRUE after EvtProgramDma")
  void completionAfterCancel() {
    // reference §6.1: after Cancel returns TRUE the adapter-control routine (EvtProgramDma) does not run.
    InvariantReport r = CheckTraces.check("cancel-then-complete.json");
    assertEquals(classes(Invariant.COMPLETION_AFTER_CANCEL, 4), r.byClass());
    List<Violation> tx1 = r.details().stream().filter(v -> "dev-1/enabler-0/tx-1".equals(v.transaction())).toList();
    assertEquals(3, tx1.size());
    for (Violation v : tx1) {
      assertTrue(v.events().stream().anyMatch(e -> e.name().equals("WdfDmaTransactionCancel")), v.toString());
    }
    assertEquals(List.of("MapRegistersGranted", "EvtProgramDma", "DmaTransfer"),
        tx1.stream().map(v -> v.events().get(v.events().size() - 1).name()).toList());
    assertTrue(r.details().get(3).message().startsWith("WdfDmaTransactionCancel succeeded after"), r.details().get(3).message());
  }

  @Test
  @DisplayName("§2.1 D0 entry order: interrupts after PostInterruptsEnabled, enabler 1 before enabler 0, Restart before any Init")
  void entryOrder() {
    // reference §2.1: EvtDeviceD0Entry, interrupts, PostInterruptsEnabled, enablers in creation order, SelfManagedIoInit/Restart.
    InvariantReport r = CheckTraces.check("power-entry-order.json");
    assertEquals(classes(Invariant.POWER_CALLBACK_ORDER, 3), r.byClass());
    assertEquals(List.of("dev-1", "dev-2", "dev-3"), r.details().stream().map(Violation::device).toList());
    assertTrue(r.details().get(1).message().startsWith("EvtDmaEnablerFill of enabler 0 after EvtDmaEnablerFill of enabler 1"));
    assertTrue(r.details().get(2).message().contains("§2.1 step 9"));
  }

  @Test
  @DisplayName("§2.2/§2.4 D0 exit order: Flush before Disable; Disable and Flush of an enabler whose Fill failed; an exit that stops early")
  void exitOrderAndGating() {
    // reference §2.2: per enabler SelfManagedIoStop, Disable, Flush, every enabler visited; §2.4: gating after a failed Fill.
    InvariantReport r = CheckTraces.check("power-exit-order.json");
    assertEquals(classes(Invariant.POWER_CALLBACK_ORDER, 4), r.byClass());
    assertEquals(List.of("dev-1", "dev-2", "dev-2", "dev-3"), r.details().stream().map(Violation::device).toList());
    assertTrue(r.details().get(1).message().contains("§2.4 skips Disable and Flush"));
    assertTrue(r.details().get(3).message().startsWith("D0 exit ended without EvtDmaEnablerFlush of enabler 0"),
        r.details().get(3).message());
  }

  @Test
  @DisplayName("§2.3 a failed power-up callback ends the sequence as the failure matrix says; the legal unwinding is clean")
  void entryFailures() {
    // reference §2.3: rows 1 (no D0Exit), 2 (no DMA callback), 3 and 5 (DMA power-down, no suspend), and the skipped later enablers.
    InvariantReport r = CheckTraces.check("power-entry-failure.json");
    assertEquals(classes(Invariant.POWER_CALLBACK_ORDER, 4), r.byClass());
    assertEquals(Set.of("dev-1", "dev-2", "dev-3", "dev-4"), devices(r), "dev-5 unwinds as §2.3 row 3 says");
  }

  @Test
  @DisplayName("§3.2/§9.5 transaction sequences: program without registers, complete twice, release in Transfer, execute uninitialized, complete unprogrammed")
  void transactionSequences() {
    // reference §3.2 (API × state matrix) and §9.5 (registers, then EvtProgramDma, then DmaCompleted*, then Release).
    InvariantReport r = CheckTraces.check("transaction-sequence.json");
    assertEquals(classes(Invariant.TRANSACTION_SEQUENCE, 5), r.byClass());
    assertEquals(List.of("dev-1/enabler-0/tx-1", "dev-1/enabler-0/tx-2", "dev-1/enabler-0/tx-3", "dev-1/enabler-0/tx-4",
        "dev-1/enabler-0/tx-5"), r.details().stream().map(Violation::transaction).toList());
  }

  @Test
  @DisplayName("§5 reservation: arbitration on a reserved Execute, Release freeing a reservation, EvtReserveDma unreserved, scatter-gather reserving, reserving twice")
  void reservation() {
    // reference §5: Execute with a reservation calls EvtProgramDma without arbitration; only FreeResources or delete frees it.
    InvariantReport r = CheckTraces.check("reservation.json");
    assertEquals(classes(Invariant.RESERVATION, 5), r.byClass());
    assertEquals(Set.of("dev-1/enabler-0/tx-1", "dev-1/enabler-0/tx-2", "dev-2/enabler-0/tx-1", "dev-1/enabler-0/tx-3"),
        transactions(r));
  }

  @Test
  @DisplayName("DESIGN §10/§3.5 a transaction still in Transfer at the end of the trace, with its register")
  void unfinished() {
    // reference §3.5: only a DmaCompleted* returning TRUE ends a transfer.
    InvariantReport r = CheckTraces.check("unfinished.json");
    assertEquals(classes(Invariant.TRANSACTION_UNFINISHED, 1, Invariant.MAP_REGISTER_LEAK, 1), r.byClass());
  }

  @Test
  @DisplayName("§8 a bug check is a violation; the crashed device's transaction is not reported again as unfinished")
  void bugCheck() {
    // reference §8.1 K2.
    InvariantReport r = CheckTraces.check("bug-check.json");
    assertEquals(classes(Invariant.BUG_CHECK, 1), r.byClass());
    Violation v = r.details().get(0);
    assertEquals("dev-1/enabler-0/tx-1", v.transaction());
    assertTrue(v.message().startsWith("bug check 0x10D (K2) in WdfDmaTransactionExecute"), v.message());
    assertEquals(2, v.events().size());
  }

  @Test
  @DisplayName("DESIGN §10 violations within a fault's reach are injected, with the fault's id, and do not fail the check")
  void injected() {
    InvariantReport r = CheckTraces.check("injected.json");
    assertEquals(3, r.violations());
    assertEquals(3, r.injected());
    assertTrue(r.passed());
    assertNull(r.failedCheck());
    // dev-1's own violation; the lock overlap is dev-2's but its events name dev-1; dev-5 is reached by a fault without device.
    assertEquals(List.of("drop-1", "drop-1", "node-2"), r.details().stream().map(Violation::fault).toList());
    assertEquals(1, r.injectedCount(Invariant.ADAPTER_LOCK_EXCLUSION));
  }

  @Test
  @DisplayName("DESIGN §10 a fault that acts after the violation, or on another device, does not reach it")
  void notInjected() {
    InvariantReport r = CheckTraces.check("not-injected.json");
    assertEquals(2, r.violations());
    assertEquals(0, r.injected());
    assertFalse(r.passed());
    assertTrue(r.failedCheck().startsWith("2 invariant violations in the trace (power-callback-order 2)"), r.failedCheck());
  }

  @Test
  @DisplayName("fed one event at a time (as the trace writer does) the checker finds what it finds in the file")
  void streamingEqualsFile() throws Exception {
    InvariantChecker live = new InvariantChecker();
    List<TraceEvent> events = new java.util.ArrayList<>();
    TraceFile.read(CheckTraces.file("reservation.json"), (pid, e) -> events.add(e));
    events.forEach(live::accept);
    InvariantReport r = live.finish();
    InvariantReport file = CheckTraces.check("reservation.json");
    assertEquals(file.byClass(), r.byClass());
    assertEquals(file.details(), r.details());
    assertEquals(r, live.finish(), "finish twice: the same report");
  }

  @Test
  @DisplayName("§4.3 holds are compared within a node: two nodes' clocks differ, so their holds are not set against each other")
  void holdsPerNode() {
    InvariantChecker c = new InvariantChecker();
    c.accept(1, new TraceEvent("AdapterLockHeld", "X", 10, 10, "shared", Map.of("device", "a", "transaction", "a/enabler-0/tx-1")));
    c.accept(2, new TraceEvent("AdapterLockHeld", "X", 15, 10, "shared", Map.of("device", "b", "transaction", "b/enabler-0/tx-1")));
    assertEquals(0, c.finish().violations());
    InvariantChecker same = new InvariantChecker();
    same.accept(1, new TraceEvent("AdapterLockHeld", "X", 10, 10, "shared", Map.of("device", "a", "transaction", "a/enabler-0/tx-1")));
    same.accept(1, new TraceEvent("AdapterLockHeld", "X", 15, 10, "shared", Map.of("device", "b", "transaction", "b/enabler-0/tx-1")));
    assertEquals(1, same.finish().count(Invariant.ADAPTER_LOCK_EXCLUSION));
  }

  @Test
  @DisplayName("DESIGN §10 a request that ends twice is a violation; the trace's tally counts each request's first end")
  void requestEndsTwice() {
    InvariantChecker c = new InvariantChecker();
    try {
      TraceFile.read(CheckTraces.file("request-twice.json"), c::accept);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    InvariantReport r = c.finish();
    assertEquals(classes(Invariant.REQUEST_ACCOUNTING, 1), r.byClass());
    Violation v = r.details().get(0);
    assertEquals("dev-1", v.device());
    assertTrue(v.message().startsWith("request 0 of dev-1 ended a second time, cancelled"), v.message());
    assertFalse(r.passed());
    RequestLedger.Tally t = c.requests();
    assertTrue(t.recorded());
    assertEquals(2, t.completed());
    assertEquals(1, t.failed());
    assertEquals(0, t.cancelled());
    assertEquals(Map.of("irq", 1L, "hang", 2L), t.abortedByFault());
  }

  @Test
  @DisplayName("DESIGN §10 a request end without an outcome or a request number is a violation")
  void requestEndMalformed() {
    InvariantChecker c = new InvariantChecker();
    c.accept(new TraceEvent("Request", "X", 1, 1, "dev-1", Map.of("device", "dev-1", "request", "0", "outcome", "done")));
    c.accept(new TraceEvent("Request", "X", 2, 1, "dev-1", Map.of("device", "dev-1", "outcome", "completed")));
    c.accept(new TraceEvent("RequestsAborted", "i", 3, 0, "dev-1", Map.of("device", "dev-1", "fault", "f")));
    InvariantReport r = c.finish();
    assertEquals(classes(Invariant.REQUEST_ACCOUNTING, 3), r.byClass());
    assertEquals(0, c.requests().ended());
  }

  @Test
  @DisplayName("DESIGN §10 the same device's request numbers on two nodes (a device started again elsewhere) are two requests")
  void requestsPerNode() {
    InvariantReport r = CheckTraces.check("requests.json");
    assertEquals(0, r.violations(), r.details().toString());
  }
}
