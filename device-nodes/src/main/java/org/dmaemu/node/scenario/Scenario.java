package org.dmaemu.node.scenario;

import java.nio.file.Path;
import java.util.List;

/**
 * A validated scenario file (DESIGN §6), as {@link ScenarioLoader#load} builds it. Every default is
 * filled in; {@link ScenarioLoader#resolved} writes it back as HOCON.
 *
 * @param name names the run directory: {@code run.name}, by default the file name without extension
 * @param source the file it was loaded from
 * @param run seed, length and timing of the run
 * @param topology platform, shared adapter domains and buses
 * @param groups device groups, in file order
 * @param power power cycles and surprise removals
 */
public record Scenario(
    String name, Path source, RunSpec run, TopologySpec topology, List<GroupSpec> groups, PowerSpec power) {

  public Scenario {
    groups = List.copyOf(groups);
  }

  /** Devices over all groups. */
  public long devices() {
    long n = 0;
    for (GroupSpec g : groups) {
      n += g.count();
    }
    return n;
  }
}
