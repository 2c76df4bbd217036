package org.dmaemu.node.scenario;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.fault.Fault;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaEnablerConfigFlags;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerCallback;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.workload.ArrivalPattern;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.workload.SizeDistribution;

/**
 * Reads a resolved scenario object into a {@link Scenario}: every key's type, unit and range, then
 * the rules that tie keys together (driver and profile, reservation, pattern and distribution keys,
 * names that must exist). Problems go to the {@link ProblemLog}; the scenario is built only when
 * there is none.
 */
final class ScenarioReader {

  static final List<String> ROOT = List.of("run", "topology", "workloads", "power", "faults");
  static final List<String> RUN = List.of(
      "name", "seed", "requests", "duration", "warm-up", "time-scale", "interval", "callback-deadline", "output",
      "trace");
  static final List<String> TOPOLOGY =
      List.of("page-size", "map-register-limit", "verifier", "adapter-domains", "buses", "groups");
  static final List<String> VERIFIER = List.of("on-violation");
  static final List<String> DOMAIN = List.of("map-registers", "policy", "lock-policy");
  static final List<String> BUS = List.of("bandwidth", "header", "policy");
  static final List<String> GROUP = List.of(
      "count", "driver", "transactions", "reserved-registers", "priority", "weight", "adapter-domain", "bus",
      "policies", "interrupts", "kmdf-version", "enabler", "engine");
  static final List<String> POLICIES = List.of("adapter-lock", "map-registers");
  static final List<String> ENABLER = List.of(
      "profile", "maximum-length", "wdm-dma-version-override", "address-width-override", "flags", "callbacks");
  static final List<String> ENGINE = List.of("channels", "bandwidth", "latency");
  static final List<String> WORKLOAD = List.of("pattern", "outstanding", "rate", "on", "off", "read-fraction", "size");
  static final List<String> SIZE = List.of("distribution", "bytes", "min", "max", "median", "sigma", "table");
  static final List<String> TABLE_ENTRY = List.of("bytes", "weight");
  static final List<String> POWER = List.of("cycles", "every", "surprise-removal");
  static final List<String> SURPRISE_REMOVAL = List.of("fraction", "after");

  static final String PER_ENABLER = "per-enabler";
  static final String NO_BUS = "none";

  static final int DEFAULT_REQUESTS = 100;
  static final long MAX_DEVICES = 1_000_000;
  static final int MAX_TRANSACTIONS = 256;
  // MSI-X allows 2048 vectors per function.
  static final int MAX_INTERRUPTS = 2048;
  static final int MAX_KMDF_MINOR = 35;
  static final int MAX_CHANNELS = 64;
  static final long MAX_MAXIMUM_LENGTH = 0xFFFF_FFFFL;
  static final Duration MAX_ENGINE_LATENCY = Duration.ofDays(1);

  static final Map<String, DmaIoDriver.Mode> DRIVERS = kebabNames(DmaIoDriver.Mode.values());
  static final Map<String, DmaProfile> PROFILES = kebabNames(validProfiles());
  static final Map<String, OnViolation> ON_VIOLATION = kebabNames(OnViolation.values());
  static final Map<String, EnablerCallback> CALLBACKS = kebabNames(EnablerCallback.values());
  static final Map<String, Integer> FLAGS = Map.of(
      "no-sglist-preallocation", DmaEnablerConfigFlags.NO_SGLIST_PREALLOCATION,
      "require-single-transfer", DmaEnablerConfigFlags.REQUIRE_SINGLE_TRANSFER);
  static final List<String> PATTERNS = List.of("closed", "open", "on-off");
  static final List<String> DISTRIBUTIONS = List.of("fixed", "uniform", "lognormal", "empirical");

  /** The patterns each pattern-specific workload key belongs to. */
  private static final Map<String, List<String>> PATTERN_KEYS = Map.of(
      "outstanding", List.of("closed"),
      "rate", List.of("open", "on-off"),
      "on", List.of("on-off"),
      "off", List.of("on-off"));

