package org.dmaemu.node.scenario;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.arbitration.ArbiterRecovery;
import org.dmaemu.arbitration.ArbitrationPolicy;
import org.dmaemu.arbitration.ArbitrationSettings;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.LiveFaults;
import org.dmaemu.fault.Fault;
import org.dmaemu.hardware.Bus;
import org.dmaemu.hardware.BusAttachment;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.node.metrics.RunObserver;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.output.IntervalFiles;
import org.dmaemu.node.output.MetricsSampler;
import org.dmaemu.node.run.PowerSchedule;
import org.dmaemu.node.trace.TraceWriter;
import org.dmaemu.node.workload.DevicePlan;
import org.dmaemu.node.workload.DmaIoPlan;
import org.dmaemu.node.workload.Workload;
import org.dmaemu.protocol.hardware.BusMessage;
import org.dmaemu.time.NodeClock;
import org.dmaemu.time.Seeds;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.VerifierSettings;

/**
 * A scenario's devices as a run's {@link Workload}: device {@code nic-0003} is the third device of
 * group {@code nic}; every device of a group has the group's driver, enabler, engine and workload.
 * {@link #prepare} spawns what the groups share — the adapter domains, the buses, the metrics
 * sampler — before the first device starts; the plans of the prepared workload refer to them.
 * Every device of the scenario runs at once, so that they contend.
 */
public final class ScenarioWorkload implements Workload {

  private final Scenario scenario;
  private final Path runDir;
  private final int[] firstOrdinal;
  private final int devices;
  private final ScenarioMetrics metrics;
  /** Faults injected into this run while it runs, on this node ({@code dmaemu inject}). */
  private final LiveFaults live;
  private final Map<String, DevicePlan> plans;
  /** The shared adapter domains the plans use, by name; empty before {@link #prepare}. */
  private final Map<String, AdapterDomain> domains;
  private ActorRef<MetricsSampler.Command> sampler;
  /** Set on the workload the run was given once {@link #prepare} ran: the one the devices use. */
  private volatile ScenarioWorkload prepared;

  /** @param runDir where the interval files go */
  public ScenarioWorkload(Scenario scenario, Path runDir) {
    this(scenario, runDir, null, Map.of(), null, new LiveFaults());
  }

  private ScenarioWorkload(
      Scenario scenario, Path runDir, Map<String, DevicePlan> plans, Map<String, AdapterDomain> domains,
      ScenarioMetrics metrics, LiveFaults live) {
    this.live = live;
    this.scenario = scenario;
    this.runDir = runDir;
    this.plans = plans;
    this.domains = Map.copyOf(domains);
    this.metrics = metrics;
    this.firstOrdinal = new int[scenario.groups().size() + 1];
    int n = 0;
    for (int g = 0; g < scenario.groups().size(); g++) {
      firstOrdinal[g] = n + 1;
      n += scenario.groups().get(g).count();
    }
    firstOrdinal[scenario.groups().size()] = n + 1;
    this.devices = n;
  }

  private static ScenarioMetrics newMetrics(Scenario scenario, NodeClock clock) {
    List<String> names = new ArrayList<>();
    for (GroupSpec g : scenario.groups()) {
      names.add(g.name());
    }
    return new ScenarioMetrics(
        names, ScenarioWorkload::groupOf, clock::nowMicros, scenario.run().warmUp().toNanos() / 1000);
  }

  /** The group of a device id: everything before the last dash. */
  public static String groupOf(String deviceId) {
    int dash = deviceId.lastIndexOf('-');
    return dash < 0 ? deviceId : deviceId.substring(0, dash);
  }

  public int devices() {
    return devices;
  }

  /**
   * Where faults injected into the running run go on this node: the devices planned by this
   * workload see them (on the prepared workload).
   */
  public LiveFaults liveFaults() {
    return live;
  }

  /** The metrics, on the prepared workload. */
  public ScenarioMetrics metrics() {
    return metrics;
  }

  /** The sampler, once {@link #prepare} ran (on the prepared workload). */
  public ScenarioWorkload prepared() {
    return prepared;
  }

  public ActorRef<MetricsSampler.Command> sampler() {
    return sampler;
  }

