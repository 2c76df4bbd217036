package org.dmaemu.hardware;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.dmaemu.arbitration.ArbiterRecovery;
import org.dmaemu.arbitration.ArbitrationPolicy;
import org.dmaemu.arbitration.GrantRedelivery;
import org.dmaemu.arbitration.WaitQueue;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.protocol.hardware.BusMessage.BusTransferDoneReceived;
import org.dmaemu.protocol.hardware.BusMessage.GetBusState;
import org.dmaemu.protocol.hardware.BusMessage.OccupyBus;
import org.dmaemu.protocol.hardware.BusReply;
import org.dmaemu.protocol.hardware.BusReply.BusTransferDone;
import org.dmaemu.protocol.hardware.BusSnapshot;
import org.dmaemu.time.NodeClock;

/**
 * A bus shared by the DMA engines of many devices, after one layer of gem5's crossbar
 * ({@code BaseXBar::Layer}): one transfer at a time, each occupying the bus for
 * {@code header + bytes / width} of modeled time; the others wait in the order of an
 * {@link ArbitrationPolicy} (each asks for one unit: the bus). The bus is a rate limit that binds:
 * however fast the engines, n transfers take at least the sum of their occupancies.
 *
 * <p>Timing is kept in modeled time, so that neither message delivery nor timer lateness adds up
 * along a queue: an occupancy begins when its transfer was ready for the bus
 * ({@code OccupyBus.readyAtMicros}, at most the moment the request arrived) or when the previous
 * occupancy ended, whichever is later — not when the actor got round to it. The occupancy is fixed at the grant; the requester
 * is told with {@link BusTransferDone} when it is over. The bus watches its requesters: one that
 * dies loses its place in the queue.
 *
 * <p>A requester that may lose the answer (DESIGN §10, the grants path) asks with
 * {@code acknowledge}; its {@link BusTransferDone} is then sent again every
 * {@link ArbiterRecovery#grantRedelivery()} until it confirms it, so that a lost answer costs the
 * engine latency, not its channel.
 *
 * <p>Every grant, end of occupancy, enqueue and withdrawal is reported to the {@link DmaObserver};
 * every grant's wait as {@code busWait}.
 */
public final class Bus extends AbstractBehavior<BusMessage> {

  private static final class Transfer implements ArbitrationPolicy.Waiter {
    final OccupyBus request;
    /** When it was ready for the bus: as the requester says, but never later than its arrival. */
    final long readyAtMicros;
    WaitQueue.Entry<Transfer> entry;
    /** Set when the occupancy is over: what its {@link BusTransferDone} says, for a redelivery. */
    long grantedAtMicros;
    long doneAtMicros;

    Transfer(OccupyBus request, long readyAtMicros) {
      this.request = request;
      this.readyAtMicros = readyAtMicros;
    }

    @Override
    public int demand() {
      return 1;
    }

    @Override
    public Requester requester() {
      return request.requester();
    }
  }

  /** The occupancy timer: one occupancy at a time, so one message does. */
  private enum OccupancyOver implements BusMessage.Internal, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** The redelivery timer. */
  private enum RedeliveryDue implements BusMessage.Internal, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** An answer waiting for its confirmation, by requester and request id. */
  private record Answer(ActorRef<BusReply> requester, long requestId) {}

  private final String busId;
  private final double bytesPerMicrosecond;
  private final long headerNanos;
  private final DmaObserver observer;
  private final NodeClock clock;
  private final WaitQueue<Transfer> queue;
  private final Predicate<Transfer> servable = waiter -> isFree();
  /** Waiting transfers by requester, for a requester's death; every requester is watched once. */
  private final HashMap<ActorRef<BusReply>, List<Transfer>> waitingByRequester = new HashMap<>();
  /** Answers sent to requesters that confirm them, not confirmed yet. */
  private final HashMap<Answer, Transfer> unconfirmed = new HashMap<>();
  private final GrantRedelivery<Transfer, BusMessage> redelivery;

