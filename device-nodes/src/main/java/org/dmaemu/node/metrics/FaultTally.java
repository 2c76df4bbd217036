package org.dmaemu.node.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.dmaemu.protocol.CborSerializable;

/**
 * What a run's faults did (DESIGN §10): per fault id, how often it acted and on how many devices,
 * and per group the requests each fault aborted. Nodes' tallies add up: a device runs on one node.
 *
 * @param abortedByGroup group → fault id → requests aborted
 * @param injected fault id → times it acted
 * @param devices fault id → devices it acted on
 */
public record FaultTally(
    Map<String, Map<String, Long>> abortedByGroup, Map<String, Long> injected, Map<String, Long> devices)
    implements CborSerializable {

  public static final FaultTally NONE = new FaultTally(Map.of(), Map.of(), Map.of());

  public FaultTally {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    abortedByGroup.forEach((g, byFault) -> copy.put(g, new TreeMap<>(byFault)));
    abortedByGroup = copy;
    injected = new TreeMap<>(injected);
    devices = new TreeMap<>(devices);
  }

  public FaultTally plus(FaultTally o) {
    Map<String, Map<String, Long>> aborted = new LinkedHashMap<>();
    abortedByGroup.forEach((g, m) -> aborted.put(g, new LinkedHashMap<>(m)));
    o.abortedByGroup.forEach((g, m) -> {
      Map<String, Long> into = aborted.computeIfAbsent(g, k -> new LinkedHashMap<>());
      m.forEach((f, n) -> into.merge(f, n, Long::sum));
    });
    Map<String, Long> inj = new LinkedHashMap<>(injected);
    o.injected.forEach((f, n) -> inj.merge(f, n, Long::sum));
    Map<String, Long> dev = new LinkedHashMap<>(devices);
    o.devices.forEach((f, n) -> dev.merge(f, n, Long::sum));
    return new FaultTally(aborted, inj, dev);
  }

  /** Requests of {@code group} aborted by any fault. */
  public long aborted(String group) {
    return abortedByGroup.getOrDefault(group, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Requests aborted by fault {@code id}, over all groups. */
  public long abortedBy(String id) {
    long n = 0;
    for (Map<String, Long> m : abortedByGroup.values()) {
      n += m.getOrDefault(id, 0L);
    }
    return n;
  }
}
