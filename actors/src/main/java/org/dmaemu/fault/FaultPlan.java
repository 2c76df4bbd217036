package org.dmaemu.fault;

import java.util.ArrayList;
import java.util.List;
import org.dmaemu.driver.CallbackRule;

/**
 * A run's faults (DESIGN §10) and its seed: immutable, the same on every node. Actors ask it for
 * what applies to their device; the run asks it for the timed faults it performs itself.
 */
public final class FaultPlan {

  public static final FaultPlan NONE = new FaultPlan(List.of(), 0);

  private final List<Fault> faults;
  private final long runSeed;
  private final LiveFaults live;

  public FaultPlan(List<Fault> faults, long runSeed) {
    this(faults, runSeed, null);
  }

  /** @param live where faults injected into the running run arrive on this node, or {@code null} */
  public FaultPlan(List<Fault> faults, long runSeed, LiveFaults live) {
    this.faults = List.copyOf(faults);
    this.runSeed = runSeed;
    this.live = live;
    long distinct = this.faults.stream().map(Fault::id).distinct().count();
    if (distinct != this.faults.size()) {
      throw new IllegalArgumentException("fault ids must be unique");
    }
  }

  public List<Fault> faults() {
    return faults;
  }

  /** The faults of one kind, in plan order. */
  public <F extends Fault> List<F> ofType(Class<F> type) {
    return faults.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /**
   * The callback faults that select this device, as rules of its reference driver: checked before
   * the driver's own rules, each with its fault id and window.
   */
  public List<CallbackRule> callbackRules(String deviceId, String group) {
    return rulesFor(ofType(Fault.CallbackFault.class), runSeed, deviceId, group);
  }

  /**
   * The callback faults injected into the running run that select this device, as its driver's
   * rules: checked after all the others. Empty while nothing was injected.
   */
  public LiveCallbackRules liveCallbackRules(String deviceId, String group) {
    return live == null ? LiveCallbackRules.NONE : new LiveCallbackRules(live, runSeed, deviceId, group);
  }

  static List<CallbackRule> rulesFor(List<Fault.CallbackFault> faults, long runSeed, String deviceId, String group) {
    List<CallbackRule> rules = new ArrayList<>();
    for (Fault.CallbackFault f : faults) {
      if (f.devices().selects(runSeed, f.id(), deviceId, group)) {
        rules.add(CallbackRule.fault(f));
      }
    }
    return rules;
  }

  /** The message gate of one actor ({@code actorKey}, unique within the device) of this device. */
  public MessageGate gate(String deviceId, String group, String actorKey) {
    List<Fault.MessageFault> selected = new ArrayList<>();
    for (Fault.MessageFault f : ofType(Fault.MessageFault.class)) {
      if (f.devices().selects(runSeed, f.id(), deviceId, group)) {
        selected.add(f);
      }
    }
    return MessageGate.of(selected, runSeed, deviceId, group, actorKey, live);
  }

  /** Whether the timed device event selects this device. */
  public boolean selects(Fault.DeviceEvent event, String deviceId, String group) {
    return event.devices().selects(runSeed, event.id(), deviceId, group);
  }
}
