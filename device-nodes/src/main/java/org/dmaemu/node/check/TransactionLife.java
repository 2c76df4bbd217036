package org.dmaemu.node.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Each transaction's DDI calls, callbacks and map registers, in trace order: the API × state matrix
 * (§3.2), the message sequences (§9.5: EvtProgramDma only with registers, DmaCompleted* only after
 * a programmed fragment, Release only after completion), reservation (§5), cancellation (§6.1) and
 * the registers' return (§3.4, §5).
 *
 * <p>Trace order is the order in which a transaction's actor and its driver recorded the events:
 * a DDI instant when the call returns, a callback span when the callback returns, a
 * MapRegistersGranted instant before the adapter-control routine runs, a MapRegistersHeld span
 * before the registers go back to the pool. So a transaction's EvtProgramDma span comes after the
 * Execute (or DmaCompleted*) that staged it even when the callback started before that call
 * returned (reference §3.3: EvtProgramDma may run before Execute returns).
 */
final class TransactionLife {

  /** §3.1 state names as the trace writes them (FxDmaTransactionState…), shortened. */
  private static final String CREATED = "Created";
  private static final String RESERVED = "Reserved";
  private static final String INITIALIZED = "Initialized";
  private static final String TRANSFER = "Transfer";
  private static final String COMPLETED = "TransferCompleted";
  private static final String FAILED = "TransferFailed";
  private static final String RELEASED = "Released";
  private static final String STATE_PREFIX = "FxDmaTransactionState";

  private enum Reservation {
    NONE,
    /** AllocateResources accepted; the registers are not granted yet. */
    PENDING,
    GRANTED
  }

  /** Map registers granted and not yet seen to go back. */
  private record Grant(String adapter, int count, TraceEvent event) {}

  private static final class Tx {
    final String key;
    final String device;
    String state = CREATED;
    /** A fragment was programmed (or its system transfer ended) since Execute or the last DmaCompleted*. */
    boolean programmed;
    /** Transfer grants outstanding (a packet or system transaction's one, a scatter-gather fragment's). */
    int transferGrants;
    Reservation reservation = Reservation.NONE;
    boolean reserveDmaCalled;
    /** A grant that came before its Execute or AllocateResources returned (immediate execution). */
    TraceEvent earlyGrant;
    /** The Cancel that succeeded, while the transaction has not been released or re-initialized since. */
    TraceEvent cancel;
    /** The reservation's registers went back; the next DDI must be FreeResources or WdfObjectDelete. */
    TraceEvent reservationFreed;
    final List<Grant> grants = new ArrayList<>(2);
    final EventRing recent = new EventRing(6);
    long lastMicros;

    Tx(String key) {
      this.key = key;
      this.device = TraceArgs.deviceOf(key);
    }
  }

  private final Findings findings;
  /** Transactions by handle; a deleted transaction leaves. Insertion order keeps end-of-trace reports in trace order. */
  private final Map<String, Tx> transactions = new LinkedHashMap<>();
  /** Enabler profile by {@code dev/enabler-N}, from WdfDmaEnablerCreate. */
  private final Map<String, String> profiles = new HashMap<>();

  TransactionLife(Findings findings) {
    this.findings = findings;
  }

  void enablerCreated(TraceEvent e) {
    String device = TraceArgs.device(e);
    String enabler = e.args().get("enabler");
    String profile = e.args().get("profile");
    if (device != null && enabler != null && profile != null && TraceArgs.succeeded(e)) {
      profiles.put(device + "/enabler-" + enabler, profile);
    }
  }

  private Tx tx(String key) {
    return transactions.computeIfAbsent(key, Tx::new);
  }

  // ---- DDI calls (§3.2) ----------------------------------------------------------------------

