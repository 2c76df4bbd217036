package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The files under src/test/resources/scenarios/bad: each has exactly one problem, found at the
 * expected line and key path with the expected words; several-problems.conf has them all, in line order.
 */
class ScenarioBadFilesTest {

  /** file, line, key path, a fragment of the message. */
  static Stream<Arguments> badFiles() {
    return Stream.of(
        bad("unknown-top-level-key.conf", 2, "runn", "unknown key; did you mean run?"),
        bad("faults-not-a-list.conf", 3, "faults", "must be a list [ ... ]"),
        bad("fault-unknown-type.conf", 4, "faults[0].type", "must be one of callback-failure, callback-hang, lost-interrupt"),
        bad("fault-unknown-callback.conf", 5, "faults[0].callback", "must name a KMDF callback the emulator delivers"),
        bad("fault-void-callback-failure.conf", 5, "faults[0].callback",
            "EvtReserveDma returns nothing (VOID): a failure cannot be returned from it; use callback-hang"),
        bad("fault-callback-never-delivered.conf", 5, "faults[0].callback",
            "EvtDmaTransactionConfigureDmaChannel reaches no device this fault selects (nic: packet): no reference"
                + " driver registers it; callbacks that can be hung there: EvtDriverDeviceAdd,"),
        bad("fault-probability-above-one.conf", 4, "faults[0].probability", "(got 1.5)"),
        bad("fault-key-of-other-type.conf", 5, "faults[0].probability", "does not apply to a surprise-removal fault"),
        bad("fault-duplicate-id.conf", 5, "faults[1].id", "is the id of an earlier fault"),
        bad("fault-unknown-device.conf", 4, "faults[0].devices", "no device nic-0009 in this scenario"),
        bad("fault-delay-missing.conf", 4, "faults[0].delay", "missing: how long a delayed message waits"),
        bad("fault-window-reversed.conf", 5, "faults[0].until", "must be later than from (20ms)"),
        bad("fault-unknown-domain.conf", 4, "faults[0].adapter-domain", "no adapter domain named iommu"),
        bad("unknown-group-key.conf", 7, "topology.groups.nic.transaction", "unknown key; did you mean transactions?"),
        bad("count-zero.conf", 5, "topology.groups.nic.count", "must be at least 1 (got 0)"),
        bad("count-missing.conf", 4, "topology.groups.nic.count", "missing: how many devices"),
        bad("count-not-a-number.conf", 3, "topology.groups.nic.count", "must be a whole number (got eight)"),
        bad("driver-unknown.conf", 4, "topology.groups.nic.driver",
            "must be one of scatter-gather, packet, reserving-packet, system (got busmaster)"),
        bad("profile-does-not-fit-driver.conf", 6, "topology.groups.nic.enabler.profile",
            "driver scatter-gather needs profile scatter-gather, scatter-gather64, scatter-gather-duplex or"
                + " scatter-gather64-duplex (got packet64)"),
        bad("reserving-without-dma-v3.conf", 6, "topology.groups.disk.enabler.wdm-dma-version-override",
            "driver reserving-packet needs DMA v3: set wdm-dma-version-override = 3 (reference §5"),
        bad("reserving-without-registers.conf", 2, "topology.groups.disk.reserved-registers",
            "driver reserving-packet needs at least 1"),
        bad("reserved-registers-on-packet.conf", 5, "topology.groups.disk.reserved-registers",
            "applies to driver reserving-packet only, not packet (got 4)"),
        bad("reserved-above-adapter.conf", 5, "topology.groups.disk.reserved-registers",
            "must be at most 5, the map registers of the group's adapter"),
        bad("outstanding-above-transactions.conf", 6, "workloads.nic.outstanding",
            "must be at most the group's transactions (4) (got 8)"),
        bad("rate-with-closed-pattern.conf", 5, "workloads.nic.rate", "applies to patterns open and on-off, not closed"),
        bad("median-with-uniform.conf", 7, "workloads.nic.size.median", "applies to distribution lognormal, not uniform"),
        bad("min-above-max.conf", 6, "workloads.nic.size.max", "must be at least min (64 KiB) (got 4 KiB)"),
        bad("warm-up-not-below-duration.conf", 4, "run.warm-up", "must be shorter than run.duration (100ms) (got 100ms)"),
        bad("unknown-adapter-domain.conf", 9, "topology.groups.nic.adapter-domain",
            "must be per-enabler or the name of a topology.adapter-domains entry (iommu) (got smmu)"),
        bad("unknown-bus.conf", 5, "topology.groups.nic.bus", "must be none or the name of a topology.buses entry"),
        bad("bus-on-system-device.conf", 5, "topology.groups.audio.bus", "a system DMA device has no DMA engine of its own"),
        bad("workload-for-unknown-group.conf", 4, "workloads.nics", "no group named nics in topology.groups (groups: nic)"),
        bad("unknown-policy.conf", 6, "topology.adapter-domains.iommu.policy",
            "must be one of fifo, priority, round-robin, weighted-fair, lottery (got lotery)"),
        bad("bandwidth-not-a-bandwidth.conf", 6, "topology.groups.nic.engine.bandwidth", "not a bandwidth"),
        bad("bandwidth-without-unit.conf", 4, "topology.buses.pcie.bandwidth", "a bandwidth is a string such as \"1 GB/s\""),
        bad("duration-wrong-type.conf", 3, "run.duration", "must be a duration such as 500us, 2ms, 1s (got true)"),
        bad("duration-without-unit.conf", 5, "topology.groups.nic.engine.latency", "a duration needs a unit"),
        bad("size-bad-unit.conf", 6, "topology.groups.nic.enabler.maximum-length", "not a size"),
        bad("page-size-not-power-of-two.conf", 3, "topology.page-size", "must be a power of two (got 3000)"),
        bad("syntax-error.conf", 6, "", "syntax error: "),
        bad("no-groups.conf", 2, "topology.groups", "missing: a scenario needs at least one device group"),
        bad("empty-file.conf", 1, "topology.groups", "missing: a scenario needs at least one device group"),
        bad("address-width-on-system-profile.conf", 7, "topology.groups.audio.enabler.address-width-override",
            "must be 0 for a system profile: WdfDmaEnablerCreate would fail with STATUS_INVALID_PARAMETER"),
        bad("version-override-below-system.conf", 7, "topology.groups.audio.enabler.wdm-dma-version-override",
            "is below DMA v3, which a system profile needs"),
        bad("single-transfer-needs-kmdf-1-19.conf", 8, "topology.groups.nic.enabler.flags",
            "require-single-transfer needs KMDF 1.19 or later and DMA v3"),
        bad("kmdf-version-unquoted.conf", 5, "topology.groups.nic.kmdf-version", "in quotes"),
        bad("group-name-not-lower-case.conf", 3, "topology.groups.NIC", "a group name must match [a-z0-9][a-z0-9-]*"),
        bad("policies-with-adapter-domain.conf", 8, "topology.groups.nic.policies",
            "apply to per-enabler adapters only; this group's enablers use adapter domain iommu"),
        bad("reads-need-two-channels.conf", 6, "topology.groups.nic.engine.channels",
            "must be at least 2 when the group reads (read-fraction 0.5)"),
        bad("time-scale-zero.conf", 3, "run.time-scale", "must be above 0 (got 0)"),
        bad("read-fraction-above-one.conf", 4, "workloads.nic.read-fraction", "must be between 0 and 1 (got 1.5)"),
        bad("empirical-empty-table.conf", 5, "workloads.nic.size.table", "needs at least one"),
        bad("unresolved-substitution.conf", 3, "", "could not resolve substitution to a value: ${run.base-seed}"),
        bad("maximum-length-4gib.conf", 5, "topology.groups.nic.enabler.maximum-length",
            "must be below 4 GiB: KMDF keeps MaximumLength as a 32-bit value"),
        bad("too-many-devices.conf", 2, "topology.groups", "the groups have 1,200,000 devices in all; at most 1,000,000"),
        bad("trace-not-a-boolean.conf", 3, "run.trace", "must be true or false"));
  }

