package org.dmaemu.node.cluster;

import java.nio.file.Path;
import java.util.List;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.protocol.CborSerializable;

/**
 * A fault injected into a running cluster run ({@code dmaemu inject}), as it travels from the
 * coordinator to every node: its id and its {@code --fault} flag with every key written, which each
 * node reads against the run's scenario as the coordinator did. The message does not depend on how
 * the fault types serialize.
 */
public record LiveFault(String id, String flag) implements CborSerializable {

  public static LiveFault of(Fault f) {
    return new LiveFault(f.id(), ScenarioLoader.faultFlag(f));
  }

  /** The fault, read against {@code scenario}; fails with the problems if it does not read (it did at the coordinator). */
  public Fault read(Scenario scenario) {
    ScenarioLoader.Loaded loaded =
        ScenarioLoader.fromText(ScenarioLoader.resolved(scenario), Path.of(scenario.name() + ".conf"), List.of(flag));
    if (!loaded.isValid()) {
      throw new IllegalArgumentException("fault " + id + " does not read here: " + loaded.problems());
    }
    List<Fault> faults = loaded.scenario().faults();
    return faults.get(faults.size() - 1);
  }
}
