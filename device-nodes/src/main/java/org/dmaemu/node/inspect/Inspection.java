package org.dmaemu.node.inspect;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.device.DeviceInspection;

/**
 * A running cluster as {@code dmaemu inspect} shows it: the shared adapters with their map
 * registers and lock, and every device with its transactions, each with the node it lives on.
 *
 * @param run the scenario running, or empty when no run is
 * @param nodes the cluster's members that are up
 * @param devicesMissing devices of the run that did not answer in time (stopped already, or busy)
 */
public record Inspection(
    String run, List<String> nodes, List<AdapterEntry> adapters, List<DeviceEntry> devices, int devicesMissing)
    implements CborSerializable {

  public Inspection {
    nodes = List.copyOf(nodes);
    adapters = List.copyOf(adapters);
    devices = List.copyOf(devices);
  }

  /** A shared adapter domain: its map-register pool and adapter lock. */
  public record AdapterEntry(String node, MapRegisterSnapshot registers, AdapterLockSnapshot lock)
      implements CborSerializable {}

  /** A device and its transactions. */
  public record DeviceEntry(String node, DeviceInspection device) implements CborSerializable {}
}