  void ddi(TraceEvent e, String key) {
    Tx t = tx(key);
    String prev = t.state;
    String after = state(e);
    String ddi = e.name();
    Reservation reservationBefore = t.reservation;
    resolveEarlyGrant(t, e, ddi, after);
    reservationReturned(t, e, ddi);
    switch (ddi) {
      case "WdfDmaTransactionInitialize", "WdfDmaTransactionInitializeUsingRequest",
          "WdfDmaTransactionInitializeUsingOffset" -> {
        if (INITIALIZED.equals(after) && !(CREATED.equals(prev) || RESERVED.equals(prev) || RELEASED.equals(prev))) {
          sequence(t, e, ddi + " in state " + prev + ": Initialize is legal only in Created, Reserved or Released"
              + " (§3.2, K1)");
        }
        newCycle(t);
      }
      case "WdfDmaTransactionExecute" -> {
        if (!INITIALIZED.equals(prev)) {
          sequence(t, e, "WdfDmaTransactionExecute in state " + prev + ": Execute needs an Initialized transaction"
              + " (§3.2, K2)");
        }
        t.programmed = false;
      }
      case "WdfDmaTransactionDmaCompleted", "WdfDmaTransactionDmaCompletedWithLength",
          "WdfDmaTransactionDmaCompletedFinal" -> dmaCompleted(t, e, prev);
      case "WdfDmaTransactionRelease" -> {
        if (TRANSFER.equals(prev)) {
          sequence(t, e, "WdfDmaTransactionRelease while the transfer is in progress: release only after"
              + " DmaCompleted* returned TRUE (§3.2 K4, §8.3, §9.5)");
        }
        newCycle(t);
      }
      case "WdfObjectDelete" -> {
        if (TRANSFER.equals(prev)) {
          sequence(t, e, "WdfObjectDelete while the transfer is in progress (§3.2 K5, §8.3)");
        }
        newCycle(t);
        t.reservation = Reservation.NONE;
      }
      case "WdfDmaTransactionAllocateResources" -> allocateResources(t, e, prev, after, reservationBefore);
      case "WdfDmaTransactionFreeResources" -> {
        if (RELEASED.equals(after) && (CREATED.equals(prev) || TRANSFER.equals(prev))) {
          reservation(t, e, "WdfDmaTransactionFreeResources in state " + prev + " (§3.2, K11: not in Created or"
              + " Transfer)");
        }
        if (RELEASED.equals(after)) {
          t.reservation = Reservation.NONE;
          newCycle(t);
        }
      }
      case "WdfDmaTransactionCancel" -> cancel(t, e, prev, after);
      default -> {
        // Setters and StopSystemTransfer change no state the checks follow.
      }
    }
    if (after != null) {
      t.state = after;
    }
    remember(t, e);
  }

  private void dmaCompleted(Tx t, TraceEvent e, String prev) {
    if (t.cancel != null) {
      cancelled(t, e, e.name() + " on a transaction whose Cancel succeeded: the driver must release it"
          + " without completing the transfer (§6.1)");
    } else if (!TRANSFER.equals(prev)) {
      sequence(t, e, e.name() + " in state " + prev + ": DmaCompleted* needs a transaction in Transfer (§3.2, K3)");
    } else if (!t.programmed) {
      sequence(t, e, e.name() + " with no fragment programmed since Execute or the previous DmaCompleted*:"
          + " a fragment completes after its EvtProgramDma (§9.5)");
    }
    t.programmed = false;
  }

  private void allocateResources(Tx t, TraceEvent e, String prev, String after, Reservation before) {
    if (RESERVED.equals(after)) {
      if (!(CREATED.equals(prev) || INITIALIZED.equals(prev) || RELEASED.equals(prev))) {
        reservation(t, e, "WdfDmaTransactionAllocateResources accepted in state " + prev + " (§3.2, K9: only in"
            + " Created, Initialized or Released)");
      } else if (before != Reservation.NONE) {
        reservation(t, e, "WdfDmaTransactionAllocateResources accepted while the transaction already holds a"
            + " reservation (§5, K10)");
      }
      String profile = profiles.get(TraceArgs.enablerOf(t.key));
      if (profile != null && profile.startsWith("WdfDmaProfileScatterGather")) {
        reservation(t, e, "WdfDmaTransactionAllocateResources accepted on a " + profile + " enabler: reservation"
            + " exists only for packet and system profiles (§5 Availability)");
      }
      if (t.reservation != Reservation.GRANTED) {
        t.reservation = Reservation.PENDING;
      }
      t.reserveDmaCalled = false;
    } else if (FAILED.equals(after) && t.reservation == Reservation.PENDING) {
      t.reservation = Reservation.NONE;
    }
  }

