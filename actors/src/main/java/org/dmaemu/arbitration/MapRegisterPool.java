package org.dmaemu.arbitration;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.BitSet;
import java.util.Objects;
import java.util.function.Predicate;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.AllocateMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.CancelMapRegisterRequest;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.FreeMapRegisters;
import org.dmaemu.protocol.arbitration.MapRegisterMessage.GetMapRegisterState;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegisterRequestCancelled;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersGranted;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersNotHeld;
import org.dmaemu.protocol.arbitration.MapRegisterReply.MapRegistersUnavailable;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.time.NodeClock;

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
 * <p>Every grant, free, enqueue and withdrawal is reported to the {@link DmaObserver} (registers in
 * use, capacity, waiting requests) with the node clock's time. One pool may serve the adapters of
 * many devices (a shared adapter domain, {@link AdapterDomain}); nothing here depends on who asks.
 */
public final class MapRegisterPool extends AbstractBehavior<MapRegisterMessage> {

  private static final class Request extends RequestBook.Request implements ArbitrationPolicy.Waiter {
    final ActorRef<MapRegisterReply> replyTo;
    final int count;
    final boolean reservation;
    /** Who asks, as the policy sees it (the base class's requester is the reply address). */
    final Requester identity;
    /** The first register of the grant; -1 while not granted. */
    int base = -1;
    /** Its place in the queue while it waits. */
    WaitQueue.Entry<Request> entry;

    Request(
        ActorRef<MapRegisterReply> replyTo, long requestId, int count, boolean reservation, Requester requester) {
      super(replyTo, requestId);
      this.replyTo = replyTo;
      this.count = count;
      this.reservation = reservation;
      this.identity = requester;
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

  private final String adapterId;
  private final DmaObserver observer;
  private final NodeClock clock;
  private final int total;
  private final BitSet inUse;
  private final RequestBook<Request> book;
  private final WaitQueue<Request> queue;
  private final Predicate<Request> servable = this::fits;
  private int free;
  private int held;
  private int reserved;
  private long grants;
  private long leakedRegisters;
  private long doubleFrees;

  public static Behavior<MapRegisterMessage> create(
      String adapterId, int total, ArbitrationPolicy policy, DmaObserver observer) {
    Objects.requireNonNull(adapterId, "adapterId");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(observer, "observer");
    if (total <= 0) {
      throw new IllegalArgumentException("an adapter has at least one map register, not " + total);
    }
    return Behaviors.setup(context -> new MapRegisterPool(context, adapterId, total, policy, observer));
  }

  private MapRegisterPool(
      ActorContext<MapRegisterMessage> context,
      String adapterId,
      int total,
      ArbitrationPolicy policy,
      DmaObserver observer) {
    super(context);
    this.adapterId = adapterId;
    this.observer = observer;
    this.clock = NodeClock.get(context.getSystem());
    this.total = total;
    this.free = total;
    this.inUse = new BitSet(total);
    this.book = new RequestBook<>(context);
    this.queue = policy.newQueue();
  }

  @Override
  public Receive<MapRegisterMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(AllocateMapRegisters.class, this::onAllocateMapRegisters)
        .onMessage(FreeMapRegisters.class, this::onFreeMapRegisters)
        .onMessage(CancelMapRegisterRequest.class, this::onCancelMapRegisterRequest)
        .onMessage(GetMapRegisterState.class, this::onGetMapRegisterState)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<MapRegisterMessage> onAllocateMapRegisters(AllocateMapRegisters command) {
    ActorRef<MapRegisterReply> replyTo = command.replyTo();
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
    Request request =
        new Request(replyTo, command.requestId(), count, command.reservation(), command.requester());
    int base = count <= free ? firstRun(count) : -1;
    if (base >= 0 && (queue.isEmpty() || queue.mayOvertake(request))) {
      book.add(request);
      queue.grantedAtOnce(request);
      grant(request, base);
    } else if (command.immediate()) {
      replyTo.tell(new MapRegistersUnavailable(adapterId, command.requestId(), NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    } else {
      book.add(request);
      request.entry = queue.add(request);
      changed();
    }
    return this;
  }

  private Behavior<MapRegisterMessage> onFreeMapRegisters(FreeMapRegisters command) {
    Request request = book.get(command.holder(), command.requestId());
    if (request != null && request.held()) {
      release(request);
      book.remove(request);
      serveWaiters();
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
    Request request = book.get(command.holder(), command.requestId());
    boolean cancelled = request != null && request.entry != null;
    if (cancelled) {
      queue.remove(request.entry);
      request.entry = null;
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

  private Behavior<MapRegisterMessage> onGetMapRegisterState(GetMapRegisterState query) {
    query
        .replyTo()
        .tell(new MapRegisterSnapshot(
            adapterId, total, free, held, reserved, queue.size(), grants, leakedRegisters, doubleFrees));
    return this;
  }

  private Behavior<MapRegisterMessage> onTerminated(Terminated terminated) {
    int leakedNow = 0;
    int grantsLost = 0;
    for (Request request : book.removeAll(terminated.getRef())) {
      if (request.held()) {
        leakedNow += request.count;
        grantsLost++;
        release(request);
      } else if (request.entry != null) {
        queue.remove(request.entry);
        request.entry = null;
        changed();
      }
    }
    if (leakedNow > 0) {
      leakedRegisters += leakedNow;
      getContext()
          .getLog()
          .warn("Adapter {}: holder {} died holding {} map registers in {} grants; reclaimed ({} leaked so far)",
              adapterId, terminated.getRef().path(), leakedNow, grantsLost, leakedRegisters);
    }
    serveWaiters();
    return this;
  }

  private boolean fits(Request request) {
    return request.count <= free && firstRun(request.count) >= 0;
  }

  private void serveWaiters() {
    Request next;
    while ((next = queue.takeNext(servable)) != null) {
      next.entry = null;
      grant(next, firstRun(next.count));
    }
  }

  private void grant(Request request, int base) {
    inUse.set(base, base + request.count);
    request.base = base;
    free -= request.count;
    held += request.count;
    if (request.reservation) {
      reserved += request.count;
    }
    grants++;
    request.replyTo.tell(new MapRegistersGranted(adapterId, request.requestId, request.count, base));
    changed();
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
    observer.mapRegistersChanged(adapterId, held, total, queue.size(), clock.nowMicros());
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
}
