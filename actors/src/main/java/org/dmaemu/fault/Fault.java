package org.dmaemu.fault;

import java.time.Duration;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * One fault of a plan (DESIGN §10). Every fault has an id, which the run logs with each injection
 * and with every request the fault ends ("aborted by fault id").
 */
public sealed interface Fault {

  String id();

  /** The fault as a plan writes it, for logs and the summary. */
  String describe();

  /**
   * Whether what this fault does can end a request: a lost message, a failed or hung callback, a
   * removal or a lost node. A delayed or repeated message, a power cycle (suspend waits for the
   * transfers in flight) and an arbiter crash (it rebuilds) cost time only.
   */
  default boolean endsRequests() {
    return true;
  }

  /**
   * A callback's answer replaced: a failure status, or no answer at all (a hang), with a
   * probability per invocation, on selected devices, within a window.
   *
   * @param status the failure status; {@code null} for a hang
   */
  record CallbackFault(
      String id, CallbackKind callback, NtStatus status, double probability, DeviceSelector devices, Window window)
      implements Fault {
    public CallbackFault {
      checkProbability(probability);
      if (status != null && status.isSuccess()) {
        throw new IllegalArgumentException("a callback failure needs a failure status, got " + status);
      }
      if (status != null && callback.returnsNothing()) {
        throw new IllegalArgumentException(voidFailure(callback));
      }
    }

    /** Why a failure of {@code callback}, a VOID one, means nothing; the plan reader says it so too. */
    public static String voidFailure(CallbackKind callback) {
      return callback.kmdfName() + " returns nothing (VOID): a failure cannot be returned from it; use callback-hang";
    }

    public boolean hang() {
      return status == null;
    }

    @Override
    public String describe() {
      return (hang() ? "callback-hang " : "callback-failure ") + callback.kmdfName()
          + (hang() ? "" : " status=" + status.name()) + " p=" + probability;
    }
  }

  /** A message on a named path dropped, delayed or duplicated, with a probability per message. */
  record MessageFault(
      String id,
      MessagePath path,
      MessageAction action,
      Duration delay,
      double probability,
      DeviceSelector devices,
      Window window)
      implements Fault {
    public MessageFault {
      checkProbability(probability);
      delay = delay == null ? Duration.ZERO : delay;
      if (action == MessageAction.DELAY && (delay.isZero() || delay.isNegative())) {
        throw new IllegalArgumentException("a delay fault needs a positive delay");
      }
    }

    /** A lost message can end a request, except a grant: arbiters re-send an unacknowledged one. */
    @Override
    public boolean endsRequests() {
      return action == MessageAction.DROP && path != MessagePath.GRANTS;
    }

    @Override
    public String describe() {
      return "message " + path.planName() + " " + action.planName()
          + (action == MessageAction.DELAY ? " " + delay.toNanos() / 1000 + "us" : "") + " p=" + probability;
    }
  }

  /** Something done to selected devices once, at a modeled time: surprise removal or a power cycle. */
  record DeviceEvent(String id, DeviceEventKind kind, DeviceSelector devices, Duration at) implements Fault {
    @Override
    public boolean endsRequests() {
      return kind == DeviceEventKind.SURPRISE_REMOVAL;
    }

    @Override
    public String describe() {
      return kind.planName() + " at=" + at.toNanos() / 1000 + "us";
    }
  }

  /** The arbiters of a shared adapter domain crash at a modeled time, restart and rebuild. */
  record ArbiterCrash(String id, String adapterDomain, Duration at) implements Fault {
    @Override
    public boolean endsRequests() {
      return false;
    }

    @Override
    public String describe() {
      return "arbiter-crash " + adapterDomain + " at=" + at.toNanos() / 1000 + "us";
    }
  }

  /**
   * One node of a cluster run crashes (its JVM ends at once) or pauses for {@code length} (its
   * process stopped, then continued), at a modeled time. Node 1 is the submitting node.
   */
  record NodeFault(String id, NodeFaultKind kind, int node, Duration at, Duration length) implements Fault {
    @Override
    public String describe() {
      return kind.planName() + " node=" + node + " at=" + at.toNanos() / 1000 + "us"
          + (kind == NodeFaultKind.PAUSE ? " length=" + length.toNanos() / 1000 + "us" : "");
    }
  }

  enum DeviceEventKind {
    SURPRISE_REMOVAL("surprise-removal"),
    POWER_CYCLE("power-cycle");

    private final String planName;

    DeviceEventKind(String planName) {
      this.planName = planName;
    }

    public String planName() {
      return planName;
    }
  }

  enum NodeFaultKind {
    CRASH("node-crash"),
    PAUSE("node-pause");

    private final String planName;

    NodeFaultKind(String planName) {
      this.planName = planName;
    }

    public String planName() {
      return planName;
    }
  }

  private static void checkProbability(double p) {
    if (!(p > 0 && p <= 1)) {
      throw new IllegalArgumentException("a fault's probability must be in (0, 1], got " + p);
    }
  }
}