  @Override
  public String deviceId(int ordinal) {
    int g = 0;
    while (ordinal >= firstOrdinal[g + 1]) {
      g++;
    }
    return String.format(Locale.ROOT, "%s-%04d", scenario.groups().get(g).name(), ordinal - firstOrdinal[g] + 1);
  }

  @Override
  public ScenarioWorkload prepare(ActorContext<?> guardian, TraceSink trace) {
    long seed = scenario.run().seed();
    // The clock starts on first use: here, before any device, so that modeled time 0 is the run's start.
    NodeClock clock = NodeClock.get(guardian.getSystem());
    ScenarioMetrics metrics = newMetrics(scenario, clock);
    metrics.traceTo(trace);
    Map<String, AdapterDomain> domains = new HashMap<>();
    for (AdapterDomainSpec d : scenario.topology().adapterDomains()) {
      domains.put(d.name(), spawnDomain(guardian, d, seed, metrics, trace));
    }
    Map<String, BusAttachment> buses = new HashMap<>();
    for (BusSpec b : scenario.topology().buses()) {
      buses.put(b.name(), new BusAttachment(b.name(), guardian.spawn(bus(b, seed, metrics), "bus-" + b.name())));
    }
    ScenarioWorkload prepared = withShared(scenario, runDir, domains, buses, metrics);
    this.prepared = prepared;
    try {
      IntervalFiles files = new IntervalFiles(runDir, clock.nowMicros());
      prepared.sampler = guardian.spawn(
          MetricsSampler.create(metrics, files, clock.toReal(scenario.run().interval())),
          "metrics-sampler",
          TraceWriter.dispatcher());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the interval metrics in " + runDir, e);
    }
    return prepared;
  }

  /**
   * A shared adapter domain's lock and pool, as children of {@code context}; lotteries draw from
   * (seed, domain). Their crashes and rebuilds are traced to {@code trace}.
   */
  public static AdapterDomain spawnDomain(
      ActorContext<?> context, AdapterDomainSpec d, long seed, DmaObserver observer, TraceSink trace) {
    return AdapterDomain.spawn(
        context,
        d.name(),
        d.mapRegisters(),
        ArbitrationPolicy.named(d.lockPolicy(), Seeds.derive(seed, d.name(), LOCK_STREAM)),
        ArbitrationPolicy.named(d.policy(), Seeds.derive(seed, d.name(), REGISTER_STREAM)),
        observer,
        trace,
        ArbiterRecovery.defaults());
  }

  @Override
  public Optional<AdapterDomain> adapterDomain(String name) {
    return Optional.ofNullable(domains.get(name));
  }

  /** A shared bus's behaviour; a lottery draws from (seed, bus). */
  public static Behavior<BusMessage> bus(BusSpec b, long seed, DmaObserver observer) {
    return Bus.create(b.name(), b.bytesPerMicrosecond(), b.header(),
        ArbitrationPolicy.named(b.policy(), Seeds.derive(seed, b.name(), BUS_STREAM)), observer);
  }

  /**
   * The workload whose plans use these shared actors, wherever they run (a cluster run hands every
   * node the domains and buses that live on whichever node holds them), reporting to {@code metrics}.
   *
   * @param domains every adapter domain of the scenario, by name
   * @param buses every bus of the scenario, by name
   */
  public static ScenarioWorkload withShared(
      Scenario scenario, Path runDir, Map<String, AdapterDomain> domains, Map<String, BusAttachment> buses,
      ScenarioMetrics metrics) {
    ScenarioWorkload unplanned = new ScenarioWorkload(scenario, runDir);
    Map<String, DevicePlan> byGroup = new HashMap<>();
    for (GroupSpec g : scenario.groups()) {
      byGroup.put(g.name(), unplanned.plan(g, domains, buses));
    }
    return new ScenarioWorkload(scenario, runDir, byGroup, domains, metrics, unplanned.live);
  }

  /** A node's metrics of this scenario's groups, on {@code clock}. */
  public static ScenarioMetrics metricsOn(Scenario scenario, NodeClock clock) {
    return newMetrics(scenario, clock);
  }

