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
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.CancelMapRegisterRequest;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.Crash;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.GetMapRegisterState;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.MapRegistersGrantReceived;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.RegistersHeld;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.RegistersWait;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegisterRequestCancelled;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersNotHeld;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersUnavailable;
import org.dmaemu.protocol.arbitration.MapRegisterReply.ReportMapRegisterHolding;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * The map registers of one WDM adapter (reference §4): {@code total} registers, granted all or
 * nothing as one contiguous run — free registers scattered in runs too short for a request count as
 * not enough, the HAL's "out of contiguous map registers". What cannot be granted now waits in the
 * order of an {@link ArbitrationPolicy}, unless it asked for immediate execution (§4.5); a request
 * for more than the adapter has, or for none, is refused at once. Reservations (§5) are ordinary
 * grants that the snapshot also counts as {@code reserved}.
 *
 * <p>Freeing what is not held is Driver Verifier's 0xE6/0x05: answered with
 * {@link MapRegistersNotHeld} and counted. The pool watches every holder and waiter; what a dead
 * holder held is reclaimed and counted as leaked, a dead waiter's requests are dropped.
 *
 * <p>Faults (DESIGN §10), as for the {@link AdapterLock}: grants to a requester that acknowledges
 * them are sent again until acknowledged; after a {@link Crash} the restarted pool asks every
 * requester in its {@link Roster} which grants it holds (count, base, reservation) and what it
 * waits for, grants nothing until all have answered, died or stayed silent for
 * {@link ArbiterRecovery#rebuildTimeout()}, then puts every held grant back at its base, queues the
 * waiters in the order they asked and the newcomers after them, and serves again. Registers nobody
 * claims — a holder that died, or one the rebuild gave up on — are free again. The counters of the
 * snapshot (grants, leaked, double frees) start again from zero: they were in the lost memory.
 *
 * <p>Every grant, free, enqueue and withdrawal is reported to the {@link DmaObserver} (registers in
 * use, capacity, waiting requests) with the node clock's time. One pool may serve the adapters of
 * many devices (a shared adapter domain, {@link AdapterDomain}); nothing here depends on who asks.
 */
public final class MapRegisterPool extends AbstractBehavior<MapRegisterMessage> {

  static final String ARBITER = "map registers";

  private static final class Request extends RequestBook.Request implements ArbitrationPolicy.Waiter {
    final ActorRef<MapRegisterReply> replyTo;
    final int count;
    final boolean reservation;
    /** Who asks, as the policy sees it (the base class's requester is the reply address). */
    final Requester identity;
    final boolean immediate;
    final boolean acknowledge;
    /** When the requester sent it, as reported to a rebuild; orders the rebuilt queue. */
    final long sinceMicros;
    /** The first register of the grant; -1 while not granted. */
    int base = -1;
    /** Its place in the queue while it waits. */
    WaitQueue.Entry<Request> entry;

    Request(
        ActorRef<MapRegisterReply> replyTo,
        long requestId,
        int count,
        boolean reservation,
        Requester requester,
        boolean immediate,
        boolean acknowledge,
        long sinceMicros) {
      super(replyTo, requestId);
      this.replyTo = replyTo;
      this.count = count;
      this.reservation = reservation;
      this.identity = requester;
      this.immediate = immediate;
      this.acknowledge = acknowledge;
      this.sinceMicros = sinceMicros;
    }

    boolean held() {
      return base >= 0;
    }

    @Override
    public int demand() {
      return count;
    }

    @Override
    public Requester requester() {
      return identity;
    }
  }

  /** The redelivery timer. */
  private enum RedeliveryDue implements MapRegisterMessage.Internal, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** The rebuild's timeout; {@code rebuild} tells a rebuild's timer from an earlier one's. */
  private record RebuildTimedOut(long rebuild) implements MapRegisterMessage.Internal, NoSerializationVerificationNeeded {}

  private static final Object REBUILD_TIMER = "rebuild";

  private final String adapterId;
  private final DmaObserver observer;
  private final TraceSink trace;
  private final NodeClock clock;
  private final ArbiterRecovery recovery;
  private final TimerScheduler<MapRegisterMessage> timers;
  private final Roster roster;
  private final int total;
  private final BitSet inUse;
  private final RequestBook<Request> book;
  private final WaitQueue<Request> queue;
  private final GrantRedelivery<Request, MapRegisterMessage> redelivery;
  private final Predicate<Request> servable = this::fits;
  private int free;
  private int held;
  private int reserved;
  private long grants;
  private long leakedRegisters;
  private long doubleFrees;

  // While rebuilding after a restart (rebuild != null).
  private Rebuild rebuild;
  /** Waiters the answers reported, in the order the answers came. */
  private final ArrayList<Request> reportedWaiters = new ArrayList<>();
  /** Requests that arrived during the rebuild from requesters that had answered or were never asked. */
  private final ArrayList<Request> arrivals = new ArrayList<>();
  /** Requesters that did not answer the last rebuild in time; what they held was reclaimed. */
  private HashSet<ActorRef<?>> presumedGone;
  private long restoreConflicts;

  public static Behavior<MapRegisterMessage> create(
      String adapterId, int total, ArbitrationPolicy policy, DmaObserver observer) {
    return create(adapterId, total, policy, observer, TraceSink.NONE, ArbiterRecovery.defaults());
  }

  /**
   * @param trace where the crash and the rebuild are traced, on the adapter's track
   * @param recovery the grant redelivery and rebuild timeouts
   */
  public static Behavior<MapRegisterMessage> create(
      String adapterId,
      int total,
      ArbitrationPolicy policy,
      DmaObserver observer,
      TraceSink trace,
      ArbiterRecovery recovery) {
    Objects.requireNonNull(adapterId, "adapterId");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(recovery, "recovery");
    if (total <= 0) {
      throw new IllegalArgumentException("an adapter has at least one map register, not " + total);
    }
    return Roster.supervised(roster -> Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new MapRegisterPool(context, timers, roster, adapterId, total, policy, observer, trace, recovery))));
  }

  private MapRegisterPool(
      ActorContext<MapRegisterMessage> context,
      TimerScheduler<MapRegisterMessage> timers,
      Roster roster,
      String adapterId,
      int total,
      ArbitrationPolicy policy,
      DmaObserver observer,
      TraceSink trace,
      ArbiterRecovery recovery) {
    super(context);
    // The supervision wrapper would otherwise name the logger after itself.
    context.setLoggerName(MapRegisterPool.class);
    this.adapterId = adapterId;
    this.observer = observer;
    this.trace = trace;
    this.clock = NodeClock.get(context.getSystem());
    this.recovery = recovery;
    this.timers = timers;
    this.roster = roster;
    this.total = total;
    this.free = total;
    this.inUse = new BitSet(total);
    this.book = new RequestBook<>(context, roster);
    this.queue = policy.newQueue();
    this.redelivery = new GrantRedelivery<>(timers, RedeliveryDue.INSTANCE, clock, recovery.grantRedelivery());
    Roster.Restart restart = roster.takeRestart();
    if (restart != null) {
      startRebuild(restart);
    }
  }

  @Override
  public Receive<MapRegisterMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(AllocateMapRegisters.class, this::onAllocateMapRegisters)
        .onMessage(FreeMapRegisters.class, this::onFreeMapRegisters)
        .onMessage(CancelMapRegisterRequest.class, this::onCancelMapRegisterRequest)
        .onMessage(MapRegistersGrantReceived.class, this::onGrantReceived)
        .onMessage(GetMapRegisterState.class, this::onGetMapRegisterState)
        .onMessage(Crash.class, this::onCrash)
        .onMessageEquals(MapRegisterMessage.Retire.INSTANCE, Behaviors::stopped)
        .onMessage(MapRegisterHolding.class, this::onMapRegisterHolding)
        .onMessageEquals(RedeliveryDue.INSTANCE, this::onRedeliveryDue)
        .onMessage(RebuildTimedOut.class, this::onRebuildTimedOut)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PreRestart.class, this::onPreRestart)
        .build();
  }

  private Behavior<MapRegisterMessage> onAllocateMapRegisters(AllocateMapRegisters command) {
    ActorRef<MapRegisterReply> replyTo = command.replyTo();
    if (answerPending(replyTo)) {
      return this;
    }
    int count = command.count();
    if (count <= 0 || count > total) {
      replyTo.tell(new MapRegistersUnavailable(adapterId, command.requestId(), NtStatus.STATUS_INSUFFICIENT_RESOURCES));
      return this;
    }
    if (book.contains(replyTo, command.requestId())) {
      getContext()
          .getLog()
          .warn("AllocateMapRegisters on adapter {}: {} request {} is already known; refused",
              adapterId, replyTo.path(), command.requestId());
      replyTo.tell(new MapRegistersUnavailable(adapterId, command.requestId(), NtStatus.STATUS_INVALID_PARAMETER));
      return this;
    }
    Request request = new Request(
        replyTo, command.requestId(), count, command.reservation(), command.requester(), command.immediate(),
        command.acknowledge(), clock.nowMicros());
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
   * A new request: granted if it fits and the policy lets it go first, refused if immediate, else
   * queued. {@code booked}: it is in the book already (it arrived during a rebuild).
   */
  private void admit(Request request, boolean booked) {
    int base = request.count <= free ? firstRun(request.count) : -1;
    if (base >= 0 && (queue.isEmpty() || queue.mayOvertake(request))) {
      if (!booked) {
        book.add(request, request.identity);
      }
      queue.grantedAtOnce(request);
      grant(request, base);
    } else if (request.immediate) {
      if (booked) {
        book.remove(request);
      }
      request.replyTo.tell(
          new MapRegistersUnavailable(adapterId, request.requestId, NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    } else {
      if (!booked) {
        book.add(request, request.identity);
      }
      request.entry = queue.add(request);
      changed();
    }
  }

  private Behavior<MapRegisterMessage> onFreeMapRegisters(FreeMapRegisters command) {
    if (answerPending(command.holder())) {
      return this;
    }
    Request request = book.get(command.holder(), command.requestId());
    if (request != null && request.held()) {
      release(request);
      book.remove(request);
      redelivery.settled(request);
      serveWaiters();
    } else if (presumedGone != null && presumedGone.contains(command.holder())) {
      getContext().getLog().debug("Adapter {}: free by {}, treated as gone by the last rebuild; ignored",
          adapterId, command.holder().path());
    } else {
      doubleFrees++;
      getContext()
          .getLog()
          .warn("FreeMapRegisters on adapter {} by {} request {}, which holds none (Driver Verifier 0xE6/0x05); {} so far",
              adapterId, command.holder().path(), command.requestId(), doubleFrees);
      command.holder().tell(new MapRegistersNotHeld(adapterId, command.requestId()));
    }
    return this;
  }

  private Behavior<MapRegisterMessage> onCancelMapRegisterRequest(CancelMapRegisterRequest command) {
    if (answerPending(command.holder())) {
      return this;
    }
    Request request = book.get(command.holder(), command.requestId());
    // While rebuilding, every known request not granted waits (reported, or arrived since).
    boolean cancelled = request != null && (request.entry != null || (rebuild != null && !request.held()));
    if (cancelled) {
      if (request.entry != null) {
        queue.remove(request.entry);
        request.entry = null;
      }
      book.remove(request);
      changed();
    }
    command.holder().tell(new MapRegisterRequestCancelled(adapterId, command.requestId(), cancelled));
    if (cancelled) {
      // The cancelled request may have been the head that blocked the rest.
      serveWaiters();
    }
    return this;
  }

  private Behavior<MapRegisterMessage> onGrantReceived(MapRegistersGrantReceived received) {
    Request request = book.get(received.holder(), received.requestId());
    if (request != null) {
      redelivery.settled(request);
    }
    return this;
  }

  private Behavior<MapRegisterMessage> onRedeliveryDue() {
    redelivery.due(request -> request.replyTo.tell(
        new MapRegistersGranted(adapterId, request.requestId, request.count, request.base)));
    return this;
  }

  private Behavior<MapRegisterMessage> onGetMapRegisterState(GetMapRegisterState query) {
    query
        .replyTo()
        .tell(new MapRegisterSnapshot(
            adapterId, total, free, held, reserved, waiting(), grants, leakedRegisters, doubleFrees));
    return this;
  }

  private Behavior<MapRegisterMessage> onTerminated(Terminated terminated) {
    ActorRef<?> gone = terminated.getRef();
    boolean wasAwaited = rebuild != null && rebuild.died(gone);
    int leakedNow = 0;
    int grantsLost = 0;
    for (Request request : book.removeAll(gone)) {
      redelivery.settled(request);
      if (request.held()) {
        leakedNow += request.count;
        grantsLost++;
        release(request);
      } else if (request.entry != null) {
        queue.remove(request.entry);
        request.entry = null;
        changed();
      }
      // A reported waiter or an arrival of a rebuild is left out when the rebuild ends (no longer in the book).
    }
    if (leakedNow > 0) {
      leakedRegisters += leakedNow;
      getContext()
          .getLog()
          .warn("Adapter {}: holder {} died holding {} map registers in {} grants; reclaimed ({} leaked so far)",
              adapterId, gone.path(), leakedNow, grantsLost, leakedRegisters);
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

  private boolean fits(Request request) {
    return request.count <= free && firstRun(request.count) >= 0;
  }

  private void serveWaiters() {
    if (rebuild != null) {
      return;
    }
    Request next;
    while ((next = queue.takeNext(servable)) != null) {
      next.entry = null;
      grant(next, firstRun(next.count));
    }
  }

  private void grant(Request request, int base) {
    occupy(request, base);
    grants++;
    request.replyTo.tell(new MapRegistersGranted(adapterId, request.requestId, request.count, base));
    if (request.acknowledge) {
      redelivery.sent(request);
    }
    changed();
  }

  /** The registers of {@code request} from {@code base} are in use: granted now, or restored by a rebuild. */
  private void occupy(Request request, int base) {
    inUse.set(base, base + request.count);
    request.base = base;
    free -= request.count;
    held += request.count;
    if (request.reservation) {
      reserved += request.count;
    }
  }

  private void release(Request request) {
    inUse.clear(request.base, request.base + request.count);
    request.base = -1;
    free += request.count;
    held -= request.count;
    if (request.reservation) {
      reserved -= request.count;
    }
    changed();
  }

  private void changed() {
    if (rebuild == null) {
      observer.mapRegistersChanged(adapterId, held, total, queue.size(), clock.nowMicros());
    }
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

  private boolean isFree(int base, int count) {
    int firstUsed = inUse.nextSetBit(base);
    return firstUsed < 0 || firstUsed >= base + count;
  }

  /** The first index of {@code count} contiguous free registers, or -1: one step per run of free registers. */
  private int firstRun(int count) {
    int from = 0;
    while (true) {
      int start = inUse.nextClearBit(from);
      if (start + count > total) {
        return -1;
      }
      int end = inUse.nextSetBit(start);
      if (end < 0 || end - start >= count) {
        return start;
      }
      from = end;
    }
  }

  // ---- Crash and rebuild (DESIGN §10) --------------------------------------------------------

  private Behavior<MapRegisterMessage> onCrash(Crash crash) {
    long now = clock.nowMicros();
    if (rebuild != null) {
      rebuild.interrupt(adapterId, ARBITER, now, crash.faultId(), observer, trace);
    }
    roster.crashing(crash.faultId(), now);
    if (trace.enabled()) {
      trace.instant("ArbiterCrash", adapterId, now, Map.of(
          "adapter", adapterId, "arbiter", ARBITER, "fault", crash.faultId(),
          "held", Integer.toString(held), "waiting", Integer.toString(waiting())));
    }
    throw new ArbiterCrash("map-register pool " + adapterId, crash.faultId());
  }

  private Behavior<MapRegisterMessage> onPreRestart(PreRestart signal) {
    roster.restarting(clock.nowMicros());
    return this;
  }

  /**
   * Asks every requester in the roster which grants it holds and what it waits for. They need not be watched again: the restart
   * replaced the behaviour, not the actor, whose death watch goes on — a requester that dies
   * meanwhile is reported to this incarnation.
   */
  private void startRebuild(Roster.Restart restart) {
    rebuild = new Rebuild(restart, clock.nowMicros(), roster.members());
    getContext().getLog().warn("Adapter {} map registers restarted after {}: asking {} requesters what they hold",
        adapterId, restart.cause(), rebuild.asked());
    if (rebuild.complete()) {
      finishRebuild();
      return;
    }
    ActorRef<MapRegisterMessage> self = getContext().getSelf();
    for (ActorRef<?> requester : roster.members()) {
      requester.<MapRegisterReply>unsafeUpcast().tell(new ReportMapRegisterHolding(adapterId, restart.serial(), self));
    }
    timers.startSingleTimer(REBUILD_TIMER, new RebuildTimedOut(restart.serial()), clock.toReal(recovery.rebuildTimeout()));
  }

  /** A message from a requester whose answer is still awaited: the answer accounts for it. */
  private boolean answerPending(ActorRef<?> requester) {
    return rebuild != null && rebuild.awaits(requester);
  }

  private Behavior<MapRegisterMessage> onMapRegisterHolding(MapRegisterHolding answer) {
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
    for (RegistersHeld grant : answer.held()) {
      restoreGrant(answer, grant);
    }
    for (RegistersWait wait : answer.waiting()) {
      if (!book.contains(answer.holder(), wait.requestId()) && wait.count() > 0 && wait.count() <= total) {
        Request request = new Request(
            answer.holder(), wait.requestId(), wait.count(), wait.reservation(), answer.requester(), wait.immediate(),
            wait.acknowledge(), wait.sinceMicros());
        book.add(request, request.identity);
        reportedWaiters.add(request);
      }
    }
    if (rebuild.complete()) {
      finishRebuild();
    }
    return this;
  }

  /**
   * Puts a held grant back where its holder says it is. Claims overlap only after a rebuild gave
   * up on a requester that lived on: then the first claim keeps the registers, a later one is
   * placed elsewhere if there is room, else not restored — never more registers out than the pool
   * has.
   */
  private void restoreGrant(MapRegisterHolding answer, RegistersHeld grant) {
    int count = grant.count();
    if (book.contains(answer.holder(), grant.requestId()) || count <= 0) {
      return;
    }
    int base = grant.base();
    boolean inPlace = base >= 0 && base + count <= total && isFree(base, count);
    if (!inPlace) {
      base = count <= free ? firstRun(count) : -1;
      restoreConflicts++;
      if (base < 0) {
        getContext().getLog().error(
            "Adapter {} rebuild: {} request {} says it holds {} registers from {}, which others hold and no room is left;"
                + " not restored ({} so far)",
            adapterId, answer.holder().path(), grant.requestId(), count, grant.base(), restoreConflicts);
        return;
      }
      getContext().getLog().error(
          "Adapter {} rebuild: {} request {} says it holds {} registers from {}, which others hold; restored from {}"
              + " ({} so far)",
          adapterId, answer.holder().path(), grant.requestId(), count, grant.base(), base, restoreConflicts);
    }
    Request request = new Request(
        answer.holder(), grant.requestId(), count, grant.reservation(), answer.requester(), false, false, 0);
    book.add(request, request.identity);
    occupy(request, base);
  }

  private Behavior<MapRegisterMessage> onRebuildTimedOut(RebuildTimedOut timeout) {
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
   * their requesters sent them (the policy then orders them as it would have), the pool is served,
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
    getContext().getLog().warn(
        "Adapter {} map registers rebuilt in {} us: {} of {} held ({} reserved), {} waiting; {} answered, {} died, {} silent",
        adapterId, now - done.crashedAtMicros, held, total, reserved, queue.size(), done.answered(), done.died(),
        done.silent());
    done.finish(adapterId, ARBITER, now,
        Map.of("held", Integer.toString(held), "reserved", Integer.toString(reserved), "total", Integer.toString(total),
            "waiting", Integer.toString(queue.size())),
        observer, trace);
  }

  /**
   * A requester the rebuild gave up on answered after all. What it held was reclaimed and may be
   * another's now, so it is not restored (its frees are ignored); what it waits for is queued now,
   * as new requests.
   */
  private void lateAnswer(MapRegisterHolding answer) {
    getContext().getLog().warn("Adapter {}: {} answered after the rebuild gave up on it; {} grants not restored",
        adapterId, answer.holder().path(), answer.held().size());
    for (RegistersWait wait : answer.waiting()) {
      if (!book.contains(answer.holder(), wait.requestId()) && wait.count() > 0 && wait.count() <= total) {
        admit(new Request(answer.holder(), wait.requestId(), wait.count(), wait.reservation(), answer.requester(),
            wait.immediate(), wait.acknowledge(), wait.sinceMicros()), false);
      }
    }
  }
}