  /**
   * §6.1: WdfDmaTransactionCancel succeeded (returned TRUE) when it left the transaction
   * TransferFailed from another state — from TransferFailed it returns FALSE and changes nothing.
   */
  private void cancel(Tx t, TraceEvent e, String prev, String after) {
    boolean succeeded = FAILED.equals(after) && !FAILED.equals(prev) && !COMPLETED.equals(prev);
    if (!succeeded) {
      return;
    }
    boolean allocationDone = RESERVED.equals(prev)
        ? t.reservation == Reservation.GRANTED
        : t.transferGrants > 0 || t.programmed;
    if (allocationDone) {
      cancelled(t, e, "WdfDmaTransactionCancel succeeded after the transaction's allocation was granted: Cancel"
          + " returns TRUE only while the allocation is pending (§6.1)");
    }
    if (t.reservation == Reservation.PENDING) {
      // The cancelled allocation was the reservation's: nothing is reserved.
      t.reservation = Reservation.NONE;
    }
    t.cancel = e;
  }

  /** The cycle of one request ends: Release, delete, FreeResources or a new Initialize. */
  private static void newCycle(Tx t) {
    t.cancel = null;
    t.programmed = false;
  }

  private void resolveEarlyGrant(Tx t, TraceEvent e, String ddi, String after) {
    if (t.earlyGrant == null) {
      return;
    }
    TraceEvent grant = t.earlyGrant;
    t.earlyGrant = null;
    if (ddi.equals("WdfDmaTransactionExecute") && TRANSFER.equals(after)) {
      if (t.reservation == Reservation.GRANTED) {
        reservation(t, grant, "a reserved transaction was granted map registers again for its Execute: with a"
            + " reservation, Execute calls EvtProgramDma directly, without arbitration (§5)");
      }
      t.transferGrants++;
    } else if (ddi.equals("WdfDmaTransactionAllocateResources") && RESERVED.equals(after)) {
      t.reservation = Reservation.GRANTED;
    } else {
      sequence(t, grant, "MapRegistersGranted to a transaction in state " + t.state + " that neither executed nor"
          + " reserved (§9.5: registers are granted to an Execute or an AllocateResources)");
      t.transferGrants++;
    }
  }

  private void reservationReturned(Tx t, TraceEvent e, String ddi) {
    if (t.reservationFreed == null) {
      return;
    }
    TraceEvent freed = t.reservationFreed;
    t.reservationFreed = null;
    if (ddi.equals("WdfDmaTransactionFreeResources") || ddi.equals("WdfObjectDelete")) {
      return;
    }
    List<TraceEvent> evidence = t.recent.with(freed);
    evidence.add(e);
    findings.violation(Invariant.RESERVATION, "the reserved map registers went back with " + ddi
        + ": a reservation survives Release and ends only with FreeResources or deleting the transaction (§3.2"
        + " Release row, §5)", t.device, t.key, e.tsMicros(), evidence);
  }

  // ---- Map registers -------------------------------------------------------------------------

