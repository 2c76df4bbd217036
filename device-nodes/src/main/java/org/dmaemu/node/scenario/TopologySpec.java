package org.dmaemu.node.scenario;

import java.util.List;
import org.dmaemu.verifier.OnViolation;

/**
 * The platform and the shared resources of a scenario; the device groups are {@link Scenario#groups()}.
 *
 * @param pageSize PAGE_SIZE in bytes, a power of two from 512 B to 64 KiB
 * @param mapRegisterLimit the most map registers one per-enabler adapter gets (reference §4.1)
 * @param onViolation what a bug check does to the device
 * @param adapterDomains shared adapters, in file order
 * @param buses bandwidth arbiters, in file order
 */
public record TopologySpec(
    int pageSize,
    int mapRegisterLimit,
    OnViolation onViolation,
    List<AdapterDomainSpec> adapterDomains,
    List<BusSpec> buses) {

  public TopologySpec {
    adapterDomains = List.copyOf(adapterDomains);
    buses = List.copyOf(buses);
  }
}
