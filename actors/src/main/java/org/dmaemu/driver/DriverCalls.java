package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * Delivering a callback to a driver and getting its return: the one place where the deadline (a
 * hang) and the trace span of every callback are handled, for devices and enablers alike.
 */
public final class DriverCalls {
  private DriverCalls() {}

  /**
   * Sends the callback built by {@code make} to {@code driver}; the outcome comes back to the
   * calling actor as the message {@code wrap} makes of it, after the driver answered or after
   * {@code realDeadline}.
   */
  public static <T> void invoke(
      ActorContext<T> context,
      ActorRef<DriverMessage> driver,
      Duration realDeadline,
      NodeClock clock,
      TraceSink trace,
      String deviceId,
      CallbackKind kind,
      int enablerIndex,
      int interruptIndex,
      Function<ActorRef<CallbackReturn>, DriverCallback> make,
      Function<CallbackOutcome, T> wrap) {
    long start = clock.nowMicros();
    context.ask(
        CallbackReturn.class,
        driver,
        realDeadline,
        make::apply,
        (reply, failure) -> {
          CallbackOutcome outcome =
              new CallbackOutcome(
                  kind, enablerIndex, interruptIndex, reply == null ? null : reply.status(), start, clock.nowMicros());
          traceSpan(trace, deviceId, outcome);
          return wrap.apply(outcome);
        });
  }

  static void traceSpan(TraceSink trace, String deviceId, CallbackOutcome o) {
    if (!trace.enabled()) {
      return;
    }
    Map<String, String> args = new HashMap<>(4);
    args.put("device", deviceId);
    if (o.enablerIndex() >= 0) {
      args.put("enabler", Integer.toString(o.enablerIndex()));
    }
    if (o.interruptIndex() >= 0) {
      args.put("interrupt", Integer.toString(o.interruptIndex()));
    }
    args.put("status", o.hung() ? "hang" : o.status().hex());
    trace.span(o.kind().kmdfName(), deviceId, o.startMicros(), o.endMicros(), args);
  }
}
