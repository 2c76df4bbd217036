package org.dmaemu.node.cluster;

import java.time.Duration;
import java.util.Set;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.protocol.CborSerializable;

/**
 * A message fault injected into a running cluster run ({@code dmaemu inject}), as it travels from
 * the coordinator to every node: the fields of a {@link Fault.MessageFault}, spelled out so that
 * the message does not depend on how the fault types serialize.
 */
public record LiveFault(
    String id,
    MessagePath path,
    MessageAction action,
    long delayNanos,
    double probability,
    Set<String> groups,
    Set<String> devices,
    double fraction,
    long fromMicros,
    long untilMicros)
    implements CborSerializable {

  public LiveFault {
    groups = Set.copyOf(groups);
    devices = Set.copyOf(devices);
  }

  public static LiveFault of(Fault.MessageFault f) {
    return new LiveFault(f.id(), f.path(), f.action(), f.delay().toNanos(), f.probability(), f.devices().groups(),
        f.devices().deviceIds(), f.devices().fraction(), f.window().fromMicros(), f.window().untilMicros());
  }

  public Fault.MessageFault toFault() {
    return new Fault.MessageFault(id, path, action, Duration.ofNanos(delayNanos), probability,
        new DeviceSelector(groups, devices, fraction), new Window(fromMicros, untilMicros));
  }
}
