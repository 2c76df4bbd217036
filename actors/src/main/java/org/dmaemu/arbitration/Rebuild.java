package org.dmaemu.arbitration;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.trace.TraceSink;

/**
 * One rebuild of a restarted arbiter (DESIGN §10, arbiter crash): whom it asked, who answered,
 * who died or stayed silent, and which devices the crash touched. The arbiter decides what the
 * answers mean; this keeps the count and, at the end, says what happened in the trace and to the
 * observer.
 *
 * <p>A requester's messages are ordered after each other (Akka keeps per-sender order), so one
 * that arrives from a requester still {@linkplain #awaits awaited} was sent before its answer, and
 * the answer already accounts for it: the arbiter drops such messages instead of applying them
 * twice.
 */
final class Rebuild {

  final long serial;
  final String faultId;
  final String cause;
  final long crashedAtMicros;
  final long startedAtMicros;
  private final LinkedHashSet<ActorRef<?>> unanswered;
  private final LinkedHashSet<String> affected = new LinkedHashSet<>();
  private final int asked;
  private int answered;
  private int died;
  private List<ActorRef<?>> silent = List.of();

  Rebuild(Roster.Restart restart, long startedAtMicros, Collection<ActorRef<?>> askedRequesters) {
    this.serial = restart.serial();
    this.faultId = restart.faultId();
    this.cause = restart.cause();
    this.crashedAtMicros = restart.crashedAtMicros();
    this.startedAtMicros = startedAtMicros;
    this.unanswered = new LinkedHashSet<>(askedRequesters);
    this.asked = unanswered.size();
  }

  /** Asked and not answered yet: its messages predate its answer. */
  boolean awaits(ActorRef<?> requester) {
    return unanswered.contains(requester);
  }

  /**
   * {@code requester} answered; {@code involved} if it held or waited for something, which makes its
   * device one the crash touched. False if it was not awaited (a second answer).
   */
  boolean answered(ActorRef<?> requester, String deviceId, boolean involved) {
    if (!unanswered.remove(requester)) {
      return false;
    }
    answered++;
    if (involved) {
      affected.add(deviceId);
    }
    return true;
  }

  /** {@code requester} died; true if it had not answered (it never will). */
  boolean died(ActorRef<?> requester) {
    if (!unanswered.remove(requester)) {
      return false;
    }
    died++;
    return true;
  }

  boolean complete() {
    return unanswered.isEmpty();
  }

  /**
   * The timeout passed: the requesters that have not answered are treated as gone. Their devices
   * count as touched by the crash (whatever they held was reclaimed).
   */
  List<ActorRef<?>> giveUp(Roster roster) {
    silent = new ArrayList<>(unanswered);
    for (ActorRef<?> requester : silent) {
      String device = roster.deviceOf(requester);
      if (device != null) {
        affected.add(device);
      }
    }
    unanswered.clear();
    return silent;
  }

  /**
   * The rebuild is over at {@code nowMicros}: a span on the adapter's track from the crash to now
   * (the crash's own instant was traced when it happened), one {@code faultInjected} per touched
   * device, and the observer's {@code arbiterRebuilt}.
   *
   * @param arbiter "adapter lock" or "map registers"
   * @param state what the arbiter rebuilt, for the span's args
   */
  void finish(String adapterId, String arbiter, long nowMicros, Map<String, String> state, DmaObserver observer,
      TraceSink trace) {
    report(adapterId, arbiter, nowMicros, state, observer, trace);
    observer.arbiterRebuilt(adapterId, arbiter, faultId, crashedAtMicros, nowMicros, answered, silent.size());
  }

  /**
   * Another crash ({@code byFaultId}) cuts the rebuild short at {@code nowMicros}: its span ends there,
   * and the devices it found touched so far are reported as this crash's. It is no rebuild time for the
   * observer; the next rebuild asks every requester again.
   */
  void interrupt(String adapterId, String arbiter, long nowMicros, String byFaultId, DmaObserver observer,
      TraceSink trace) {
    report(adapterId, arbiter, nowMicros, Map.of("interruptedBy", byFaultId), observer, trace);
  }

  private void report(String adapterId, String arbiter, long nowMicros, Map<String, String> state, DmaObserver observer,
      TraceSink trace) {
    if (trace.enabled()) {
      Map<String, String> args = new HashMap<>(state);
      args.put("adapter", adapterId);
      args.put("arbiter", arbiter);
      args.put("fault", faultId);
      args.put("cause", cause);
      args.put("asked", Integer.toString(asked));
      args.put("answered", Integer.toString(answered));
      args.put("died", Integer.toString(died));
      args.put("silent", Integer.toString(silent.size()));
      args.put("rebuildMicros", Long.toString(nowMicros - crashedAtMicros));
      trace.span("ArbiterRebuild", adapterId, crashedAtMicros, nowMicros, args);
    }
    if (!faultId.isEmpty()) {
      String what = "arbiter-crash " + arbiter + " " + adapterId;
      for (String device : affected) {
        observer.faultInjected(faultId, device, what, crashedAtMicros);
      }
    }
  }

  int asked() {
    return asked;
  }

  int answered() {
    return answered;
  }

  int died() {
    return died;
  }

  int silent() {
    return silent.size();
  }

  /** The devices the crash touched so far, in the order they became known. */
  List<String> affected() {
    return List.copyOf(affected);
  }
}