  private DevicePlan plan(GroupSpec g, Map<String, AdapterDomain> domains, Map<String, BusAttachment> buses) {
    RunSpec run = scenario.run();
    TopologySpec topology = scenario.topology();
    HardwareSettings engine = g.bus() == null ? g.engine() : g.engine().withBus(buses.get(g.bus()));
    ArbitrationSettings arbitration = new ArbitrationSettings(
        // A group on a shared domain has no policies of its own: the domain's apply.
        g.name(), g.priority(), g.weight(), orFifo(g.lockPolicy()), orFifo(g.registerPolicy()), run.seed(),
        g.adapterDomain() == null ? null : domains.get(g.adapterDomain()));
    DeviceSettings settings =
        new DeviceSettings(
            new PlatformSettings(topology.pageSize(), topology.mapRegisterLimit(), PlatformSettings.defaults().architecture()),
            g.kmdfMinorVersion(),
            g.interrupts(),
            DeviceSettings.allDeviceCallbacks(),
            run.callbackDeadline(),
            new VerifierSettings(true, topology.onViolation()),
            engine,
            arbitration,
            new FaultPlan(scenario.faults(), run.seed(), live));
    return DevicePlan.dmaIo(
        settings, new DmaIoPlan(g.name(), g.driver(), g.enabler(), g.transactions(), g.workload(), g.reservedRegisters()));
  }

  private static String orFifo(String policy) {
    return policy == null ? "fifo" : policy;
  }

  @Override
  public DevicePlan plan(long runSeed, String deviceId) {
    if (plans == null) {
      throw new IllegalStateException("a scenario's devices are planned once its shared actors exist (prepare)");
    }
    return plans.get(groupOf(deviceId));
  }

  /**
   * The {@code power} section for one device: cycles during I/O when {@code every} > 0, and a
   * surprise removal for the share of devices whose draw from their own stream (seed, device id)
   * falls below the fraction.
   */
  @Override
  public PowerSchedule powerSchedule(long runSeed, String deviceId) {
    PowerSpec power = scenario.power();
    Duration surprise = null;
    String surpriseFault = null;
    if (power.surpriseRemovalFraction() > 0
        && new SplittableRandom(Seeds.derive(runSeed, deviceId, SURPRISE_STREAM)).nextDouble()
            < power.surpriseRemovalFraction()) {
      surprise = power.surpriseRemovalAfter();
    }
    // The plan's device events: the earliest surprise removal wins; every power cycle is added.
    FaultPlan plan = scenario.faultPlan();
    List<PowerSchedule.FaultCycle> cycles = new ArrayList<>();
    for (Fault.DeviceEvent e : plan.ofType(Fault.DeviceEvent.class)) {
      if (!plan.selects(e, deviceId, groupOf(deviceId))) {
        continue;
      }
      if (e.kind() == Fault.DeviceEventKind.POWER_CYCLE) {
        cycles.add(new PowerSchedule.FaultCycle(e.at(), e.id()));
      } else if (surprise == null || e.at().compareTo(surprise) < 0) {
        surprise = e.at();
        surpriseFault = e.id();
      }
    }
    return new PowerSchedule(power.cycles() > 0 ? power.every() : Duration.ZERO, surprise, surpriseFault, cycles);
  }

  @Override
  public boolean faultEndsRequests(String faultId) {
    for (Fault f : scenario.faults()) {
      if (f.id().equals(faultId)) {
        return f.endsRequests();
      }
    }
    Fault injected = live.byId(faultId);
    return injected == null || injected.endsRequests();
  }

  @Override
  public List<CallbackRule> faultRules(long runSeed, String deviceId) {
    return scenario.faultPlan().callbackRules(deviceId, groupOf(deviceId));
  }

  @Override
  public List<CallbackRule> driverRules() {
    // Scenario drivers answer every callback with success; fault plans come with fault injection.
    return List.of();
  }

  @Override
  public int devicesInFlight() {
    return devices;
  }

  @Override
  public RunObserver observer() {
    return metrics;
  }

  // Purposes of the arbiters' random streams (lottery policies).
  private static final long LOCK_STREAM = 0x4C_4F_43_4BL;
  private static final long REGISTER_STREAM = 0x52_45_47_53L;
  private static final long BUS_STREAM = 0x42_55_53L;
  // "SURP": whether a device is surprise-removed.
  private static final long SURPRISE_STREAM = 0x53_55_52_50L;
}