  private static Arguments bad(String file, int line, String path, String fragment) {
    return Arguments.of(file, line, path, fragment);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void oneProblemAtTheExpectedPlace(String fileName, int line, String path, String fragment) {
    Path file = ScenarioFiles.badDir().resolve(fileName);
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(file);
    assertFalse(loaded.isValid());
    assertNull(loaded.scenario());
    assertEquals(1, loaded.problems().size(), () -> describe(loaded));
    Problem p = loaded.problems().get(0);
    assertEquals(file.toString(), p.file());
    assertEquals(line, p.line(), p::toString);
    assertEquals(path, p.path(), p::toString);
    assertTrue(p.message().contains(fragment), () -> "'" + fragment + "' not in " + p);
    // The file marks the line it expects; a file without a marker (empty-file.conf) points at line 1.
    assertEquals(markedLine(file), line, fileName + " marks another line");
  }

  @Test
  void everyBadFileIsInTheTable() throws IOException {
    Set<String> inTable = badFiles().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
    inTable.add("several-problems.conf");
    Set<String> onDisk;
    try (Stream<Path> files = Files.list(ScenarioFiles.badDir())) {
      onDisk = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(onDisk, inTable);
    assertTrue(inTable.size() >= 26, "at least 25 single-problem files and one with several");
  }

  @Test
  @DisplayName("§6 every problem of a file is reported, in line order, not only the first")
  void severalProblemsAllReportedInLineOrder() {
    Path file = ScenarioFiles.badDir().resolve("several-problems.conf");
    List<Problem> problems = ScenarioLoader.load(file).problems();
    String f = file.toString();
    assertEquals(
        List.of(
            f + ":3: run.requests: must be at least 1 (got 0)",
            f + ":4: run.time-scale: must be above 0 (got -1)",
            f + ":10: topology.groups.nic.count: must be at least 1 (got 0)",
            f + ":12: topology.groups.nic.transactions: must be at most 256 (got 300)",
            f + ":13: topology.groups.nic.enabler.profile: driver packet needs profile packet or packet64 (got scatter-gather)",
            f + ":15: topology.groups.disk.count: missing: how many devices the group has",
            f + ":19: workloads.nic.outstanding: applies to pattern closed, not open (got 2)",
            f + ":20: workloads.ssd: no group named ssd in topology.groups (groups: nic, disk)",
            f + ":22: power.cycles: must be at least 0 (got -1)",
            f + ":23: colour: unknown key (known here: run, topology, workloads, power, faults)"),
        problems.stream().map(Problem::toString).toList());
  }

  private static int markedLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("<-- problem")) {
          return i + 1;
        }
      }
      return 1;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String describe(ScenarioLoader.Loaded loaded) {
    return loaded.problems().stream().map(Problem::toString).collect(Collectors.joining("\n"));
  }
}
