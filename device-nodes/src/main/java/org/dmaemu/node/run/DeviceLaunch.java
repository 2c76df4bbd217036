package org.dmaemu.node.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.device.Device;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.driver.DriverModel;
import org.dmaemu.driver.ReferenceDriver;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.node.metrics.DeviceMeter;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.workload.DevicePlan;
import org.dmaemu.node.workload.Workload;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * What one device of a run is made of — its plan, its driver, its meter, how its script watches
 * its I/O and its power schedule — the same whether an embedded run's coordinator or a cluster
 * node's device entity spawns it.
 *
 * @param meter the device's meter; {@code null} for a power-only device
 * @param io how the script watches the I/O; {@code null} for a power-only device
 */
public record DeviceLaunch(
    String deviceId,
    DevicePlan plan,
    DeviceMeter meter,
    DriverModel driver,
    DmaObserver observer,
    DeviceScript.Io io,
    PowerSchedule schedule) {

  /** How long no request of a device may end, on top of two hang deadlines, before its script gives the I/O up. */
  public static final Duration QUIET_AFTER = Duration.ofSeconds(10);

  /**
   * The device {@code deviceId} of {@code workload}, its requests counted in {@code metrics}.
   *
   * @param quietAfter how long no request may end, on top of two hang deadlines, before the script
   *     gives the I/O up as stalled: {@link #QUIET_AFTER}, longer where a device may have to wait for
   *     the cluster to remove a crashed node
   */
  public static DeviceLaunch of(
      Workload workload, List<CallbackRule> rules, long seed, String deviceId, RunMetrics metrics, NodeClock clock,
      Duration quietAfter) {
    DevicePlan plan = workload.plan(seed, deviceId);
    List<CallbackRule> faultRules = workload.faultRules(seed, deviceId);
    if (!faultRules.isEmpty()) {
      List<CallbackRule> all = new ArrayList<>(faultRules);
      all.addAll(rules);
      rules = all;
    }
    PowerSchedule schedule = workload.powerSchedule(seed, deviceId);
    if (!plan.doesDma()) {
      return new DeviceLaunch(deviceId, plan, null, new ReferenceDriver.Settings(plan.enablers(), rules, seed).model(),
          DmaObserver.NONE, null, schedule);
    }
    DeviceMeter meter = new DeviceMeter(metrics, workload.observer(), workload::faultEndsRequests);
    return new DeviceLaunch(deviceId, plan, meter, plan.io().driverSettings(rules, seed).model(meter), meter,
        io(meter, plan, clock, quietAfter), schedule);
  }

  /**
   * How a script watches its device's I/O: it asks the device's state every half hang deadline (a
   * crash shows there), and gives the I/O up as stalled when no request ended for {@code quietAfter}
   * plus two hang deadlines — many times what a request takes on a loaded machine.
   */
  private static DeviceScript.Io io(DeviceMeter meter, DevicePlan plan, NodeClock clock, Duration quietAfter) {
    Duration deadline = clock.toReal(plan.settings().callbackDeadline());
    return new DeviceScript.Io(
        meter, plan.io().kind(), deadline.dividedBy(2), quietAfter.plus(deadline.multipliedBy(2)));
  }

  public Behavior<DeviceMessage> device(TraceSink trace) {
    return Device.create(deviceId, plan.settings(), driver, trace, observer);
  }

  public Behavior<DeviceScript.Command> script(
      ActorRef<DeviceMessage> device, List<ScriptStep> steps, ActorRef<DeviceOutcome> reportTo) {
    return DeviceScript.create(deviceId, device, steps, reportTo, io, schedule);
  }
}
