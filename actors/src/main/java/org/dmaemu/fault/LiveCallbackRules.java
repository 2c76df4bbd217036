package org.dmaemu.fault;

import java.util.List;
import org.dmaemu.driver.CallbackRule;

/**
 * One device's view of the callback faults injected into the running run ({@link LiveFaults}): the
 * rules of those that select it, worked out again only when a fault was added. Belongs to one
 * driver actor.
 */
public final class LiveCallbackRules {

  public static final LiveCallbackRules NONE = new LiveCallbackRules(null, 0, "", "");

  private final LiveFaults live;
  private final long runSeed;
  private final String deviceId;
  private final String group;
  private List<Fault.CallbackFault> seen = List.of();
  private List<CallbackRule> rules = List.of();

  LiveCallbackRules(LiveFaults live, long runSeed, String deviceId, String group) {
    this.live = live;
    this.runSeed = runSeed;
    this.deviceId = deviceId;
    this.group = group;
  }

  /** The rules of the injected callback faults that select the device, in injection order. */
  public List<CallbackRule> current() {
    if (live == null) {
      return List.of();
    }
    List<Fault.CallbackFault> now = live.callbackFaults();
    if (now != seen) {
      rules = FaultPlan.rulesFor(now, runSeed, deviceId, group);
      seen = now;
    }
    return rules;
  }
}
