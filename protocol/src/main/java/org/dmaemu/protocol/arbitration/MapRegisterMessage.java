package org.dmaemu.protocol.arbitration;

import akka.actor.typed.ActorRef;
import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * The map-register pool of one WDM adapter (reference §4): N registers, all-or-nothing grants, a
 * waiting queue ordered by the pool's policy, reservations (§5). A holder is identified by its
 * {@code replyTo} and a request id of its own; the pool watches holders and reclaims what a dead
 * holder held, recording the leak.
 *
 * <p>As for the adapter lock, two additions are the emulator's (DESIGN §10): grant
 * acknowledgement with redelivery ({@link MapRegistersGrantReceived}), and a crash
 * ({@link Crash}) after which the pool rebuilds its holdings and queue from its requesters'
 * answers ({@link MapRegisterReply.ReportMapRegisterHolding}, answered with
 * {@link MapRegisterHolding}).
 */
public sealed interface MapRegisterMessage extends CborSerializable {

  /**
   * Ask for {@code count} registers at once. More than the pool has → refused with
   * STATUS_INSUFFICIENT_RESOURCES; with {@code immediate}, not enough free now → refused likewise.
   *
   * @param reservation the grant is a reservation (AllocateResources), held across transfers
   * @param requester who asks, for the pool's arbitration policy; FIFO looks only at arrival order
   * @param acknowledge the requester acknowledges the grant with {@link MapRegistersGrantReceived};
   *     until it does, the pool sends the grant again every redelivery timeout
   */
  record AllocateMapRegisters(
      long requestId,
      int count,
      boolean immediate,
      boolean reservation,
      Requester requester,
      ActorRef<MapRegisterReply> replyTo,
      boolean acknowledge)
      implements MapRegisterMessage {

    /** A request whose grant is not acknowledged: the grant is sent once. */
    public AllocateMapRegisters(
        long requestId,
        int count,
        boolean immediate,
        boolean reservation,
        Requester requester,
        ActorRef<MapRegisterReply> replyTo) {
      this(requestId, count, immediate, reservation, requester, replyTo, false);
    }
  }

  /** Give a grant back. Freeing what is not held is Driver Verifier's 0xE6/0x05 (double free). */
  record FreeMapRegisters(long requestId, ActorRef<MapRegisterReply> holder) implements MapRegisterMessage {}

  /** Withdraw a request that is still waiting (§6.1). */
  record CancelMapRegisterRequest(long requestId, ActorRef<MapRegisterReply> holder) implements MapRegisterMessage {}

  record GetMapRegisterState(ActorRef<MapRegisterSnapshot> replyTo) implements MapRegisterMessage {}

  /** The grant of request {@code requestId} arrived; the pool stops sending it again. */
  record MapRegistersGrantReceived(long requestId, ActorRef<MapRegisterReply> holder) implements MapRegisterMessage {}

  /**
   * Fault {@code faultId} (an arbiter crash, DESIGN §10): the pool fails, loses everything it knew,
   * is restarted by its supervisor and rebuilds its grants and queue from its requesters' answers.
   */
  record Crash(String faultId) implements MapRegisterMessage {}

  /**
   * The pool's adapter goes away with its enabler: the pool stops once it has handled what was
   * sent to it before, so that the frees of the device's last FreeResources and Release calls are
   * not lost with it (an actor stopped from outside drops what its mailbox still holds).
   */
  enum Retire implements MapRegisterMessage {
    INSTANCE
  }

  /**
   * A requester's answer to {@link MapRegisterReply.ReportMapRegisterHolding}: the grants of this
   * pool it holds and the requests it waits for, as they stand when it answers; every message it
   * sent before is accounted for in it.
   *
   * @param rebuild the rebuild asked about
   */
  record MapRegisterHolding(
      long rebuild,
      ActorRef<MapRegisterReply> holder,
      Requester requester,
      List<RegistersHeld> held,
      List<RegistersWait> waiting)
      implements MapRegisterMessage {
    public MapRegisterHolding {
      held = List.copyOf(held);
      waiting = List.copyOf(waiting);
    }
  }

  /** A grant a requester holds: {@code count} registers from {@code base} (the map-register base it was given). */
  record RegistersHeld(long requestId, int count, int base, boolean reservation) {}

  /**
   * A request waiting for registers, as its requester reports it to a rebuild.
   *
   * @param sinceMicros modeled time the requester sent it: the rebuilt queue is in this order
   */
  record RegistersWait(
      long requestId, int count, boolean immediate, boolean reservation, boolean acknowledge, long sinceMicros) {}

  /** The pool's own messages (its timers); nobody else sends them. */
  non-sealed interface Internal extends MapRegisterMessage {}
}
