package org.dmaemu.node.scenario;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.FaultPlan;

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
 * @param faults the fault plan (DESIGN §10), in file order, then {@code --fault} flags
 */
public record Scenario(
    String name,
    Path source,
    RunSpec run,
    TopologySpec topology,
    List<GroupSpec> groups,
    PowerSpec power,
    List<Fault> faults) {

  public Scenario {
    groups = List.copyOf(groups);
    faults = List.copyOf(faults);
  }

  /** A scenario without faults. */
  public Scenario(String name, Path source, RunSpec run, TopologySpec topology, List<GroupSpec> groups, PowerSpec power) {
    this(name, source, run, topology, groups, power, List.of());
  }

  /** The fault plan, seeded with the run's seed. */
  public FaultPlan faultPlan() {
    return new FaultPlan(faults, run.seed());
  }

  /** The same scenario with {@code more} faults after its own. */
  public Scenario withFaults(List<Fault> more) {
    List<Fault> all = new ArrayList<>(faults);
    all.addAll(more);
    return new Scenario(name, source, run, topology, groups, power, all);
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
