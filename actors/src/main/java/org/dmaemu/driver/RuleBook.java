package org.dmaemu.driver;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.List;
import java.util.SplittableRandom;
import org.dmaemu.fault.FaultObserver;
import org.dmaemu.fault.LiveCallbackRules;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.time.Seeds;

/**
 * How a reference driver answers callbacks: by its {@link CallbackRule}s, drawing from a stream
 * derived from (run seed, device id, PnP request ordinal) so that the same seed gives the same
 * answers wherever the device runs. One per driver actor.
 */
public final class RuleBook {

  /** A delayed answer, sent to the driver itself by a timer; the driver passes it to {@link #deliver}. */
  public record DelayedReturn(DriverCallback callback, NtStatus status, long serial)
      implements DriverMessage, NoSerializationVerificationNeeded {}

  private static final long DRIVER_STREAM = 0x44_52_56; // "DRV"

  /** How a rule book's report of a hang it carried out ends: "EvtProgramDma hang". */
  private static final String HANG = " hang";

  /** The callback (KMDF name) that a rule book's report {@code what} says a fault hung; {@code null} if it says something else. */
  public static String hungCallback(String what) {
    return what.endsWith(HANG) ? what.substring(0, what.length() - HANG.length()) : null;
  }

  private final List<CallbackRule> rules;
  private final LiveCallbackRules live;
  private final FaultObserver faults;
  private final String deviceId;
  private final TimerScheduler<DriverMessage> timers;
  private final NodeClock clock;
  private final SplittableRandom random;
  private final CallbackInbox inbox;
  private long timerSerial;

  public RuleBook(
      List<CallbackRule> rules, long runSeed, DriverContext context, TimerScheduler<DriverMessage> timers, NodeClock clock) {
    this(rules, runSeed, context, timers, clock, FaultObserver.NONE);
  }

  /** A rule book that reports each rule carrying out a fault of a plan to {@code faults}. */
  public RuleBook(
      List<CallbackRule> rules,
      long runSeed,
      DriverContext context,
      TimerScheduler<DriverMessage> timers,
      NodeClock clock,
      FaultObserver faults) {
    this(rules, runSeed, context, timers, clock, faults, CallbackInbox.uncounted());
  }

  /** A rule book whose returns go through the driver's {@code inbox}, naming their invocations. */
  RuleBook(
      List<CallbackRule> rules,
      long runSeed,
      DriverContext context,
      TimerScheduler<DriverMessage> timers,
      NodeClock clock,
      FaultObserver faults,
      CallbackInbox inbox) {
    this.inbox = inbox;
    this.rules = rules;
    this.live = context.faults().liveCallbackRules(context.deviceId(), context.group());
    this.faults = faults;
    this.deviceId = context.deviceId();
    this.timers = timers;
    this.clock = clock;
    this.random = new SplittableRandom(Seeds.derive(runSeed, context.deviceId(), DRIVER_STREAM + context.requestOrdinal()));
  }

  /** The random stream of this driver, for its own draws (request sizes, directions). */
  public SplittableRandom random() {
    return random;
  }

  /**
   * The rule that applies to this invocation of {@code callback}, or {@code null} for plain success:
   * the first whose draw hits, of the driver's rules (a plan's callback faults first), then of the
   * callback faults injected into the running run.
   */
  public CallbackRule applicable(DriverCallback callback) {
    long now = clock.nowMicros();
    CallbackRule rule = firstHit(rules, callback, now);
    return rule != null ? rule : firstHit(live.current(), callback, now);
  }

  private CallbackRule firstHit(List<CallbackRule> candidates, DriverCallback callback, long now) {
    for (CallbackRule rule : candidates) {
      if (rule.matches(callback, now) && (rule.probability() >= 1.0 || random.nextDouble() < rule.probability())) {
        return rule;
      }
    }
    return null;
  }

  /**
   * Answers {@code callback} as its rule says: success by default; a failure status, after the
   * rule's delay if any; nothing at all for a hang. Returns the status answered, {@code null} for
   * a hang.
   */
  public NtStatus answer(DriverCallback callback) {
    CallbackRule rule = decide(callback);
    if (rule == null) {
      inbox.answer(callback, CallbackReturn.SUCCESS);
      return NtStatus.STATUS_SUCCESS;
    }
    if (rule.action() == CallbackRule.Action.HANG) {
      return null;
    }
    NtStatus status = rule.action() == CallbackRule.Action.FAIL ? rule.status() : NtStatus.STATUS_SUCCESS;
    if (rule.delay().isZero()) {
      inbox.answer(callback, new CallbackReturn(status));
    } else {
      timers.startSingleTimer(new DelayedReturn(callback, status, timerSerial++), clock.toReal(rule.delay()));
    }
    return status;
  }

  /**
   * The rule for this invocation of {@code callback}, carried out as far as {@link #answer} carries
   * it before returning: drawn, and a plan's fault reported injected with its id. The return is the
   * driver's to make ({@link #reply}), for callbacks whose failure is something the driver does
   * rather than a status (EvtProgramDma returns FALSE and ends its transfer itself, reference §3.3);
   * on a HANG it makes none. {@code null}: no rule applies.
   */
  public CallbackRule decide(DriverCallback callback) {
    CallbackRule rule = applicable(callback);
    if (rule != null && rule.faultId() != null) {
      faults.faultInjected(rule.faultId(), deviceId, callback.kind().kmdfName()
          + (rule.action() == CallbackRule.Action.HANG ? HANG : " " + rule.status().name()), clock.nowMicros());
    }
    return rule;
  }

  /** Returns from {@code callback} with {@code r}, whatever the rules say (a driver's own answer). */
  public void reply(DriverCallback callback, CallbackReturn r) {
    inbox.answer(callback, r);
  }

  /** A delayed answer is due. */
  public void deliver(DelayedReturn delayed) {
    inbox.answer(delayed.callback(), new CallbackReturn(delayed.status()));
  }
}
