package org.dmaemu.protocol.arbitration;

import akka.actor.typed.ActorRef;
import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * The adapter "lock" of one WDM adapter (reference §4.3): one holder at a time. Packet and
 * scatter-gather transfers hold it while the adapter-control routine runs; system transfers for
 * the whole transaction. A holder is identified by its {@code replyTo} and a request id of its
 * own; the lock watches holders and takes the lock back from one that dies.
 *
 * <p>Two additions are the emulator's, not KMDF's (DESIGN §10): a requester that may lose grants
 * acknowledges each one ({@link AdapterGrantReceived}) and the lock sends an unacknowledged grant
 * again; and a lock that crashed ({@link Crash}) rebuilds who holds and who waits by asking its
 * requesters ({@link AdapterReply.ReportAdapterHolding}, answered with {@link AdapterHolding}).
 */
public sealed interface AdapterLockMessage extends CborSerializable {

  /**
   * Ask for the adapter. With {@code immediate} (DMA_SYNCHRONOUS_CALLBACK, §4.5) a busy adapter is
   * refused at once instead of queueing.
   *
   * @param requester who asks, for the lock's arbitration policy; FIFO looks only at arrival order
   * @param acknowledge the requester acknowledges the grant with {@link AdapterGrantReceived}; until
   *     it does, the lock sends the grant again every redelivery timeout
   */
  record AcquireAdapter(
      long requestId, boolean immediate, Requester requester, ActorRef<AdapterReply> replyTo, boolean acknowledge)
      implements AdapterLockMessage {

    /** A request whose grant is not acknowledged: the grant is sent once. */
    public AcquireAdapter(long requestId, boolean immediate, Requester requester, ActorRef<AdapterReply> replyTo) {
      this(requestId, immediate, requester, replyTo, false);
    }
  }

  /** Give the adapter back. */
  record ReleaseAdapter(long requestId, ActorRef<AdapterReply> holder) implements AdapterLockMessage {}

  /** CancelAdapterChannel: withdraw a request that is still waiting (§6.1). */
  record CancelAdapterRequest(long requestId, ActorRef<AdapterReply> holder) implements AdapterLockMessage {}

  record GetAdapterLockState(ActorRef<AdapterLockSnapshot> replyTo) implements AdapterLockMessage {}

  /** The grant of request {@code requestId} arrived; the lock stops sending it again. */
  record AdapterGrantReceived(long requestId, ActorRef<AdapterReply> holder) implements AdapterLockMessage {}

  /**
   * Fault {@code faultId} (an arbiter crash, DESIGN §10): the lock fails, loses everything it knew,
   * is restarted by its supervisor and rebuilds its holder and queue from its requesters' answers.
   */
  record Crash(String faultId) implements AdapterLockMessage {}

  /**
   * The lock's adapter goes away with its enabler: the lock stops once it has handled what was
   * sent to it before (the last releases), as {@link MapRegisterMessage.Retire}.
   */
  enum Retire implements AdapterLockMessage {
    INSTANCE
  }

  /**
   * A requester's answer to {@link AdapterReply.ReportAdapterHolding}: what it holds of this lock
   * and what it waits for, as it stands when it answers; every message it sent before is
   * accounted for in it.
   *
   * @param rebuild the rebuild asked about
   * @param held the request ids whose grant it holds (a transaction: none or one)
   * @param waiting its requests that are neither granted nor refused yet
   */
  record AdapterHolding(
      long rebuild, ActorRef<AdapterReply> holder, Requester requester, List<Long> held, List<LockWait> waiting)
      implements AdapterLockMessage {
    public AdapterHolding {
      held = List.copyOf(held);
      waiting = List.copyOf(waiting);
    }
  }

  /**
   * A request waiting for the lock, as its requester reports it to a rebuild.
   *
   * @param sinceMicros modeled time the requester sent it: the rebuilt queue is in this order
   */
  record LockWait(long requestId, boolean immediate, boolean acknowledge, long sinceMicros) {}

  /** The lock's own messages (its timers); nobody else sends them. */
  non-sealed interface Internal extends AdapterLockMessage {}
}