  void registersGranted(TraceEvent e, String key) {
    Tx t = tx(key);
    String adapter = e.args().getOrDefault("adapter", e.track());
    t.grants.add(new Grant(adapter, TraceArgs.integer(e, "count", 0), e));
    if (t.cancel != null) {
      cancelled(t, e, "map registers granted to a cancelled transaction: after a successful Cancel the"
          + " adapter-control routine does not run (§6.1)");
    } else if (t.reservation == Reservation.PENDING) {
      t.reservation = Reservation.GRANTED;
      t.reserveDmaCalled = false;
    } else if (TRANSFER.equals(t.state)) {
      if (t.reservation == Reservation.GRANTED) {
        reservation(t, e, "a reserved transaction was granted map registers again for its Execute: with a"
            + " reservation, Execute calls EvtProgramDma directly, without arbitration (§5)");
      }
      t.transferGrants++;
    } else if (CREATED.equals(t.state) || INITIALIZED.equals(t.state) || RELEASED.equals(t.state)) {
      // With immediate execution the grant comes before Execute or AllocateResources returns.
      t.earlyGrant = e;
    } else if (RESERVED.equals(t.state) && t.reservation == Reservation.GRANTED) {
      reservation(t, e, "a second reservation grant for one AllocateResources (§5)");
    } else {
      sequence(t, e, "MapRegistersGranted to a transaction in state " + t.state + " (§9.5: registers are granted"
          + " to an Execute or an AllocateResources)");
    }
    remember(t, e);
  }

  void registersHeld(TraceEvent e, String key) {
    Tx t = tx(key);
    int count = TraceArgs.integer(e, "registers", 0);
    boolean reservation = Boolean.parseBoolean(e.args().get("reservation"));
    returnGrant(t, e.track(), count);
    if (reservation) {
      t.reservation = Reservation.NONE;
      t.reservationFreed = e;
    } else if (t.transferGrants > 0) {
      t.transferGrants--;
    }
    remember(t, e);
  }

  private static void returnGrant(Tx t, String adapter, int count) {
    Grant match = null;
    for (Grant g : t.grants) {
      if (g.adapter().equals(adapter) && g.count() == count) {
        match = g;
        break;
      }
    }
    if (match == null) {
      for (Grant g : t.grants) {
        if (g.adapter().equals(adapter)) {
          match = g;
          break;
        }
      }
    }
    if (match != null) {
      t.grants.remove(match);
    }
  }

  // ---- Callbacks and transfers ---------------------------------------------------------------

  void callback(TraceEvent e, String key) {
    Tx t = tx(key);
    switch (e.name()) {
      case "EvtProgramDma" -> programDma(t, e);
      case "EvtReserveDma" -> {
        if (t.cancel != null) {
          cancelled(t, e, "EvtReserveDma for a cancelled transaction: after a successful Cancel the"
              + " adapter-control routine does not run (§6.1)");
        } else if (t.reservation != Reservation.GRANTED) {
          reservation(t, e, "EvtReserveDma without reserved map registers: it runs once AllocateResources's"
              + " registers are granted (§5)");
        } else if (t.reserveDmaCalled) {
          reservation(t, e, "EvtReserveDma twice for one reservation (§5)");
        }
        t.reserveDmaCalled = true;
      }
      case "EvtDmaTransactionDmaTransferComplete" -> t.programmed = true;
      default -> {
        // EvtDmaTransactionConfigureDmaChannel: staging goes on to EvtProgramDma, checked there.
      }
    }
    remember(t, e);
  }

  private void programDma(Tx t, TraceEvent e) {
    if (t.cancel != null) {
      cancelled(t, e, "EvtProgramDma for a cancelled transaction: after a successful Cancel the adapter-control"
          + " routine does not run (§6.1)");
    } else if (!TRANSFER.equals(t.state)) {
      sequence(t, e, "EvtProgramDma while the transaction is " + t.state + ": fragments are programmed only in"
          + " Transfer (§3.4, §9.5)");
    } else if (t.transferGrants == 0 && t.reservation != Reservation.GRANTED) {
      sequence(t, e, "EvtProgramDma before the transaction got its map registers: the adapter-control routine"
          + " runs once they are granted (§3.4, §9.5)");
    } else if (t.programmed) {
      sequence(t, e, "EvtProgramDma again with no DmaCompleted* for the fragment programmed before (§3.5, §9.5)");
    }
    t.programmed = true;
  }

  /** The DMA engine moved a fragment. */
  void transfer(TraceEvent e, String key) {
    Tx t = tx(key);
    if (t.cancel != null) {
      cancelled(t, e, "data moved for a cancelled transaction (§6.1)");
    }
    remember(t, e);
  }

