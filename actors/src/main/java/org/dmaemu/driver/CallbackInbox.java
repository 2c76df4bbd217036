package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;

/**
 * A reference driver's side of callback delivery (DESIGN §4): which invocation of its invoking
 * object each callback is, so that every return names it and the framework can tell a late or
 * repeated return from the one it waits for.
 *
 * <p>Every invoking object (the device, an enabler, a transaction, the engine's interrupt) has at
 * most one callback outstanding and numbers the callbacks it sends to its driver 1, 2, …; Akka
 * delivers one sender's messages in order, so the n-th callback that reaches the driver from an
 * object is that object's n-th. The count is taken as a callback arrives, before the driver's
 * behaviour sees it. One per driver actor, used from that actor only.
 */
final class CallbackInbox {

  /** Callbacks that reached the driver, per invoking object (its reply address). */
  private final Map<ActorRef<CallbackReturn>, Long> arrived = new HashMap<>();
  /** Callbacks counted and not returned from yet: their invocation numbers. */
  private final IdentityHashMap<DriverCallback, Long> open = new IdentityHashMap<>();
  private final boolean counting;

  private CallbackInbox(boolean counting) {
    this.counting = counting;
  }

  /** An inbox that numbers every callback the driver it {@linkplain #around wraps} receives. */
  static CallbackInbox counting() {
    return new CallbackInbox(true);
  }

  /** An inbox that numbers nothing: its returns name no invocation (drivers that do not count). */
  static CallbackInbox uncounted() {
    return new CallbackInbox(false);
  }

  /** {@code driver}, its callbacks counted as they arrive. */
  Behavior<DriverMessage> around(Behavior<DriverMessage> driver) {
    return Behaviors.intercept(Arrivals::new, driver);
  }

  /** Returns from {@code callback} with {@code r}, naming its invocation when it was counted. */
  void answer(DriverCallback callback, CallbackReturn r) {
    Long invocation = open.remove(callback);
    callback.replyTo().tell(invocation == null ? r : r.answering(invocation));
  }

  /** Counts one callback that reached the driver. */
  private void arrive(DriverCallback callback) {
    if (counting) {
      long n = arrived.merge(callback.replyTo(), 1L, Long::sum);
      open.put(callback, n);
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
      if (msg instanceof DriverCallback callback) {
        arrive(callback);
      }
      return target.apply(ctx, msg);
    }
  }
}
