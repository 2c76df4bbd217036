package org.dmaemu.driver;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.dmaemu.fault.FaultObserver;
import org.dmaemu.fault.Injection;
import org.dmaemu.fault.MessageGate;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.time.NodeClock;

/**
 * A reference driver's side of callback delivery (DESIGN §4): which invocation of its invoking
 * object each callback is, so that every return names it and the framework can tell a late or
 * repeated return from the one it waits for; and the message faults of the CALLBACKS path (DESIGN
 * §10), which act here, as the driver receives a callback: a dropped callback never reaches the
 * driver's behaviour (its invoking object's deadline makes it a hang), a delayed one reaches it
 * after the fault's modeled delay, and a duplicated one is returned from twice.
 *
 * <p>Every invoking object (the device, an enabler, a transaction, the engine's interrupt) has at
 * most one callback outstanding and numbers the callbacks it sends to its driver 1, 2, …; Akka
 * delivers one sender's messages in order, so the n-th callback that reaches the driver from an
 * object is that object's n-th. The count is taken as a callback arrives, before the driver's
 * behaviour sees it. One per driver actor, used from that actor only.
 */
final class CallbackInbox {

  /** A delayed callback, due: the driver's behaviour gets it now. Sent by the inbox to its actor. */
  private record Deferred(DriverCallback callback) implements DriverMessage, NoSerializationVerificationNeeded {}

  /** A callback counted and not returned from yet: its number, and whether it is returned from twice. */
  private record Open(long invocation, boolean twice) {}

  /** Callbacks that reached the driver, per invoking object (its reply address). */
  private final Map<ActorRef<CallbackReturn>, Long> arrived = new HashMap<>();
  private final IdentityHashMap<DriverCallback, Open> open = new IdentityHashMap<>();
  private final boolean counting;
  private final MessageGate gate;
  private final FaultObserver observer;
  private final String deviceId;
  private final NodeClock clock;

  private CallbackInbox(boolean counting, MessageGate gate, FaultObserver observer, String deviceId, NodeClock clock) {
    this.counting = counting;
    this.gate = gate;
    this.observer = observer;
    this.deviceId = deviceId;
    this.clock = clock;
  }

  /**
   * An inbox that numbers every callback the driver it {@linkplain #around wraps} receives, and
   * lets {@code gate}'s CALLBACKS faults act on them, reporting each to {@code observer}.
   */
  static CallbackInbox counting(MessageGate gate, FaultObserver observer, String deviceId, NodeClock clock) {
    return new CallbackInbox(true, gate, observer, deviceId, clock);
  }

  /** An inbox that numbers nothing: its returns name no invocation (drivers that do not count). */
  static CallbackInbox uncounted() {
    return new CallbackInbox(false, MessageGate.NONE, FaultObserver.NONE, "", null);
  }

  /** {@code driver}, its callbacks counted as they arrive. */
  Behavior<DriverMessage> around(Behavior<DriverMessage> driver) {
    return Behaviors.intercept(Arrivals::new, driver);
  }

  /**
   * Returns from {@code callback} with {@code r}, naming its invocation when it was counted; twice
   * when a fault duplicated the callback (the invoking object takes the first and ignores the other).
   */
  void answer(DriverCallback callback, CallbackReturn r) {
    Open o = open.remove(callback);
    if (o == null) {
      callback.replyTo().tell(r);
      return;
    }
    CallbackReturn named = r.answering(o.invocation());
    callback.replyTo().tell(named);
    if (o.twice()) {
      callback.replyTo().tell(named);
    }
  }

  /** Counts one callback that reached the driver; returns its invocation number. */
  private long count(DriverCallback callback) {
    return arrived.merge(callback.replyTo(), 1L, Long::sum);
  }

  /** What reaches the driver's behaviour of one arriving callback: it, later, twice or never. */
  private Behavior<DriverMessage> arrive(
      TypedActorContext<DriverMessage> ctx,
      DriverCallback callback,
      BehaviorInterceptor.ReceiveTarget<DriverMessage> target) {
    long n = count(callback);
    long now = clock.nowMicros();
    Injection injection = gate.decide(MessagePath.CALLBACKS, now);
    if (injection == null) {
      open.put(callback, new Open(n, false));
      return target.apply(ctx, callback);
    }
    observer.faultInjected(
        injection.faultId(), deviceId,
        "callbacks " + injection.action().planName() + " " + callback.kind().kmdfName(), now);
    switch (injection.action()) {
      case DROP:
        return Behaviors.same();
      case DELAY:
        open.put(callback, new Open(n, false));
        ctx.asJava().scheduleOnce(clock.toReal(injection.delay()), ctx.asJava().getSelf(), new Deferred(callback));
        return Behaviors.same();
      case DUPLICATE:
      default:
        open.put(callback, new Open(n, true));
        return target.apply(ctx, callback);
    }
  }

  /** Sees each message before the driver's behaviour does. */
  private final class Arrivals extends BehaviorInterceptor<DriverMessage, DriverMessage> {
    Arrivals() {
      super(DriverMessage.class);
    }

    @Override
    public Behavior<DriverMessage> aroundReceive(
        TypedActorContext<DriverMessage> ctx, DriverMessage msg, ReceiveTarget<DriverMessage> target) {
      if (msg instanceof Deferred deferred) {
        return target.apply(ctx, deferred.callback());
      }
      if (counting && msg instanceof DriverCallback callback) {
        return arrive(ctx, callback, target);
      }
      return target.apply(ctx, msg);
    }
  }
}
