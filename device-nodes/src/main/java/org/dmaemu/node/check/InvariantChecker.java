package org.dmaemu.node.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Checks a run's trace against the invariants of DESIGN §10, one event at a time, in the order the
 * trace holds them: live, fed by the run's trace writer, or offline over a {@code trace.json}
 * ({@link TraceFile}). {@link #finish()} ends the trace and adds what only its end shows (leaks,
 * unfinished transfers). Not thread-safe: one feeder.
 *
 * <p>The classes of violation are {@link Invariant}'s; docs/checks.md describes each. A violation
 * within a planned fault's reach ({@link FaultReach}) is <em>injected</em>: reported with the
 * fault's id, it does not fail the check.
 */
public final class InvariantChecker {

  /** Violations kept with their events; beyond them only counted. */
  public static final int DETAIL_LIMIT = 1000;

  private final AdapterHolds holds;
  private final DevicePower power;
  private final TransactionLife transactions;
  private final RequestLedger requests;
  private final FaultReach faults = new FaultReach();
  /** Devices with a callback that hung or a bug check: what they still hold is not their driver's leak. */
  private final Set<String> stuck = new HashSet<>();
  /** Per device, the transaction's own BugCheck instant that the device's follows. */
  private final Map<String, TraceEvent> transactionBugChecks = new HashMap<>();

  private final List<Violation> details = new ArrayList<>();
  private final Map<String, Long> byClass = new HashMap<>();
  private final Map<String, Long> injectedByClass = new HashMap<>();
  private long checked;
  private long violations;
  private long injected;
  private long faultEvents;
  private String abandoned;
  private InvariantReport report;

  public InvariantChecker() {
    Findings findings = this::found;
    this.holds = new AdapterHolds(findings);
    this.power = new DevicePower(findings);
    this.transactions = new TransactionLife(findings);
    this.requests = new RequestLedger(findings);
  }

  /** The request ends the trace showed so far, by outcome. */
  public RequestLedger.Tally requests() {
    return requests.tally();
  }

  /** The next event of a one-node trace. */
  public void accept(TraceEvent e) {
    accept(0, e);
  }

  /**
   * The next event, recorded on node {@code node} (the trace's {@code pid}): adapter-wide times are
   * compared only among events of one node.
   */
  public void accept(int node, TraceEvent e) {
    if (report != null) {
      throw new IllegalStateException("the checker has finished");
    }
    if (abandoned != null) {
      return;
    }
    checked++;
    if (e.name().equals(FaultReach.EVENT)) {
      faultEvents++;
      faults.accept(e);
      return;
    }
    switch (e.phase()) {
      case "X" -> span(node, e);
      case "i" -> instant(e);
      case "C" -> holds.registerCounter(e);
      default -> {
        // Metadata and phases dmaemu does not write carry nothing to check.
      }
    }
  }

  private void span(int node, TraceEvent e) {
    String name = e.name();
    String tx = TraceArgs.transaction(e);
    switch (name) {
      case "AdapterLockHeld" -> holds.lockHeld(node, e);
      case "MapRegistersHeld" -> {
        holds.registersHeld(node, e);
        if (tx != null) {
          transactions.registersHeld(e, tx);
        }
      }
      case "DmaTransfer" -> {
        if (tx != null) {
          transactions.transfer(e, tx);
        }
      }
      case RequestLedger.REQUEST -> requests.request(node, e);
      default -> {
        if (!name.startsWith("Evt")) {
          return;
        }
        String device = TraceArgs.device(e);
        if (device != null && TraceArgs.hung(e)) {
          stuck.add(device);
        }
        if (tx != null) {
          transactions.callback(e, tx);
        } else if (device != null) {
          power.accept(e, device);
        }
      }
    }
  }

