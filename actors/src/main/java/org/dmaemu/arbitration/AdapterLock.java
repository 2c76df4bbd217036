package org.dmaemu.arbitration;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PreRestart;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterGrantReceived;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AdapterHolding;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.CancelAdapterRequest;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.Crash;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.GetAdapterLockState;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.LockWait;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterRequestCancelled;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterUnavailable;
import org.dmaemu.protocol.arbitration.AdapterReply.ReportAdapterHolding;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * The adapter "lock" of one WDM adapter (reference §4.3): one holder at a time, the others waiting
 * in the order of an {@link ArbitrationPolicy}. A busy adapter refuses an immediate request
 * (§4.5). The lock watches every holder and waiter: a holder that dies has the lock taken back
 * ({@code reclaimed}), a waiter that dies loses its place.
 *
 * <p>A release by anyone but the holder is a driver or emulator bug: it is logged and counted, and
 * the lock stays with its holder.
 *
 * <p>Faults (DESIGN §10). A grant to a requester that acknowledges grants is sent again every
 * {@link ArbiterRecovery#grantRedelivery()} until acknowledged, so that a lost grant costs latency,
 * not the adapter. {@link Crash} makes the lock fail for real; its supervisor restarts it with
 * nothing but its {@link Roster} (whom it watches). The restarted lock asks every requester what it
 * holds and waits for, grants nothing until all have answered, died or stayed silent for
 * {@link ArbiterRecovery#rebuildTimeout()}, and queues what arrives meanwhile; then it restores the
 * holder, queues the waiters in the order they asked, then the newcomers, and serves again.
 *
 * <p>Every grant, release, enqueue and withdrawal is reported to the {@link DmaObserver} with the
 * node clock's time, for utilization and queue depth over time; a crash is an
 * {@code ArbiterCrash} instant and its rebuild an {@code ArbiterRebuild} span on the adapter's
 * track.
 */
public final class AdapterLock extends AbstractBehavior<AdapterLockMessage> {

  static final String ARBITER = "adapter lock";

  private static final class Request extends RequestBook.Request implements ArbitrationPolicy.Waiter {
    final ActorRef<AdapterReply> replyTo;
    /** Who asks, as the policy sees it (the base class's requester is the reply address). */
    final Requester identity;
    final boolean immediate;
    final boolean acknowledge;
    /** When the requester sent it, as reported to a rebuild; orders the rebuilt queue. */
    final long sinceMicros;
    /** Its place in the queue while it waits; {@code null} once it holds the lock. */
    WaitQueue.Entry<Request> entry;

    Request(
        ActorRef<AdapterReply> replyTo,
        long requestId,
        Requester requester,
        boolean immediate,
        boolean acknowledge,
        long sinceMicros) {
      super(replyTo, requestId);
      this.replyTo = replyTo;
      this.identity = requester;
      this.immediate = immediate;
      this.acknowledge = acknowledge;
      this.sinceMicros = sinceMicros;
    }

    @Override
    public int demand() {
      return 1;
    }

    @Override
    public Requester requester() {
      return identity;
    }
  }

  /** The redelivery timer. */
  private enum RedeliveryDue implements AdapterLockMessage.Internal, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** The rebuild's timeout; {@code rebuild} tells a rebuild's timer from an earlier one's. */
  private record RebuildTimedOut(long rebuild) implements AdapterLockMessage.Internal, NoSerializationVerificationNeeded {}

  private static final Object REBUILD_TIMER = "rebuild";

  private final String adapterId;
  private final DmaObserver observer;
  private final TraceSink trace;
  private final NodeClock clock;
  private final ArbiterRecovery recovery;
  private final TimerScheduler<AdapterLockMessage> timers;
  private final Roster roster;
  private final RequestBook<Request> book;
  private final WaitQueue<Request> queue;
  private final GrantRedelivery<Request, AdapterLockMessage> redelivery;
  private final Predicate<Request> servable = waiter -> isFree();
  private Request holder;
  private long grants;
  private long reclaimed;
  private long releasesByNonHolder;

  // While rebuilding after a restart (rebuild != null).
  private Rebuild rebuild;
  /** Waiters the answers reported, in the order the answers came. */
  private final ArrayList<Request> reportedWaiters = new ArrayList<>();
  /** Requests that arrived during the rebuild from requesters that had answered or were never asked. */
  private final ArrayList<Request> arrivals = new ArrayList<>();
  /** Requesters that did not answer the last rebuild in time; what they held was reclaimed. */
  private HashSet<ActorRef<?>> presumedGone;
  private long holderConflicts;

  public static Behavior<AdapterLockMessage> create(String adapterId, ArbitrationPolicy policy, DmaObserver observer) {
    return create(adapterId, policy, observer, TraceSink.NONE, ArbiterRecovery.defaults());
  }

  /**
   * @param trace where the crash and the rebuild are traced, on the adapter's track
   * @param recovery the grant redelivery and rebuild timeouts
   */
  public static Behavior<AdapterLockMessage> create(
      String adapterId, ArbitrationPolicy policy, DmaObserver observer, TraceSink trace, ArbiterRecovery recovery) {
    Objects.requireNonNull(adapterId, "adapterId");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(recovery, "recovery");
    return Roster.supervised(roster -> Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new AdapterLock(context, timers, roster, adapterId, policy, observer, trace, recovery))));
  }

  private AdapterLock(
      ActorContext<AdapterLockMessage> context,
      TimerScheduler<AdapterLockMessage> timers,
      Roster roster,
      String adapterId,
      ArbitrationPolicy policy,
      DmaObserver observer,
      TraceSink trace,
      ArbiterRecovery recovery) {
    super(context);
    // The supervision wrapper would otherwise name the logger after itself.
    context.setLoggerName(AdapterLock.class);
    this.adapterId = adapterId;
    this.observer = observer;
    this.trace = trace;
    this.clock = NodeClock.get(context.getSystem());
    this.recovery = recovery;
    this.timers = timers;
    this.roster = roster;
    this.book = new RequestBook<>(context, roster);
    this.queue = policy.newQueue();
    this.redelivery = new GrantRedelivery<>(timers, RedeliveryDue.INSTANCE, clock, recovery.grantRedelivery());
    Roster.Restart restart = roster.takeRestart();
    if (restart != null) {
      startRebuild(restart);
    }
  }

  @Override
  public Receive<AdapterLockMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(AcquireAdapter.class, this::onAcquireAdapter)
        .onMessage(ReleaseAdapter.class, this::onReleaseAdapter)
        .onMessage(CancelAdapterRequest.class, this::onCancelAdapterRequest)
        .onMessage(AdapterGrantReceived.class, this::onAdapterGrantReceived)
        .onMessage(GetAdapterLockState.class, this::onGetAdapterLockState)
        .onMessage(Crash.class, this::onCrash)
        .onMessageEquals(AdapterLockMessage.Retire.INSTANCE, Behaviors::stopped)
        .onMessage(AdapterHolding.class, this::onAdapterHolding)
        .onMessageEquals(RedeliveryDue.INSTANCE, this::onRedeliveryDue)
        .onMessage(RebuildTimedOut.class, this::onRebuildTimedOut)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PreRestart.class, this::onPreRestart)
        .build();
  }

  private Behavior<AdapterLockMessage> onAcquireAdapter(AcquireAdapter command) {
    ActorRef<AdapterReply> replyTo = command.replyTo();
    if (answerPending(replyTo)) {
      return this;
    }
    if (book.contains(replyTo, command.requestId())) {
      getContext()
          .getLog()
          .warn("AcquireAdapter on adapter {}: {} request {} is already known; refused",
              adapterId, replyTo.path(), command.requestId());
      replyTo.tell(new AdapterUnavailable(adapterId, command.requestId(), NtStatus.STATUS_INVALID_PARAMETER));
      return this;
    }
    Request request = new Request(
        replyTo, command.requestId(), command.requester(), command.immediate(), command.acknowledge(), clock.nowMicros());
    if (rebuild != null) {
      // Granted nothing until the rebuild is over; served after the waiters it restores.
      book.add(request, request.identity);
      arrivals.add(request);
      return this;
    }
    admit(request, false);
    return this;
  }

  /**
   * A new request: granted if the lock is free and the policy lets it go first, refused if
   * immediate, else queued. {@code booked}: it is in the book already (it arrived during a rebuild).
   */
  private void admit(Request request, boolean booked) {
    if (isFree() && (queue.isEmpty() || queue.mayOvertake(request))) {
      if (!booked) {
        book.add(request, request.identity);
      }
      queue.grantedAtOnce(request);
      grant(request);
    } else if (request.immediate) {
      if (booked) {
        book.remove(request);
      }
      request.replyTo.tell(new AdapterUnavailable(adapterId, request.requestId, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    } else {
      if (!booked) {
        book.add(request, request.identity);
      }
      request.entry = queue.add(request);
      changed();
    }
  }

  private Behavior<AdapterLockMessage> onReleaseAdapter(ReleaseAdapter command) {
    if (answerPending(command.holder())) {
      return this;
    }
    if (holder != null && holder.requestId == command.requestId() && holder.requester.equals(command.holder())) {
      book.remove(holder);
      redelivery.settled(holder);
      holder = null;
      changed();
      serveWaiters();
    } else if (presumedGone != null && presumedGone.contains(command.holder())) {
      getContext().getLog().debug("Adapter {}: release by {}, treated as gone by the last rebuild; ignored",
          adapterId, command.holder().path());
    } else {
      releasesByNonHolder++;
      getContext()
          .getLog()
          .warn("ReleaseAdapter on adapter {} by {} request {}, which does not hold it (holder: {}); ignored, {} so far",
              adapterId, command.holder().path(), command.requestId(), describeHolder(), releasesByNonHolder);
    }
    return this;
  }

  private Behavior<AdapterLockMessage> onCancelAdapterRequest(CancelAdapterRequest command) {
    if (answerPending(command.holder())) {
      return this;
    }
    Request request = book.get(command.holder(), command.requestId());
    // While rebuilding, every known request but the holder waits (reported, or arrived since).
    boolean cancelled = request != null && (request.entry != null || (rebuild != null && request != holder));
    if (cancelled) {
      if (request.entry != null) {
        queue.remove(request.entry);
        request.entry = null;
      }
      book.remove(request);
      changed();
      serveWaiters();
    }
    command.holder().tell(new AdapterRequestCancelled(adapterId, command.requestId(), cancelled));
    return this;
  }

  private Behavior<AdapterLockMessage> onAdapterGrantReceived(AdapterGrantReceived received) {
    Request request = book.get(received.holder(), received.requestId());
    if (request != null) {
      redelivery.settled(request);
    }
    return this;
  }

  private Behavior<AdapterLockMessage> onRedeliveryDue() {
    redelivery.due(request -> request.replyTo.tell(new AdapterGranted(adapterId, request.requestId)));
    return this;
  }

  private Behavior<AdapterLockMessage> onGetAdapterLockState(GetAdapterLockState query) {
    query.replyTo().tell(new AdapterLockSnapshot(adapterId, describeHolder(), waiting(), grants, reclaimed));
    return this;
  }

  private Behavior<AdapterLockMessage> onTerminated(Terminated terminated) {
    ActorRef<?> gone = terminated.getRef();
    boolean wasAwaited = rebuild != null && rebuild.died(gone);
    for (Request request : book.removeAll(gone)) {
      redelivery.settled(request);
      if (request == holder) {
        holder = null;
        reclaimed++;
        getContext()
            .getLog()
            .warn("Adapter {}: holder {} died holding the adapter; lock reclaimed ({} so far)",
                adapterId, request.describe(), reclaimed);
        changed();
      } else if (request.entry != null) {
        queue.remove(request.entry);
        request.entry = null;
        changed();
      }
      // A reported waiter or an arrival of a rebuild is left out when the rebuild ends (no longer in the book).
    }
    if (presumedGone != null) {
      presumedGone.remove(gone);
    }
    if (wasAwaited && rebuild.complete()) {
      finishRebuild();
    }
    serveWaiters();
    return this;
  }

  private boolean isFree() {
    return holder == null;
  }

  private void serveWaiters() {
    if (rebuild != null) {
      return;
    }
    Request next;
    while ((next = queue.takeNext(servable)) != null) {
      next.entry = null;
      grant(next);
    }
  }

  private void grant(Request request) {
    holder = request;
    grants++;
    request.replyTo.tell(new AdapterGranted(adapterId, request.requestId));
    if (request.acknowledge) {
      redelivery.sent(request);
    }
    changed();
  }

  private void changed() {
    if (rebuild == null) {
      observer.adapterLockChanged(adapterId, holder != null, queue.size(), clock.nowMicros());
    }
  }

  private String describeHolder() {
    return holder == null ? null : holder.describe();
  }

  private int waiting() {
    if (rebuild == null) {
      return queue.size();
    }
    int n = 0;
    for (Request r : reportedWaiters) {
      n += book.containsRequest(r) ? 1 : 0;
    }
    for (Request r : arrivals) {
      n += book.containsRequest(r) ? 1 : 0;
    }
    return n;
  }

  // ---- Crash and rebuild (DESIGN §10) --------------------------------------------------------

  private Behavior<AdapterLockMessage> onCrash(Crash crash) {
    long now = clock.nowMicros();
    if (rebuild != null) {
      rebuild.interrupt(adapterId, ARBITER, now, crash.faultId(), observer, trace);
    }
    roster.crashing(crash.faultId(), now);
    if (trace.enabled()) {
      trace.instant("ArbiterCrash", adapterId, now, Map.of(
          "adapter", adapterId, "arbiter", ARBITER, "fault", crash.faultId(),
          "holder", holder == null ? "" : holder.identity.deviceId(), "waiting", Integer.toString(waiting())));
    }
    throw new ArbiterCrash("adapter lock " + adapterId, crash.faultId());
  }

  private Behavior<AdapterLockMessage> onPreRestart(PreRestart signal) {
    roster.restarting(clock.nowMicros());
    return this;
  }

  /**
   * Asks every requester in the roster what it holds and waits for. They need not be watched again: the restart
   * replaced the behaviour, not the actor, whose death watch goes on — a requester that dies
   * meanwhile is reported to this incarnation.
   */
  private void startRebuild(Roster.Restart restart) {
    rebuild = new Rebuild(restart, clock.nowMicros(), roster.members());
    getContext().getLog().warn("Adapter {} lock restarted after {}: asking {} requesters what they hold",
        adapterId, restart.cause(), rebuild.asked());
    if (rebuild.complete()) {
      finishRebuild();
      return;
    }
    ActorRef<AdapterLockMessage> self = getContext().getSelf();
    for (ActorRef<?> requester : roster.members()) {
      requester.<AdapterReply>unsafeUpcast().tell(new ReportAdapterHolding(adapterId, restart.serial(), self));
    }
    timers.startSingleTimer(REBUILD_TIMER, new RebuildTimedOut(restart.serial()), clock.toReal(recovery.rebuildTimeout()));
  }

  /** A message from a requester whose answer is still awaited: the answer accounts for it. */
  private boolean answerPending(ActorRef<?> requester) {
    return rebuild != null && rebuild.awaits(requester);
  }

  private Behavior<AdapterLockMessage> onAdapterHolding(AdapterHolding answer) {
    if (rebuild == null || answer.rebuild() != rebuild.serial) {
      if (answer.rebuild() == roster.restarts() && presumedGone != null && presumedGone.contains(answer.holder())) {
        lateAnswer(answer);
      }
      return this;
    }
    boolean involved = !answer.held().isEmpty() || !answer.waiting().isEmpty();
    if (!rebuild.answered(answer.holder(), answer.requester().deviceId(), involved)) {
      return this;
    }
    for (long requestId : answer.held()) {
      restoreHolder(answer, requestId);
    }
    for (LockWait wait : answer.waiting()) {
      if (!book.contains(answer.holder(), wait.requestId())) {
        Request request = new Request(
            answer.holder(), wait.requestId(), answer.requester(), wait.immediate(), wait.acknowledge(),
            wait.sinceMicros());
        book.add(request, request.identity);
        reportedWaiters.add(request);
      }
    }
    if (rebuild.complete()) {
      finishRebuild();
    }
    return this;
  }

  private void restoreHolder(AdapterHolding answer, long requestId) {
    if (holder != null) {
      // Two requesters both believe they hold the lock: only after a rebuild that gave up on one
      // of them while it lived. The first answer keeps it.
      holderConflicts++;
      getContext().getLog().error(
          "Adapter {} rebuild: {} request {} says it holds the lock, which {} holds; not restored ({} so far)",
          adapterId, answer.holder().path(), requestId, holder.describe(), holderConflicts);
      return;
    }
    Request request = new Request(answer.holder(), requestId, answer.requester(), false, false, 0);
    book.add(request, request.identity);
    holder = request;
  }

  private Behavior<AdapterLockMessage> onRebuildTimedOut(RebuildTimedOut timeout) {
    if (rebuild == null || timeout.rebuild() != rebuild.serial) {
      return this;
    }
    List<ActorRef<?>> silent = rebuild.giveUp(roster);
    if (presumedGone == null) {
      presumedGone = new HashSet<>();
    }
    presumedGone.addAll(silent);
    getContext().getLog().warn("Adapter {} rebuild: {} requesters did not answer within {}; treated as gone",
        adapterId, silent.size(), recovery.rebuildTimeout());
    finishRebuild();
    return this;
  }

  /**
   * Every requester answered, died or was given up on: the waiters go into the queue in the order
   * their requesters sent them (the policy then orders them as it would have), the lock is served,
   * and what arrived during the rebuild is taken as new requests, in arrival order.
   */
  private void finishRebuild() {
    Rebuild done = rebuild;
    timers.cancel(REBUILD_TIMER);
    List<Request> waiters = new ArrayList<>(reportedWaiters.size());
    List<Request> later = new ArrayList<>(arrivals.size());
    for (Request r : reportedWaiters) {
      if (book.containsRequest(r)) {
        (r.immediate ? later : waiters).add(r);
      }
    }
    waiters.sort(Comparator.comparingLong(r -> r.sinceMicros));
    for (Request r : arrivals) {
      if (book.containsRequest(r)) {
        later.add(r);
      }
    }
    reportedWaiters.clear();
    arrivals.clear();
    rebuild = null;
    for (Request r : waiters) {
      r.entry = queue.add(r);
    }
    changed();
    serveWaiters();
    for (Request r : later) {
      admit(r, true);
    }
    long now = clock.nowMicros();
    getContext().getLog().warn("Adapter {} lock rebuilt in {} us: holder {}, {} waiting; {} answered, {} died, {} silent",
        adapterId, now - done.crashedAtMicros, describeHolder(), queue.size(), done.answered(), done.died(),
        done.silent());
    done.finish(adapterId, ARBITER, now,
        Map.of("holder", holder == null ? "" : holder.identity.deviceId(), "waiting", Integer.toString(queue.size())),
        observer, trace);
  }

  /**
   * A requester the rebuild gave up on answered after all. What it held was reclaimed and may be
   * another's now, so it is not restored (its releases are ignored); what it waits for is queued
   * now, as new requests.
   */
  private void lateAnswer(AdapterHolding answer) {
    getContext().getLog().warn("Adapter {}: {} answered after the rebuild gave up on it; {} held not restored",
        adapterId, answer.holder().path(), answer.held().size());
    for (LockWait wait : answer.waiting()) {
      if (!book.contains(answer.holder(), wait.requestId())) {
        admit(new Request(answer.holder(), wait.requestId(), answer.requester(), wait.immediate(), wait.acknowledge(),
            wait.sinceMicros()), false);
      }
    }
  }
}