  /** A transaction's own BugCheck instant (with {@code ddi}): a DmaCompleted* refused after Cancel is a completion attempt. */
  void bugCheck(TraceEvent e, String key) {
    Tx t = tx(key);
    String ddi = e.args().getOrDefault("ddi", "");
    if (t.cancel != null && ddi.startsWith("WdfDmaTransactionDmaCompleted")) {
      cancelled(t, e, ddi + " on a transaction whose Cancel succeeded (§6.1; the verifier's " + e.args().get("rule")
          + ")");
    }
    remember(t, e);
  }

  // ---- End of the trace ----------------------------------------------------------------------

  /**
   * Leaks and unfinished transfers. Registers still held by a device that hung or crashed are not a
   * leak of its driver: they are counted in {@code stuckRegisters} instead.
   *
   * @return map registers still held by transactions of stuck devices
   */
  long finish(Set<String> stuckDevices) {
    long stuckRegisters = 0;
    for (Tx t : transactions.values()) {
      boolean stuck = stuckDevices.contains(t.device);
      if (t.earlyGrant != null) {
        sequence(t, t.earlyGrant, "MapRegistersGranted and no Execute or AllocateResources returned after it (§9.5)");
      }
      for (Grant g : t.grants) {
        if (stuck) {
          stuckRegisters += g.count();
          continue;
        }
        // The grant, and how the transaction's life ended without giving it back.
        List<TraceEvent> last = t.recent.with(null);
        List<TraceEvent> evidence = withFirst(g.event(), last.subList(Math.max(0, last.size() - 3), last.size()));
        findings.violation(Invariant.MAP_REGISTER_LEAK, g.count() + " map register" + (g.count() == 1 ? "" : "s")
            + " of adapter " + g.adapter() + " granted to " + t.key + " and never given back (§3.4: freed when the"
            + " transaction finishes; §5: a reservation with FreeResources or delete)",
            t.device, t.key, g.event().tsMicros(), evidence);
      }
      if (TRANSFER.equals(t.state) && !stuck) {
        findings.violation(Invariant.TRANSACTION_UNFINISHED, t.key + " is still in Transfer at the end of the trace:"
            + " no DmaCompleted* ended it (§3.5) and its device neither hung nor crashed",
            t.device, t.key, t.lastMicros, t.recent.with(null));
      }
    }
    return stuckRegisters;
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private static String state(TraceEvent e) {
    String s = e.args().get("state");
    if (s == null) {
      return null;
    }
    return s.startsWith(STATE_PREFIX) ? s.substring(STATE_PREFIX.length()) : s;
  }

  private static void remember(Tx t, TraceEvent e) {
    t.recent.add(e);
    t.lastMicros = Math.max(t.lastMicros, e.tsMicros());
  }

  private void sequence(Tx t, TraceEvent e, String message) {
    findings.violation(Invariant.TRANSACTION_SEQUENCE, message, t.device, t.key, e.tsMicros(), t.recent.with(e));
  }

  private void reservation(Tx t, TraceEvent e, String message) {
    findings.violation(Invariant.RESERVATION, message, t.device, t.key, e.tsMicros(), t.recent.with(e));
  }

  private void cancelled(Tx t, TraceEvent e, String message) {
    List<TraceEvent> evidence = t.cancel == null ? t.recent.with(e) : withFirst(t.cancel, t.recent.with(e));
    findings.violation(Invariant.COMPLETION_AFTER_CANCEL, message, t.device, t.key, e.tsMicros(), evidence);
  }

  /** {@code recent}, with {@code first} in front when it is older than what {@code recent} kept. */
  private static List<TraceEvent> withFirst(TraceEvent first, List<TraceEvent> recent) {
    for (TraceEvent r : recent) {
      if (r == first) {
        return recent;
      }
    }
    List<TraceEvent> out = new ArrayList<>(recent.size() + 1);
    out.add(first);
    out.addAll(recent);
    return out;
  }
}
