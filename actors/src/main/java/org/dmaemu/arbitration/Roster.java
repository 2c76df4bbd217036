package org.dmaemu.arbitration;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.function.Function;
import org.dmaemu.protocol.arbitration.Requester;
import org.slf4j.event.Level;

/**
 * What an arbiter keeps across its own restart: whom it watches (every requester, from its first
 * request until it dies, in the order they came) and that it has just crashed. It says whom to
 * ask, never what they hold or wait for: that is rebuilt from their answers.
 *
 * <p>Why this list survives when the rest is lost: a supervisor restarts the behaviour, not the
 * actor. The actor's address, its mailbox and its death watch stay — Akka goes on watching the
 * requesters for the restarted behaviour — and the roster is the arbiter's own copy of that watch
 * list, kept by the supervision wrapper next to it. The alternatives cost more and know no more:
 * the parent keeping the set would take a message per new requester to three kinds of parent (the
 * run's guardian, the cluster's arbiter entity, a device's enabler), each taught the rebuild; and
 * requesters re-registering on a restart notice needs the arbiter to know whom to notify, which is
 * this list again.
 *
 * <p>Confined to its arbiter: only that actor reads and changes it, before and after restarts.
 */
final class Roster {

  /** A restart the new incarnation must rebuild after. */
  record Restart(long serial, String faultId, String cause, long crashedAtMicros) {}

  private final LinkedHashMap<ActorRef<?>, Requester> members = new LinkedHashMap<>();
  private long restarts;
  private String faultId;
  private String cause;
  private long crashedAtMicros = -1;

  /**
   * The arbiter {@code incarnation} makes, supervised: on any failure it is restarted with the same
   * roster, so that the new incarnation knows whom to ask. A fault plan crashes an arbiter a few
   * times a run; an arbiter that fails a thousand times a minute has a bug that every restart
   * repeats, and is stopped instead of spinning.
   */
  static <T> Behavior<T> supervised(Function<Roster, Behavior<T>> incarnation) {
    return Behaviors.setup(context -> {
      Roster roster = new Roster();
      return Behaviors.supervise(incarnation.apply(roster))
          .onFailure(Exception.class,
              SupervisorStrategy.restart().withLimit(1000, Duration.ofMinutes(1)).withLogLevel(Level.WARN));
    });
  }

  /** Adds a requester seen for the first time; true if it is new (the caller then watches it). */
  boolean enlist(ActorRef<?> requester, Requester who) {
    return members.putIfAbsent(requester, who) == null;
  }

  void remove(ActorRef<?> requester) {
    members.remove(requester);
  }

  Collection<ActorRef<?>> members() {
    return members.keySet();
  }

  /** The device a member asks for, or {@code null} if it is not (or no longer) a member. */
  String deviceOf(ActorRef<?> requester) {
    Requester who = members.get(requester);
    return who == null ? null : who.deviceId();
  }

  /** Which restart the current incarnation is (0: never restarted). */
  long restarts() {
    return restarts;
  }

  /** The arbiter is about to fail because of fault {@code faultId}. */
  void crashing(String faultId, long atMicros) {
    this.faultId = faultId;
    this.cause = "fault " + faultId;
    this.crashedAtMicros = atMicros;
  }

  /** The failing incarnation's last word (PreRestart): a failure that was no injected fault is recorded too. */
  void restarting(long atMicros) {
    if (crashedAtMicros < 0) {
      faultId = "";
      cause = "failure";
      crashedAtMicros = atMicros;
    }
  }

  /** For a new incarnation: the restart it follows, or {@code null} on the first start. */
  Restart takeRestart() {
    if (crashedAtMicros < 0) {
      return null;
    }
    Restart restart = new Restart(++restarts, faultId, cause, crashedAtMicros);
    faultId = null;
    cause = null;
    crashedAtMicros = -1;
    return restart;
  }
}