  /** The distributions each distribution-specific size key belongs to. */
  private static final Map<String, List<String>> DISTRIBUTION_KEYS = Map.of(
      "bytes", List.of("fixed"),
      "min", List.of("uniform", "lognormal"),
      "max", List.of("uniform", "lognormal"),
      "median", List.of("lognormal"),
      "sigma", List.of("lognormal"),
      "table", List.of("empirical"));

  private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern KMDF_VERSION = Pattern.compile("1\\.([0-9]{1,2})");

  private final ProblemLog log;
  private final ConfigObject root;
  private final String defaultName;

  ScenarioReader(ProblemLog log, ConfigObject root, String defaultName) {
    this.log = log;
    this.root = root;
    this.defaultName = defaultName;
  }

  /** The scenario, or {@code null} when the log holds problems. */
  Scenario read(Path source) {
    Section top = Section.root(log, root, ROOT);
    top.rejectUnknownKeys();

    Run run = readRun(top.section("run", RUN));
    Section topologySection = top.section("topology", TOPOLOGY);
    Topology topology = readTopology(topologySection);
    Section workloads = top.section("workloads", List.of());
    List<GroupSpec> groups = readGroups(topology, workloads, run);
    for (String name : workloads.keys()) {
      if (!topology.groups().keys().contains(name)) {
        workloads.problem(name, "no group named " + name + " in topology.groups"
            + (topology.groupNames().isEmpty() ? "" : " (groups: " + String.join(", ", topology.groupNames()) + ")"));
      }
    }
    PowerSpec power = readPower(top.section("power", POWER));
    List<Fault> faults = new FaultReader(groups, topology.domains().keySet())
        .read(top.objectList("faults", FaultReader.vocabulary()));
    if (!log.isEmpty()) {
      return null;
    }
    String name = run.name() == null ? defaultName : run.name();
    return new Scenario(name, source, run.spec(), topology.spec(), groups, power, faults);
  }

  // ---- run

  private record Run(String name, RunSpec spec) {}

