package org.dmaemu.driver;

import java.time.Duration;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.Window;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.DriverCallback;

/**
 * How the reference driver answers one callback: with a probability, fail with a status, answer
 * after a modeled delay, or never answer (a hang).
 *
 * @param index restricts the rule to one enabler (enabler callbacks) or one interrupt (interrupt
 *     callbacks); -1 for any
 * @param probability chance in [0, 1] that the rule applies to one invocation
 * @param status the failure status for {@link Action#FAIL}
 * @param delay modeled think time before the answer (FAIL and DELAY)
 * @param faultId the fault of a plan this rule carries out, {@code null} for a driver's own rule
 * @param window when the rule applies, in modeled time since the run's start
 */
public record CallbackRule(
    CallbackKind kind,
    int index,
    double probability,
    Action action,
    NtStatus status,
    Duration delay,
    String faultId,
    Window window) {

  /** What the driver does when the rule applies. */
  public enum Action {
    FAIL,
    DELAY,
    HANG
  }

  public CallbackRule {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
    }
    if (action == Action.FAIL && (status == null || status.isSuccess())) {
      throw new IllegalArgumentException("a FAIL rule needs a failure status, got " + status);
    }
    if (action == Action.FAIL && kind.returnsNothing()) {
      // The framework takes nothing from a VOID callback's return: such a rule would act on nothing.
      throw new IllegalArgumentException("a FAIL rule on " + kind.kmdfName() + ", which returns nothing (VOID)");
    }
    delay = delay == null ? Duration.ZERO : delay;
    window = window == null ? Window.ALWAYS : window;
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative");
    }
  }

  /** A driver's own rule, at any time. */
  public CallbackRule(CallbackKind kind, int index, double probability, Action action, NtStatus status, Duration delay) {
    this(kind, index, probability, action, status, delay, null, Window.ALWAYS);
  }

  /** The rule that carries out a callback fault of a plan. */
  public static CallbackRule fault(Fault.CallbackFault f) {
    return new CallbackRule(
        f.callback(), -1, f.probability(), f.hang() ? Action.HANG : Action.FAIL, f.status(), Duration.ZERO, f.id(), f.window());
  }

  public static CallbackRule fail(CallbackKind kind, NtStatus status, double probability) {
    return new CallbackRule(kind, -1, probability, Action.FAIL, status, Duration.ZERO);
  }

  /** Always fails {@code kind} for the enabler or interrupt at {@code index}. */
  public static CallbackRule failOn(CallbackKind kind, int index, NtStatus status) {
    return new CallbackRule(kind, index, 1.0, Action.FAIL, status, Duration.ZERO);
  }

  public static CallbackRule delay(CallbackKind kind, Duration delay, double probability) {
    return new CallbackRule(kind, -1, probability, Action.DELAY, null, delay);
  }

  public static CallbackRule hang(CallbackKind kind, double probability) {
    return new CallbackRule(kind, -1, probability, Action.HANG, null, Duration.ZERO);
  }

  boolean matches(DriverCallback callback, long nowMicros) {
    if (kind != callback.kind() || !window.contains(nowMicros)) {
      return false;
    }
    int target = callback.enablerIndex() >= 0 ? callback.enablerIndex() : callback.interruptIndex();
    return index < 0 || index == target;
  }
}