  private Transfer current;
  private long grantedAtNanos;
  private long endNanos;
  private long lastEndNanos;
  private long transfers;
  private long bytes;
  private long occupiedNanos;

  /**
   * @param bytesPerMicrosecond the bus's width in bytes per modeled microsecond (1000 ≈ 1 GB/s)
   * @param header the fixed part of every occupancy (arbitration, address phase)
   */
  public static Behavior<BusMessage> create(
      String busId, double bytesPerMicrosecond, Duration header, ArbitrationPolicy policy, DmaObserver observer) {
    return create(busId, bytesPerMicrosecond, header, policy, observer, ArbiterRecovery.defaults());
  }

  /** @param recovery how long an unconfirmed answer waits before it is sent again */
  public static Behavior<BusMessage> create(
      String busId,
      double bytesPerMicrosecond,
      Duration header,
      ArbitrationPolicy policy,
      DmaObserver observer,
      ArbiterRecovery recovery) {
    Objects.requireNonNull(busId, "busId");
    Objects.requireNonNull(recovery, "recovery");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(observer, "observer");
    if (!(bytesPerMicrosecond > 0) || Double.isInfinite(bytesPerMicrosecond)) {
      throw new IllegalArgumentException(
          "bus " + busId + ": bytesPerMicrosecond must be a positive finite number, got " + bytesPerMicrosecond);
    }
    if (header == null || header.isNegative() || header.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("bus " + busId + ": header must be between 0 and 1 day, got " + header);
    }
    return Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new Bus(context, timers, busId, bytesPerMicrosecond, header, policy, observer, recovery)));
  }

  private Bus(
      ActorContext<BusMessage> context,
      TimerScheduler<BusMessage> timers,
      String busId,
      double bytesPerMicrosecond,
      Duration header,
      ArbitrationPolicy policy,
      DmaObserver observer,
      ArbiterRecovery recovery) {
    super(context);
    this.busId = busId;
    this.bytesPerMicrosecond = bytesPerMicrosecond;
    this.headerNanos = header.toNanos();
    this.observer = observer;
    this.clock = NodeClock.get(context.getSystem());
    this.queue = policy.newQueue();
    this.redelivery = new GrantRedelivery<>(timers, RedeliveryDue.INSTANCE, clock, recovery.grantRedelivery());
  }

  @Override
  public Receive<BusMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(OccupyBus.class, this::onOccupyBus)
        .onMessageEquals(OccupancyOver.INSTANCE, this::onOccupancyOver)
        .onMessage(GetBusState.class, this::onGetBusState)
        .onMessage(BusTransferDoneReceived.class, this::onBusTransferDoneReceived)
        .onMessageEquals(RedeliveryDue.INSTANCE, this::onRedeliveryDue)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<BusMessage> onOccupyBus(OccupyBus request) {
    Transfer transfer = new Transfer(request, Math.min(request.readyAtMicros(), clock.nowMicros()));
    if (isFree() && (queue.isEmpty() || queue.mayOvertake(transfer))) {
      queue.grantedAtOnce(transfer);
      grant(transfer);
    } else {
      watched(request.replyTo()).add(transfer);
      transfer.entry = queue.add(transfer);
      changed();
    }
    return this;
  }

  private Behavior<BusMessage> onOccupancyOver() {
    Transfer done = current;
    if (done == null) {
      return this;
    }
    current = null;
    lastEndNanos = endNanos;
    done.grantedAtMicros = grantedAtNanos / 1000L;
    done.doneAtMicros = endNanos / 1000L;
    answer(done);
    if (done.request.acknowledge()) {
      // Watched, so that a requester that dies before it confirms is not sent the answer forever.
      watched(done.request.replyTo());
      unconfirmed.put(new Answer(done.request.replyTo(), done.request.requestId()), done);
      redelivery.sent(done);
    }
    changed();
    Transfer next = queue.takeNext(servable);
    if (next != null) {
      next.entry = null;
      List<Transfer> waiting = waitingByRequester.get(next.request.replyTo());
      if (waiting != null) {
        waiting.remove(next);
      }
      grant(next);
    }
    return this;
  }

  private void answer(Transfer done) {
    done.request.replyTo().tell(new BusTransferDone(busId, done.request.requestId(), done.grantedAtMicros, done.doneAtMicros));
  }

  /** The requester's list of waiting transfers; it is watched from the first time it is needed. */
  private List<Transfer> watched(ActorRef<BusReply> requester) {
    List<Transfer> waiting = waitingByRequester.get(requester);
    if (waiting == null) {
      waiting = new ArrayList<>(2);
      waitingByRequester.put(requester, waiting);
      getContext().watch(requester);
    }
    return waiting;
  }

  private Behavior<BusMessage> onBusTransferDoneReceived(BusTransferDoneReceived received) {
    Transfer done = unconfirmed.remove(new Answer(received.replyTo(), received.requestId()));
    if (done != null) {
      redelivery.settled(done);
    }
    return this;
  }

  private Behavior<BusMessage> onRedeliveryDue() {
    redelivery.due(this::answer);
    return this;
  }

  private Behavior<BusMessage> onGetBusState(GetBusState query) {
    query.replyTo().tell(new BusSnapshot(busId, !isFree(), queue.size(), transfers, bytes, occupiedNanos / 1000L));
    return this;
  }

  private Behavior<BusMessage> onTerminated(Terminated terminated) {
    if (!unconfirmed.isEmpty()) {
      Iterator<Map.Entry<Answer, Transfer>> it = unconfirmed.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Answer, Transfer> e = it.next();
        if (e.getKey().requester().equals(terminated.getRef())) {
          redelivery.settled(e.getValue());
          it.remove();
        }
      }
    }
    List<Transfer> waiting = waitingByRequester.remove(terminated.getRef());
    if (waiting != null) {
      for (Transfer transfer : waiting) {
        queue.remove(transfer.entry);
        transfer.entry = null;
        changed();
      }
    }
    // An occupancy already granted to it runs out: the bus cannot take back what is on the wires.
    return this;
  }

  private boolean isFree() {
    return current == null;
  }

  private void grant(Transfer transfer) {
    // A waiter waited through the end of the last occupancy: its own begins there, not when this message ran.
    long startNanos = Math.max(lastEndNanos, transfer.readyAtMicros * 1000L);
    long occupancy = occupancyNanos(transfer.request.bytes());
    current = transfer;
    grantedAtNanos = startNanos;
    endNanos = startNanos + occupancy;
    transfers++;
    bytes += Math.max(0, transfer.request.bytes());
    occupiedNanos += occupancy;
    observer.busWait(busId, transfer.requester().deviceId(), Math.max(0, startNanos / 1000L - transfer.readyAtMicros));
    changed();
    long delayNanos = endNanos - clock.nowMicros() * 1000L;
    if (delayNanos <= 0) {
      getContext().getSelf().tell(OccupancyOver.INSTANCE);
    } else {
      getContext().scheduleOnce(clock.toReal(Duration.ofNanos(delayNanos)), getContext().getSelf(), OccupancyOver.INSTANCE);
    }
  }

  /** header + bytes / width, saturated far below Long.MAX_VALUE so that timestamps cannot overflow. */
  private long occupancyNanos(long transferBytes) {
    double nanos = headerNanos + Math.max(0, transferBytes) * 1000.0 / bytesPerMicrosecond;
    return nanos >= MAX_OCCUPANCY_NANOS ? MAX_OCCUPANCY_NANOS : Math.round(nanos);
  }

  private void changed() {
    observer.busChanged(busId, !isFree(), queue.size(), clock.nowMicros());
  }

  private static final long MAX_OCCUPANCY_NANOS = Long.MAX_VALUE / 4;
}
