package org.dmaemu.arbitration;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.Objects;
import java.util.function.Predicate;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.AcquireAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.CancelAdapterRequest;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.GetAdapterLockState;
import org.dmaemu.protocol.arbitration.AdapterLockMessage.ReleaseAdapter;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterGranted;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterRequestCancelled;
import org.dmaemu.protocol.arbitration.AdapterReply.AdapterUnavailable;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.time.NodeClock;

/**
 * The adapter "lock" of one WDM adapter (reference §4.3): one holder at a time, the others waiting
 * in the order of an {@link ArbitrationPolicy}. A busy adapter refuses an immediate request
 * (§4.5). The lock watches every holder and waiter: a holder that dies has the lock taken back
 * ({@code reclaimed}), a waiter that dies loses its place.
 *
 * <p>A release by anyone but the holder is a driver or emulator bug: it is logged and counted, and
 * the lock stays with its holder.
 *
 * <p>Every grant, release, enqueue and withdrawal is reported to the {@link DmaObserver} with the
 * node clock's time, for utilization and queue depth over time.
 */
public final class AdapterLock extends AbstractBehavior<AdapterLockMessage> {

  private static final class Request extends RequestBook.Request implements ArbitrationPolicy.Waiter {
    final ActorRef<AdapterReply> replyTo;
    /** Who asks, as the policy sees it (the base class's requester is the reply address). */
    final Requester identity;
    /** Its place in the queue while it waits; {@code null} once it holds the lock. */
    WaitQueue.Entry<Request> entry;

    Request(ActorRef<AdapterReply> replyTo, long requestId, Requester requester) {
      super(replyTo, requestId);
      this.replyTo = replyTo;
      this.identity = requester;
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

  private final String adapterId;
  private final DmaObserver observer;
  private final NodeClock clock;
  private final RequestBook<Request> book;
  private final WaitQueue<Request> queue;
  private final Predicate<Request> servable = waiter -> isFree();
  private Request holder;
  private long grants;
  private long reclaimed;
  private long releasesByNonHolder;

  public static Behavior<AdapterLockMessage> create(String adapterId, ArbitrationPolicy policy, DmaObserver observer) {
    Objects.requireNonNull(adapterId, "adapterId");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(observer, "observer");
    return Behaviors.setup(context -> new AdapterLock(context, adapterId, policy, observer));
  }

  private AdapterLock(
      ActorContext<AdapterLockMessage> context, String adapterId, ArbitrationPolicy policy, DmaObserver observer) {
    super(context);
    this.adapterId = adapterId;
    this.observer = observer;
    this.clock = NodeClock.get(context.getSystem());
    this.book = new RequestBook<>(context);
    this.queue = policy.newQueue();
  }

  @Override
  public Receive<AdapterLockMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(AcquireAdapter.class, this::onAcquireAdapter)
        .onMessage(ReleaseAdapter.class, this::onReleaseAdapter)
        .onMessage(CancelAdapterRequest.class, this::onCancelAdapterRequest)
        .onMessage(GetAdapterLockState.class, this::onGetAdapterLockState)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<AdapterLockMessage> onAcquireAdapter(AcquireAdapter command) {
    ActorRef<AdapterReply> replyTo = command.replyTo();
    if (book.contains(replyTo, command.requestId())) {
      getContext()
          .getLog()
          .warn("AcquireAdapter on adapter {}: {} request {} is already known; refused",
              adapterId, replyTo.path(), command.requestId());
      replyTo.tell(new AdapterUnavailable(adapterId, command.requestId(), NtStatus.STATUS_INVALID_PARAMETER));
      return this;
    }
    Request request = new Request(replyTo, command.requestId(), command.requester());
    if (isFree() && (queue.isEmpty() || queue.mayOvertake(request))) {
      book.add(request);
      queue.grantedAtOnce(request);
      grant(request);
    } else if (command.immediate()) {
      replyTo.tell(new AdapterUnavailable(adapterId, command.requestId(), NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    } else {
      book.add(request);
      request.entry = queue.add(request);
      changed();
    }
    return this;
  }

  private Behavior<AdapterLockMessage> onReleaseAdapter(ReleaseAdapter command) {
    if (holder != null && holder.requestId == command.requestId() && holder.requester.equals(command.holder())) {
      book.remove(holder);
      holder = null;
      changed();
      serveWaiters();
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
    Request request = book.get(command.holder(), command.requestId());
    boolean cancelled = request != null && request.entry != null;
    if (cancelled) {
      queue.remove(request.entry);
      request.entry = null;
      book.remove(request);
      changed();
      serveWaiters();
    }
    command.holder().tell(new AdapterRequestCancelled(adapterId, command.requestId(), cancelled));
    return this;
  }

  private Behavior<AdapterLockMessage> onGetAdapterLockState(GetAdapterLockState query) {
    query.replyTo().tell(new AdapterLockSnapshot(adapterId, describeHolder(), queue.size(), grants, reclaimed));
    return this;
  }

  private Behavior<AdapterLockMessage> onTerminated(Terminated terminated) {
    for (Request request : book.removeAll(terminated.getRef())) {
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
    }
    serveWaiters();
    return this;
  }

  private boolean isFree() {
    return holder == null;
  }

  private void serveWaiters() {
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
    changed();
  }

  private void changed() {
    observer.adapterLockChanged(adapterId, holder != null, queue.size(), clock.nowMicros());
  }

  private String describeHolder() {
    return holder == null ? null : holder.describe();
  }
}
