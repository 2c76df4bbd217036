package org.dmaemu.fault;

import java.util.List;
import java.util.SplittableRandom;
import org.dmaemu.time.Seeds;

/**
 * The message faults that act on one actor of one device. A gate belongs to one actor and draws
 * from its own stream, derived from (run seed, device id, the actor's key), so that a seed gives
 * the same decisions whatever the interleaving of the device's actors. Faults injected while the
 * run runs ({@link LiveFaults}) act after the plan's own.
 */
public final class MessageGate {

  public static final MessageGate NONE = new MessageGate(List.of(), new SplittableRandom(0), null, 0, "", "");

  private final List<Fault.MessageFault> faults;
  private final SplittableRandom random;
  // Faults injected into the running run, and what selecting among them needs; null: none can come.
  private final LiveFaults live;
  private final long runSeed;
  private final String deviceId;
  private final String group;

  private MessageGate(
      List<Fault.MessageFault> faults, SplittableRandom random, LiveFaults live, long runSeed, String deviceId,
      String group) {
    this.faults = faults;
    this.random = random;
    this.live = live;
    this.runSeed = runSeed;
    this.deviceId = deviceId;
    this.group = group;
  }

  static MessageGate of(
      List<Fault.MessageFault> faults, long runSeed, String deviceId, String group, String actorKey, LiveFaults live) {
    if (faults.isEmpty() && live == null) {
      return NONE;
    }
    return new MessageGate(
        List.copyOf(faults), new SplittableRandom(Seeds.derive(runSeed, deviceId + "/" + actorKey, GATE_STREAM)), live,
        runSeed, deviceId, group);
  }

  /**
   * Whether any fault can act on {@code path} now (callers skip bookkeeping otherwise, e.g. grant
   * acknowledgements): the plan's, or one injected into the running run so far.
   */
  public boolean covers(MessagePath path) {
    if (live != null) {
      for (Fault.MessageFault f : live.messageFaults()) {
        if (f.path() == path) {
          return true;
        }
      }
    }
    for (Fault.MessageFault f : faults) {
      if (f.path() == path) {
        return true;
      }
    }
    return false;
  }

  /**
   * The fault that acts on one message on {@code path} at modeled {@code nowMicros}, or {@code
   * null} to deliver it as usual. The first fault of the plan whose window holds and whose draw
   * hits acts; each active fault on the path draws once per message.
   */
  public Injection decide(MessagePath path, long nowMicros) {
    for (Fault.MessageFault f : faults) {
      if (f.path() == path && f.window().contains(nowMicros)
          && (f.probability() >= 1.0 || random.nextDouble() < f.probability())) {
        return new Injection(f.id(), path, f.action(), f.delay());
      }
    }
    if (live != null) {
      for (Fault.MessageFault f : live.messageFaults()) {
        if (f.path() == path && f.window().contains(nowMicros) && f.devices().selects(runSeed, f.id(), deviceId, group)
            && (f.probability() >= 1.0 || random.nextDouble() < f.probability())) {
          return new Injection(f.id(), path, f.action(), f.delay());
        }
      }
    }
    return null;
  }

  // "GATE"
  private static final long GATE_STREAM = 0x47_41_54_45L;
}
