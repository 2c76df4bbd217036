package org.dmaemu.driver;

import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * A callback delivered to a driver and not yet returned: the one place where a callback's
 * deadline (a hang) and its trace span are handled, for devices and enablers alike.
 *
 * <p>The driver's {@code CallbackReturn} comes straight back to the invoking actor (no ask, no
 * future: on a 2-core machine Java completes futures on a new thread per task). The deadline is a
 * message the invoking actor schedules to itself and cancels when the return arrives. An invoking
 * actor numbers its callbacks to one driver 1, 2, … ({@code serial}), so that a return that comes
 * after its deadline, or twice, is not taken for the callback outstanding now ({@link #answeredBy}).
 */
public final class PendingCallback {
  private final DriverCallback callback;
  private final long serial;
  private final long startMicros;
  private final Cancellable deadline;

  private PendingCallback(DriverCallback callback, long serial, long startMicros, Cancellable deadline) {
    this.callback = callback;
    this.serial = serial;
    this.startMicros = startMicros;
    this.deadline = deadline;
  }

  /**
   * Sends {@code callback} to {@code driver} and schedules {@code deadlineMessage} to the caller
   * after {@code realDeadline}. {@code serial} identifies this callback in that message.
   */
  public static <T> PendingCallback send(
      ActorContext<T> context,
      ActorRef<DriverMessage> driver,
      DriverCallback callback,
      long serial,
      Duration realDeadline,
      T deadlineMessage,
      NodeClock clock) {
    long start = clock.nowMicros();
    driver.tell(callback);
    Cancellable deadline = context.scheduleOnce(realDeadline, context.getSelf(), deadlineMessage);
    return new PendingCallback(callback, serial, start, deadline);
  }

  public long serial() {
    return serial;
  }

  /**
   * Whether {@code r} returns from this callback: {@code serial} is the callback's number among
   * those its invoking object sent to the driver; a return that names another number is late or
   * repeated and belongs to no outstanding callback. A return that names none is taken as it is.
   */
  public boolean answeredBy(CallbackReturn r) {
    return r.invocation() == 0 || r.invocation() == serial;
  }

  /** The driver returned {@code status}. */
  public CallbackOutcome returned(NtStatus status, NodeClock clock, TraceSink trace) {
    deadline.cancel();
    return outcome(status, clock, trace);
  }

  /** The deadline passed first: a hang. */
  public CallbackOutcome expired(NodeClock clock, TraceSink trace) {
    return outcome(null, clock, trace);
  }

  private CallbackOutcome outcome(NtStatus status, NodeClock clock, TraceSink trace) {
    CallbackOutcome o =
        new CallbackOutcome(
            callback.kind(), callback.enablerIndex(), callback.interruptIndex(), status, startMicros, clock.nowMicros());
    if (trace.enabled()) {
      Map<String, String> args = new HashMap<>(6);
      args.put("device", callback.deviceId());
      if (o.enablerIndex() >= 0) {
        args.put("enabler", Integer.toString(o.enablerIndex()));
      }
      if (o.interruptIndex() >= 0) {
        args.put("interrupt", Integer.toString(o.interruptIndex()));
      }
      if (callback instanceof DriverCallback.TransactionCallback t) {
        // Which transaction the callback is about, as the DDI instants name it: invariant checks follow one transaction.
        args.put("transaction", Long.toString(t.transaction().id()));
      }
      args.put("status", o.hung() ? "hang" : o.status().hex());
      trace.span(o.kind().kmdfName(), callback.deviceId(), o.startMicros(), o.endMicros(), args);
    }
    return o;
  }
}