  private Run readRun(Section s) {
    String name = s.string("name", null, null);
    if (name != null && !RUN_NAME.matcher(name).matches()) {
      s.problem("name", "names the run directory: letters, digits, '.', '_' and '-', starting with a letter or digit");
      name = null;
    }
    long seed = s.whole("seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE, null);
    long requests = s.whole("requests", 0L, 1, Long.MAX_VALUE, null);
    Duration duration = s.duration("duration", null, true);
    if (requests == 0 && duration == null) {
      // Neither given (or neither valid, already reported): the default count.
      requests = DEFAULT_REQUESTS;
    }
    Duration warmUp = s.duration("warm-up", Duration.ZERO, false);
    if (duration != null && warmUp.compareTo(duration) >= 0) {
      s.problem("warm-up", "must be shorter than run.duration (" + Units.duration(duration) + ")");
    }
    double timeScale = s.decimal("time-scale", 1.0, 0, true, Double.MAX_VALUE);
    Duration interval = s.duration("interval", Duration.ofMillis(100), true);
    Duration deadline = s.duration("callback-deadline", Duration.ofSeconds(1), true);
    String outputText = s.string("output", "runs", null);
    Path output = Path.of("runs");
    if (outputText != null && outputText.isBlank()) {
      s.problem("output", "must name a directory");
    } else if (outputText != null) {
      try {
        output = Path.of(outputText);
      } catch (InvalidPathException e) {
        s.problem("output", "is not a path on this system");
      }
    }
    boolean trace = s.bool("trace", true);
    s.rejectUnknownKeys();
    return new Run(name, new RunSpec(seed, requests, duration, warmUp, timeScale, interval, deadline, output, trace));
  }

  // ---- topology

  /** What the groups need of the topology; {@code groupNames}: the valid names among {@code groups}' keys. */
  private record Topology(
      int pageSize, int mapRegisterLimit, OnViolation onViolation, Map<String, AdapterDomainSpec> domains,
      Map<String, BusSpec> buses, Section groups, List<String> groupNames) {

    TopologySpec spec() {
      return new TopologySpec(
          pageSize, mapRegisterLimit, onViolation, List.copyOf(domains.values()), List.copyOf(buses.values()));
    }
  }

  private Topology readTopology(Section s) {
    int pageSize = (int) s.bytes("page-size", 4096L, 512, 64 * Units.KIB, null);
    if (Integer.bitCount(pageSize) != 1) {
      s.problem("page-size", "must be a power of two");
      pageSize = 4096;
    }
    int limit = s.integer("map-register-limit", 256, 2, Integer.MAX_VALUE);
    Section verifier = s.section("verifier", VERIFIER);
    OnViolation onViolation = verifier.choice("on-violation", OnViolation.CRASH_DEVICE, ON_VIOLATION);
    verifier.rejectUnknownKeys();

    Map<String, AdapterDomainSpec> domains = new LinkedHashMap<>();
    Section domainsSection = s.section("adapter-domains", List.of());
    for (String name : domainsSection.keys()) {
      if (checkName(domainsSection, name, "an adapter-domain", PER_ENABLER)) {
        Section d = domainsSection.section(name, DOMAIN);
        int registers = d.integer("map-registers", null, 1, Integer.MAX_VALUE,
            "missing: how many map registers the domain's pool has");
        String policy = d.oneOf("policy", "fifo", ScenarioLoader.POLICIES);
        String lockPolicy = d.oneOf("lock-policy", "fifo", ScenarioLoader.POLICIES);
        d.rejectUnknownKeys();
        domains.put(name, new AdapterDomainSpec(name, registers, policy, lockPolicy));
      }
    }
    Map<String, BusSpec> buses = new LinkedHashMap<>();
    Section busesSection = s.section("buses", List.of());
    for (String name : busesSection.keys()) {
      if (checkName(busesSection, name, "a bus", NO_BUS)) {
        Section b = busesSection.section(name, BUS);
        double bandwidth = b.bandwidth("bandwidth", null, "missing: the bus's bandwidth, e.g. \"4 GB/s\"");
        Duration header = b.duration("header", Duration.ZERO, false);
        String policy = b.oneOf("policy", "fifo", ScenarioLoader.POLICIES);
        b.rejectUnknownKeys();
        buses.put(name, new BusSpec(name, bandwidth, header, policy));
      }
    }
    List<String> groupNames = new ArrayList<>();
    Section groups = s.section("groups", List.of());
    if (groups.keys().isEmpty()) {
      if (groups.present()) {
        groups.problem("needs at least one group");
      } else {
        groups.problem(
            "missing: a scenario needs at least one device group, e.g. groups { nic { count = 8, driver = packet } }");
      }
    }
    for (String name : groups.keys()) {
      if (checkName(groups, name, "a group", null)) {
        groupNames.add(name);
      }
    }
    s.rejectUnknownKeys();
    return new Topology(pageSize, limit, onViolation, domains, buses, groups, List.copyOf(groupNames));
  }

  private static boolean checkName(Section parent, String name, String what, String reserved) {
    if (!Section.isName(name)) {
      parent.problem(name, what + " name must match [a-z0-9][a-z0-9-]* (got " + name + ")");
      return false;
    }
    if (name.equals(reserved)) {
      parent.problem(name, reserved + " is reserved: it means " + (reserved.equals(PER_ENABLER)
          ? "each enabler its own adapter" : "no bus") + " (got " + name + ")");
      return false;
    }
    return true;
  }

  // ---- groups

  private List<GroupSpec> readGroups(Topology t, Section workloads, Run run) {
    Section groups = t.groups();
    List<GroupSpec> specs = new ArrayList<>();
    long devices = 0;
    for (String name : t.groupNames()) {
      GroupSpec g = readGroup(name, groups.section(name, GROUP), t, workloads.section(name, WORKLOAD), run.spec());
      if (g != null) {
        specs.add(g);
        devices += g.count();
      }
    }
    if (devices > MAX_DEVICES) {
      groups.problem(
          String.format(Locale.ROOT, "the groups have %,d devices in all; at most %,d", devices, MAX_DEVICES));
    }
    return specs;
  }

  private GroupSpec readGroup(String name, Section g, Topology t, Section w, RunSpec run) {
    int problemsBefore = log.size();
    int count = g.integer("count", null, 1, (int) MAX_DEVICES, "missing: how many devices the group has");
    DmaIoDriver.Mode driver = g.choice("driver", null, DRIVERS);
    int transactions = g.integer("transactions", 1, 1, MAX_TRANSACTIONS);
    int reserved = g.integer("reserved-registers", 0, 0, Integer.MAX_VALUE);
    if (driver == DmaIoDriver.Mode.RESERVING_PACKET && reserved < 1) {
      g.problem("reserved-registers",
          "driver reserving-packet needs at least 1: the map registers each transaction reserves with"
              + " WdfDmaTransactionAllocateResources (reference §5)");
    } else if (driver != null && driver != DmaIoDriver.Mode.RESERVING_PACKET && reserved != 0) {
      g.problem("reserved-registers", "applies to driver reserving-packet only, not " + kebab(driver));
    }
    int priority = g.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
    int weight = g.integer("weight", 1, 1, Integer.MAX_VALUE);

    String domainName = g.name("adapter-domain", PER_ENABLER);
    AdapterDomainSpec domain = null;
    if (domainName != null && !domainName.equals(PER_ENABLER)) {
      domain = t.domains().get(domainName);
      if (domain == null) {
        g.problem("adapter-domain", "must be per-enabler or the name of a topology.adapter-domains entry"
            + (t.domains().isEmpty() ? " (there is none)" : " (" + String.join(", ", t.domains().keySet()) + ")"));
      }
    }
    String busName = g.name("bus", NO_BUS);
    BusSpec bus = null;
    if (busName != null && !busName.equals(NO_BUS)) {
      bus = t.buses().get(busName);
      if (bus == null) {
        g.problem("bus", "must be none or the name of a topology.buses entry"
            + (t.buses().isEmpty() ? " (there is none)" : " (" + String.join(", ", t.buses().keySet()) + ")"));
      } else if (driver == DmaIoDriver.Mode.SYSTEM) {
        // The bus model sits between a bus master's DMA engine and memory; the system DMA
        // controller that moves a system device's data is not attached to one in this version.
        g.problem("bus", "a system DMA device has no DMA engine of its own to put on a bus; use bus = none");
      }
    }
    Section policies = g.section("policies", POLICIES);
    String lockPolicy = policies.oneOf("adapter-lock", "fifo", ScenarioLoader.POLICIES);
    String registerPolicy = policies.oneOf("map-registers", "fifo", ScenarioLoader.POLICIES);
    policies.rejectUnknownKeys();
    if (domain != null && policies.present()) {
      g.problem("policies", "apply to per-enabler adapters only; this group's enablers use adapter domain "
          + domain.name() + ", whose policies are topology.adapter-domains." + domain.name()
          + ".policy and lock-policy");
    }
    int interrupts = g.integer("interrupts", 1, 1, MAX_INTERRUPTS);
    int kmdfMinor = readKmdfVersion(g);
    if (kmdfMinor < 11 && driver == DmaIoDriver.Mode.RESERVING_PACKET) {
      g.problem("driver", "reserving-packet needs KMDF 1.11 or later: WdfDmaTransactionAllocateResources came with"
          + " 1.11 (reference §5); kmdf-version is 1." + kmdfMinor);
    }

    DmaEnablerConfig enabler = readEnabler(g.section("enabler", ENABLER), driver, kmdfMinor);
    int adapterRegisters = domain != null
        ? domain.mapRegisters()
        : (int) Math.min((enabler.maximumLength() + t.pageSize() - 1) / t.pageSize() + 1, t.mapRegisterLimit());
    if (driver == DmaIoDriver.Mode.RESERVING_PACKET && reserved > adapterRegisters) {
      g.problem("reserved-registers", "must be at most " + adapterRegisters
          + ", the map registers of the group's adapter " + (domain != null ? "(adapter domain " + domain.name() + ")"
              : "(maximum-length " + Units.shown(enabler.maximumLength()) + " / page-size " + Units.shown(t.pageSize())
                  + " + 1, at most map-register-limit " + t.mapRegisterLimit() + "; reference §4.1)"));
    }
    Section engineSection = g.section("engine", ENGINE);
    HardwareSettings engine = readEngine(engineSection);
    IoWorkload workload = readWorkload(w, transactions, run);
    if (workload != null && workload.readFraction() > 0 && engine.channels() < 2) {
      engineSection.problem("channels", "must be at least 2 when the group reads (read-fraction "
          + Units.plain(workload.readFraction()) + "): the reference DMA drivers program writes on channel 0 and"
          + " reads on channel 1, as PLX9x5x uses DMA0 and DMA1 (reference §9.1)");
    }
    g.rejectUnknownKeys();
    if (log.size() != problemsBefore || workload == null) {
      return null;
    }
    return new GroupSpec(name, count, driver, transactions, reserved, priority, weight,
        domain == null ? null : domain.name(), bus == null ? null : bus.name(),
        domain == null ? lockPolicy : null, domain == null ? registerPolicy : null,
        interrupts, kmdfMinor, enabler, engine, workload);
  }

  private static int readKmdfVersion(Section g) {
    if (!g.has("kmdf-version")) {
      return 33;
    }
    ConfigValue v = g.value("kmdf-version");
    Matcher m = KMDF_VERSION.matcher(v.valueType() == ConfigValueType.STRING ? ((String) v.unwrapped()).strip() : "");
    if (!m.matches()) {
      g.problem("kmdf-version", "must be a KMDF 1.x version in quotes, e.g. \"1.33\""
          + (v.valueType() == ConfigValueType.NUMBER ? ": unquoted, 1.10 would read as the number 1.1" : ""));
      return 33;
    }
    int minor = Integer.parseInt(m.group(1));
    if (minor > MAX_KMDF_MINOR) {
      g.problem("kmdf-version", "must be at most 1." + MAX_KMDF_MINOR);
      return 33;
    }
    return minor;
  }

  // ---- enabler

  private DmaEnablerConfig readEnabler(Section e, DmaIoDriver.Mode driver, int kmdfMinor) {
    DmaProfile profile = e.choice("profile", defaultProfile(driver), PROFILES);
    if (driver != null && !fits(driver, profile)) {
      e.problem("profile", "driver " + kebab(driver) + " needs profile " + either(profilesFor(driver)));
    }
    long maximumLength = e.bytes("maximum-length", 64 * Units.KIB, 1, Long.MAX_VALUE, null);
    if (maximumLength > MAX_MAXIMUM_LENGTH) {
      e.problem("maximum-length", "must be below 4 GiB: KMDF keeps MaximumLength as a 32-bit value (reference §1.1)");
      maximumLength = 64 * Units.KIB;
    }
    int version = e.integer("wdm-dma-version-override", 0, 0, 3);
    int width = e.integer("address-width-override", 0, 0, 64);
    if (width != 0 && width < 24) {
      e.problem("address-width-override", "must be 0 (the profile's width) or between 24 and 64");
      width = 0;
    }
    int flags = 0;
    List<String> flagNames = e.strings("flags");
    if (flagNames != null) {
      for (String f : flagNames) {
        Integer bit = FLAGS.get(f);
        if (bit == null) {
          e.problem("flags", "unknown flag " + f + " (flags: no-sglist-preallocation, require-single-transfer)");
        } else {
          flags |= bit;
        }
      }
    }
    Set<EnablerCallback> callbacks = readCallbacks(e);
    e.rejectUnknownKeys();

    // §1.1: KMDF < 1.11 drivers pass the 1.9 layout; the framework fills the newer fields with 0.
    if (kmdfMinor < 11) {
      String older = "needs KMDF 1.11 or later: a KMDF 1." + kmdfMinor + " driver passes the 1.9 layout of"
          + " WDF_DMA_ENABLER_CONFIG, which has no such field (reference §1.1)";
      if (version != 0) {
        e.problem("wdm-dma-version-override", older);
      }
      if (width != 0) {
        e.problem("address-width-override", older);
      }
      if (flags != 0) {
        e.problem("flags", older);
      }
      if (profile.isSystem()) {
        e.problem("profile",
            "system profiles need KMDF 1.11 or later (reference §1.2); kmdf-version is 1." + kmdfMinor);
      }
    }
    String invalid = ": WdfDmaEnablerCreate would fail with STATUS_INVALID_PARAMETER (reference §1.1)";
    if (width != 0 && profile.isSystem()) {
      e.problem("address-width-override", "must be 0 for a system profile" + invalid);
    } else if (width > 32 && profile.is32BitOnly()) {
      e.problem("address-width-override", "must be at most 32 for the 32-bit profile " + kebab(profile) + invalid);
    }
    int required = profile.isSystem() || width != 0 ? 3 : 2;
    if (version != 0 && version < required) {
      e.problem("wdm-dma-version-override", "is below DMA v" + required + (required == 3
          ? ", which " + (profile.isSystem() ? "a system profile" : "a non-zero address-width-override") + " needs"
          : ", the default on x64") + invalid);
    }
    boolean v3 = profile.isSystem() || width != 0 || version == 3;
    if ((flags & DmaEnablerConfigFlags.REQUIRE_SINGLE_TRANSFER) != 0 && (kmdfMinor < 19 || !v3)) {
      e.problem("flags", "require-single-transfer needs KMDF 1.19 or later and DMA v3 (wdm-dma-version-override = 3):"
          + " WdfDmaEnablerCreate would fail with STATUS_INVALID_PARAMETER (reference §1.3)");
    }
    if (driver == DmaIoDriver.Mode.RESERVING_PACKET && !v3 && profile.isPacket()) {
      e.problem("wdm-dma-version-override", "driver reserving-packet needs DMA v3: set wdm-dma-version-override = 3"
          + " (reference §5: WdfDmaTransactionAllocateResources exists only with DMA v3)");
    }
    return new DmaEnablerConfig(profile, maximumLength, callbacks, width, version, flags);
  }

  private static Set<EnablerCallback> readCallbacks(Section e) {
    if (!e.has("callbacks")) {
      return EnumSet.allOf(EnablerCallback.class);
    }
    String known = "all, none or a list of " + String.join(", ", CALLBACKS.keySet());
    ConfigValue v = e.value("callbacks");
    if (v.valueType() == ConfigValueType.STRING) {
      String word = (String) v.unwrapped();
      if (word.equals("all")) {
        return EnumSet.allOf(EnablerCallback.class);
      }
      if (word.equals("none")) {
        return EnumSet.noneOf(EnablerCallback.class);
      }
      e.problem("callbacks", "must be " + known);
      return EnumSet.allOf(EnablerCallback.class);
    }
    List<String> names = e.strings("callbacks");
    EnumSet<EnablerCallback> callbacks = EnumSet.noneOf(EnablerCallback.class);
    if (names != null) {
      for (String n : names) {
        EnablerCallback c = CALLBACKS.get(n);
        if (c == null) {
          e.problem("callbacks", "unknown callback " + n + "; must be " + known);
        } else {
          callbacks.add(c);
        }
      }
    }
    return callbacks;
  }

  private static DmaProfile defaultProfile(DmaIoDriver.Mode driver) {
    if (driver == null) {
      return DmaProfile.PACKET64;
    }
    return switch (driver) {
      case SCATTER_GATHER -> DmaProfile.SCATTER_GATHER64;
      case PACKET, RESERVING_PACKET -> DmaProfile.PACKET64;
      case SYSTEM -> DmaProfile.SYSTEM;
    };
  }

  private static boolean fits(DmaIoDriver.Mode driver, DmaProfile profile) {
    return switch (driver) {
      case SCATTER_GATHER -> profile.isScatterGather();
      case PACKET, RESERVING_PACKET -> profile.isPacket();
      case SYSTEM -> profile.isSystem();
    };
  }

  private static List<String> profilesFor(DmaIoDriver.Mode driver) {
    List<String> names = new ArrayList<>();
    PROFILES.forEach((name, p) -> {
      if (fits(driver, p)) {
        names.add(name);
      }
    });
    return names;
  }

  // ---- engine

  private static HardwareSettings readEngine(Section e) {
    int channels = e.integer("channels", 2, 1, MAX_CHANNELS);
    double bandwidth = e.bandwidth("bandwidth", 1000.0, null);
    Duration latency = e.duration("latency", Duration.ofNanos(2_000), false);
    if (latency.compareTo(MAX_ENGINE_LATENCY) > 0) {
      e.problem("latency", "must be at most 1d");
      latency = Duration.ofNanos(2_000);
    }
    e.rejectUnknownKeys();
    return new HardwareSettings(channels, bandwidth, latency, 0, null);
  }

  // ---- workload

  private IoWorkload readWorkload(Section w, int transactions, RunSpec run) {
    int problemsBefore = log.size();
    String pattern = w.oneOf("pattern", "closed", PATTERNS);
    if (w.isOneOf("pattern", PATTERNS)) {
      forbidOthers(w, pattern, PATTERN_KEYS, "pattern");
    }
    ArrivalPattern arrivals;
    switch (pattern) {
      case "open" -> arrivals = new ArrivalPattern.Open(w.decimal("rate", 1000, 0, true, Double.MAX_VALUE));
      case "on-off" -> {
        double rate = w.decimal("rate", 1000, 0, true, Double.MAX_VALUE);
        Duration on = w.duration("on", Duration.ofMillis(10), true);
        Duration off = w.duration("off", Duration.ofMillis(40), false);
        arrivals = new ArrivalPattern.OnOff(rate, on, off);
      }
      default -> {
        int outstanding = w.integer("outstanding", transactions, 1, MAX_TRANSACTIONS);
        if (outstanding > transactions) {
          w.problem("outstanding", "must be at most the group's transactions (" + transactions + ")");
          outstanding = transactions;
        }
        arrivals = new ArrivalPattern.Closed(outstanding);
      }
    }
    double readFraction = w.decimal("read-fraction", 0.5, 0, false, 1);
    SizeDistribution sizes = readSizes(w.section("size", SIZE));
    w.rejectUnknownKeys();
    if (log.size() != problemsBefore) {
      return null;
    }
    return new IoWorkload(arrivals, sizes, readFraction, run.requests(), run.duration());
  }

  private SizeDistribution readSizes(Section s) {
    int problemsBefore = log.size();
    String distribution = s.oneOf("distribution", "fixed", DISTRIBUTIONS);
    if (s.isOneOf("distribution", DISTRIBUTIONS)) {
      forbidOthers(s, distribution, DISTRIBUTION_KEYS, "distribution");
    }
    SizeDistribution sizes;
    switch (distribution) {
      case "uniform" -> {
        long min = s.bytes("min", null, 1, Long.MAX_VALUE, "missing: the smallest request of the uniform distribution");
        long max = s.bytes("max", null, 1, Long.MAX_VALUE, "missing: the largest request of the uniform distribution");
        if (s.has("min") && s.has("max") && max < min) {
          s.problem("max", "must be at least min (" + s.shown("min") + ")");
        }
        sizes = log.size() == problemsBefore ? new SizeDistribution.Uniform(min, max) : null;
      }
      case "lognormal" -> {
        long median =
            s.bytes("median", null, 1, Long.MAX_VALUE, "missing: the median request of the lognormal distribution");
        double sigma = s.decimal("sigma", 1.0, 0, false, Double.MAX_VALUE);
        long min = s.bytes("min", 1L, 1, Long.MAX_VALUE, null);
        long max = s.bytes("max", 16 * Units.MIB, 1, Long.MAX_VALUE, null);
        if (max < min) {
          s.problem("max", "must be at least min (" + Units.shown(min) + ")");
        } else if (median < min || median > max) {
          s.problem("median", "must lie between min (" + Units.shown(min) + ") and max (" + Units.shown(max) + ")");
        }
        sizes = log.size() == problemsBefore ? new SizeDistribution.LogNormal(median, sigma, min, max) : null;
      }
      case "empirical" -> {
        if (!s.has("table")) {
          s.missing("table",
              "missing: the size table, e.g. [ { bytes = 4 KiB, weight = 3 }, { bytes = 64 KiB, weight = 1 } ]");
        }
        List<SizeDistribution.Empirical.Entry> entries = new ArrayList<>();
        List<Section> rows = s.objectList("table", TABLE_ENTRY);
        if (s.has("table") && rows.isEmpty() && log.size() == problemsBefore) {
          s.problem("table", "needs at least one { bytes = ..., weight = ... }");
        }
        for (Section row : rows) {
          long bytes = row.bytes("bytes", null, 1, Long.MAX_VALUE, "missing: the size of this row");
          double weight = row.decimal("weight", 1, 0, true, Double.MAX_VALUE);
          row.rejectUnknownKeys();
          entries.add(new SizeDistribution.Empirical.Entry(bytes, weight));
        }
        sizes = log.size() == problemsBefore ? new SizeDistribution.Empirical(entries) : null;
      }
      default -> sizes = new SizeDistribution.Fixed(s.bytes("bytes", 4 * Units.KIB, 1, Long.MAX_VALUE, null));
    }
    s.rejectUnknownKeys();
    return sizes;
  }

  /** Keys that belong to another pattern (or distribution) than the chosen one. */
  private static void forbidOthers(Section s, String chosen, Map<String, List<String>> owners, String what) {
    for (String key : s.keys()) {
      List<String> belongs = owners.get(key);
      if (belongs != null && !belongs.contains(chosen)) {
        s.problem(key, "applies to " + what + (belongs.size() > 1 ? "s " : " ") + String.join(" and ", belongs)
            + ", not " + chosen);
      }
    }
  }

  // ---- power

  private static PowerSpec readPower(Section p) {
    int cycles = p.integer("cycles", 0, 0, Integer.MAX_VALUE);
    Duration every = p.duration("every", Duration.ZERO, false);
    Section removal = p.section("surprise-removal", SURPRISE_REMOVAL);
    double fraction = removal.decimal("fraction", 0.0, 0, false, 1);
    Duration after = removal.duration("after", Duration.ofMillis(100), false);
    removal.rejectUnknownKeys();
    p.rejectUnknownKeys();
    return new PowerSpec(cycles, every, fraction, after);
  }

  // ---- names

  /** {@code a}, {@code a or b}, {@code a, b or c}. */
  static String either(List<String> names) {
    if (names.size() <= 1) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
  }

  /** {@code SCATTER_GATHER64_DUPLEX} → {@code scatter-gather64-duplex}. */
  static String kebab(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static <E extends Enum<E>> Map<String, E> kebabNames(E[] values) {
    Map<String, E> names = new LinkedHashMap<>();
    for (E e : values) {
      names.put(kebab(e), e);
    }
    return names;
  }

  private static DmaProfile[] validProfiles() {
    return EnumSet.complementOf(EnumSet.of(DmaProfile.INVALID)).toArray(DmaProfile[]::new);
  }
}