  private void instant(TraceEvent e) {
    String name = e.name();
    String tx = TraceArgs.transaction(e);
    if (name.equals("WdfDmaEnablerCreate")) {
      transactions.enablerCreated(e);
    } else if (name.equals("MapRegistersGranted")) {
      if (tx != null) {
        transactions.registersGranted(e, tx);
      }
    } else if (name.equals("BugCheck")) {
      bugCheck(e, tx);
    } else if (name.equals(RequestLedger.REQUESTS_ABORTED)) {
      requests.aborted(e);
    } else if ((name.startsWith("WdfDmaTransaction") || name.equals("WdfObjectDelete")) && tx != null) {
      transactions.ddi(e, tx);
    }
  }

  /**
   * A transaction's BugCheck instant names the DDI and the transaction; its device records the bug
   * check once more, with the code: that one is the violation.
   */
  private void bugCheck(TraceEvent e, String tx) {
    String device = TraceArgs.device(e);
    if (device != null) {
      stuck.add(device);
    }
    if (tx != null) {
      transactions.bugCheck(e, tx);
      if (device != null) {
        transactionBugChecks.put(device, e);
      }
      return;
    }
    List<TraceEvent> evidence = new ArrayList<>(2);
    TraceEvent own = device == null ? null : transactionBugChecks.remove(device);
    if (own != null) {
      evidence.add(own);
    }
    evidence.add(e);
    String code = e.args().getOrDefault("code", "?");
    found(Invariant.BUG_CHECK, "bug check 0x" + code.toUpperCase(Locale.ROOT) + " (" + e.args().getOrDefault("rule", "?")
        + ")" + (own == null ? "" : " in " + own.args().getOrDefault("ddi", "?")) + ": the verifier found a DMA rule"
        + " broken (§8)", device, own == null ? null : TraceArgs.transaction(own), e.tsMicros(), evidence);
  }

  private void found(
      Invariant invariant, String message, String device, String transaction, long atMicros, List<TraceEvent> events) {
    Set<String> devices = new LinkedHashSet<>();
    if (device != null) {
      devices.add(device);
    }
    for (TraceEvent e : events) {
      String d = TraceArgs.device(e);
      if (d != null) {
        devices.add(d);
      }
    }
    String fault = faults.reaching(devices);
    violations++;
    byClass.merge(invariant.id(), 1L, Long::sum);
    if (fault != null) {
      injected++;
      injectedByClass.merge(invariant.id(), 1L, Long::sum);
    }
    if (details.size() < DETAIL_LIMIT) {
      details.add(new Violation(invariant, message, device, transaction, atMicros, events, fault));
    }
  }

  /**
   * Stops checking: later events are not looked at, and the report says why. For a feeder that
   * must go on whatever the checker does (the run's trace writer).
   */
  public void abandon(String why) {
    if (abandoned == null) {
      abandoned = why;
    }
  }

  /** Ends the trace: what only its end shows, then the report. Later calls return the same report. */
  public InvariantReport finish() {
    if (report != null) {
      return report;
    }
    List<String> notes = new ArrayList<>();
    if (abandoned != null) {
      notes.add("the check stopped after " + checked + " events (" + abandoned + "); later events were not checked");
      report = new InvariantReport(true, checked, violations, injected, byClass, injectedByClass, details, notes);
      return report;
    }
    long stuckRegisters = transactions.finish(stuck);
    int unchecked = holds.adaptersWithoutCapacity();
    if (unchecked > 0) {
      notes.add(unchecked + " adapter" + (unchecked == 1 ? "'s" : "s'") + " map registers not checked for over-grants:"
          + " the trace has no MapRegisters counter with their capacity");
    }
    if (stuckRegisters > 0) {
      notes.add(stuckRegisters + " map registers still held by devices that hung or crashed (their drivers never got"
          + " to give them back; not counted as leaks)");
    }
    if (faultEvents > 0) {
      notes.add(faultEvents + " FaultInjected event" + (faultEvents == 1 ? "" : "s") + ": violations within their reach"
          + " are injected");
    }
    report = new InvariantReport(true, checked, violations, injected, byClass, injectedByClass, details, notes);
    return report;
  }
}
