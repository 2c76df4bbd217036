package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaEnablerConfigFlags;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerCallback;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.workload.ArrivalPattern;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.workload.SizeDistribution;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** What a scenario file means: defaults, units, order, and the model the runtime gets. */
class ScenarioLoaderTest {

  @TempDir Path dir;

  private Scenario valid(String name, String text) {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(ScenarioFiles.write(dir, name, text));
    assertEquals(List.of(), loaded.problems());
    return loaded.scenario();
  }

  private List<String> problems(String text) {
    return ScenarioLoader.load(ScenarioFiles.write(dir, "s.conf", text)).problems().stream()
        .map(p -> p.line() + ": " + p.path() + ": " + p.message())
        .toList();
  }

  @Test
  @DisplayName("§6 a two-key group is a whole scenario: every other key has its default")
  void minimalFileGetsEveryDefault() {
    Scenario s = valid("minimal.conf", "topology.groups.nic { count = 8, driver = packet }\n");
    Scenario expected = new Scenario(
        "minimal",
        dir.resolve("minimal.conf"),
        new RunSpec(1, 100, null, Duration.ZERO, 1.0, Duration.ofMillis(100), Duration.ofSeconds(1), Path.of("runs"), true),
        new TopologySpec(4096, 256, OnViolation.CRASH_DEVICE, List.of(), List.of()),
        List.of(new GroupSpec("nic", 8, DmaIoDriver.Mode.PACKET, 1, 0, 0, 1, null, null, "fifo", "fifo", 1, 33,
            DmaEnablerConfig.init(DmaProfile.PACKET64, 64 * 1024).withAllCallbacks(),
            HardwareSettings.defaults(),
            new IoWorkload(new ArrivalPattern.Closed(1), new SizeDistribution.Fixed(4096), 0.5, 100, null))),
        new PowerSpec(0, Duration.ZERO, 0.0, Duration.ofMillis(100)));
    assertEquals(expected, s);
  }

  @Test
  void everyKeySetExplicitly() {
    Scenario s = valid("full.conf", """
        run {
          name = "full-run", seed = -42, requests = 150, duration = 2s, warm-up = 100ms
          time-scale = 0.25, interval = 50ms, callback-deadline = 3s, output = "out/runs", trace = off
        }
        topology {
          page-size = 16 KiB
          map-register-limit = 64
          verifier { on-violation = record }
          adapter-domains { iommu { map-registers = 512, policy = weighted-fair, lock-policy = round-robin } }
          buses { pcie { bandwidth = "4 GB/s", header = 50ns, policy = lottery } }
          groups {
            nic {
              count = 3
              driver = reserving-packet
              transactions = 8
              reserved-registers = 6
              priority = -2
              weight = 5
              adapter-domain = iommu
              bus = pcie
              interrupts = 4
              kmdf-version = "1.21"
              enabler {
                profile = packet
                maximum-length = 1 MiB
                wdm-dma-version-override = 3
                address-width-override = 32
                flags = [no-sglist-preallocation]
                callbacks = [fill, self-managed-io-stop]
              }
              engine { channels = 4, bandwidth = "800 MiB/s", latency = 1500ns }
            }
          }
        }
        workloads.nic {
          pattern = on-off, rate = 250.5, on = 3ms, off = 0ms, read-fraction = 0.25
          size { distribution = lognormal, median = 8 KiB, sigma = 0.5, max = 1 MiB }
        }
        power { cycles = 2, every = 40ms, surprise-removal { fraction = 0.1, after = 250ms } }
        """);
    assertEquals("full-run", s.name());
    assertEquals(new RunSpec(-42, 150, Duration.ofSeconds(2), Duration.ofMillis(100), 0.25, Duration.ofMillis(50),
        Duration.ofSeconds(3), Path.of("out/runs"), false), s.run());
    assertEquals(new TopologySpec(16384, 64, OnViolation.RECORD,
        List.of(new AdapterDomainSpec("iommu", 512, "weighted-fair", "round-robin")),
        List.of(new BusSpec("pcie", 4000.0, Duration.ofNanos(50), "lottery"))), s.topology());
    assertEquals(new GroupSpec("nic", 3, DmaIoDriver.Mode.RESERVING_PACKET, 8, 6, -2, 5, "iommu", "pcie", null, null, 4, 21,
        new DmaEnablerConfig(DmaProfile.PACKET, 1 << 20, EnumSet.of(EnablerCallback.FILL, EnablerCallback.SELF_MANAGED_IO_STOP),
            32, 3, DmaEnablerConfigFlags.NO_SGLIST_PREALLOCATION),
        new HardwareSettings(4, 838.8608, Duration.ofNanos(1500), 0, null),
        new IoWorkload(new ArrivalPattern.OnOff(250.5, Duration.ofMillis(3), Duration.ZERO),
            new SizeDistribution.LogNormal(8192, 0.5, 1, 1 << 20), 0.25, 150, Duration.ofSeconds(2))),
        s.groups().get(0));
    assertEquals(new PowerSpec(2, Duration.ofMillis(40), 0.1, Duration.ofMillis(250)), s.power());
  }

  @Test
  @DisplayName("§6 groups, adapter domains and buses keep file order (HOCON objects are unordered); one line: by name")
  void fileOrder() {
    Scenario s = valid("order.conf", """
        topology {
          adapter-domains {
            zeta { map-registers = 1 }
            alpha { map-registers = 2 }
            mid { map-registers = 3 }
          }
          buses { z-bus { bandwidth = "1 GB/s" }, a-bus { bandwidth = "2 GB/s" } }
          groups {
            zz { count = 1, driver = packet }
            aa { count = 2, driver = packet }
            mm { count = 3, driver = packet }
            "0" { count = 4, driver = packet }
          }
        }
        """);
    assertEquals(List.of("zz", "aa", "mm", "0"), s.groups().stream().map(GroupSpec::name).toList());
    assertEquals(List.of("zeta", "alpha", "mid"), s.topology().adapterDomains().stream().map(AdapterDomainSpec::name).toList());
    assertEquals(List.of("a-bus", "z-bus"), s.topology().buses().stream().map(BusSpec::name).toList());
    assertEquals(10, s.devices());
  }

  @ParameterizedTest(name = "{0} = {1} bytes/us")
  @CsvSource(delimiter = '|', value = {
      "1 GB/s|1000", "1GB/s|1000", "800 MiB/s|838.8608", "1000000000 B/s|1000", "1.5 GB/s|1500",
      "4 KB/s|0.004", "2 GiB/s|2147.483648", "250 MB/s|250", "64 KiB/s|0.065536", "1e3 MB/s|1000"})
  void bandwidthUnits(String text, double perMicrosecond) {
    assertEquals(perMicrosecond, Units.bandwidth(ConfigValueFactory.fromAnyRef(text)), 1e-9);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"1 Gb/s", "fast", "1 GB", "-1 GB/s", "0 MB/s", "GB/s", "1 gb/s"})
  void notBandwidths(String text) {
    assertTrue(problems("topology.groups.nic { count = 1, driver = packet, engine.bandwidth = \"" + text + "\" }")
        .get(0).contains("engine.bandwidth: "));
  }

  static Stream<Arguments> sizes() {
    return Stream.of(
        Arguments.of("4096", 4096L), Arguments.of("4 KiB", 4096L), Arguments.of("64KiB", 65536L),
        Arguments.of("1 MiB", 1L << 20), Arguments.of("4K", 4096L), Arguments.of("4 kB", 4000L),
        Arguments.of("\"2 MiB\"", 2L << 20));
  }

  @ParameterizedTest(name = "maximum-length = {0}")
  @MethodSource("sizes")
  void sizeUnits(String text, long bytes) {
    Scenario s = valid("s.conf", "topology.groups.nic { count = 1, driver = packet, enabler.maximum-length = " + text + " }");
    assertEquals(bytes, s.groups().get(0).enabler().maximumLength());
  }

  @ParameterizedTest(name = "latency = {0}")
  @CsvSource(delimiter = '|', value = {"500us|500000", "2ms|2000000", "1s|1000000000", "50ns|50", "1.5ms|1500000",
      "0|0", "3 microseconds|3000"})
  void durationUnits(String text, long nanos) {
    Scenario s = valid("s.conf", "topology.groups.nic { count = 1, driver = packet, engine.latency = " + text + " }");
    assertEquals(Duration.ofNanos(nanos), s.groups().get(0).engine().latency());
  }

  @Test
  void formattedUnitsReadBackExactly() {
    for (double v : new double[] {1000, 838.8608, 0.004, 2147.483648, 1e-7, 123456.789, 1e6, 0.1 + 0.2}) {
      String text = Units.bandwidth(v);
      assertEquals(v, Units.bandwidth(ConfigValueFactory.fromAnyRef(text.replace("\"", ""))), text);
    }
    assertEquals("\"1 GB/s\"", Units.bandwidth(1000));
    for (long nanos : new long[] {0, 1, 999, 1000, 1500, 2_000_000, 1_000_000_000, 61_000_000_001L}) {
      String text = Units.duration(Duration.ofNanos(nanos));
      assertEquals(Duration.ofNanos(nanos), Units.duration(ConfigValueFactory.fromAnyRef(text)), text);
    }
    for (long b : new long[] {1, 512, 4096, 4097, 65536, 1L << 30, 3L << 30, (4L << 30) - 1}) {
      String text = Units.bytes(b);
      assertEquals(b, Units.bytes(ConfigValueFactory.fromAnyRef(text)), text);
    }
  }

  @Test
  void kmdfVersionsAndCallbackAndFlagLists() {
    Scenario s = valid("s.conf", """
        topology.groups {
          a { count = 1, driver = packet, kmdf-version = "1.9" }
          b { count = 1, driver = packet, kmdf-version = "1.10", enabler.callbacks = none }
          c {
            count = 1, driver = packet, kmdf-version = "1.19"
            enabler { wdm-dma-version-override = 3, flags = [require-single-transfer, no-sglist-preallocation] }
            enabler.callbacks = [enable, disable]
          }
        }
        """);
    assertEquals(List.of(9, 10, 19), s.groups().stream().map(GroupSpec::kmdfMinorVersion).toList());
    assertEquals(EnumSet.allOf(EnablerCallback.class), s.groups().get(0).enabler().callbacks());
    assertEquals(EnumSet.noneOf(EnablerCallback.class), s.groups().get(1).enabler().callbacks());
    assertEquals(EnumSet.of(EnablerCallback.ENABLE, EnablerCallback.DISABLE), s.groups().get(2).enabler().callbacks());
    assertEquals(3, s.groups().get(2).enabler().flags());
  }

  @Test
  void requestsAndDuration() {
    RunSpec onlyDuration = valid("a.conf", "run.duration = 1s\ntopology.groups.n { count = 1, driver = packet }").run();
    assertEquals(0, onlyDuration.requests());
    assertEquals(Duration.ofSeconds(1), onlyDuration.duration());
    RunSpec both = valid("b.conf", "run { requests = 7, duration = 1s }\ntopology.groups.n { count = 1, driver = packet }").run();
    assertEquals(7, both.requests());
    assertEquals(Duration.ofSeconds(1), both.duration());
    IoWorkload w = valid("c.conf", "run { requests = 7, duration = 1s }\ntopology.groups.n { count = 1, driver = packet }")
        .groups().get(0).workload();
    assertEquals(7, w.requests());
    assertEquals(Duration.ofSeconds(1), w.duration());
  }

  @Test
  void patternAndDistributionDefaults() {
    Scenario s = valid("s.conf", """
        topology.groups {
          a { count = 1, driver = packet, transactions = 3 }
          b { count = 1, driver = packet }
          c { count = 1, driver = packet }
          d { count = 1, driver = packet }
        }
        workloads {
          a { size { distribution = uniform, min = 1, max = 2 KiB } }
          b { pattern = open, size { distribution = lognormal, median = 4 KiB } }
          c { pattern = on-off, size { distribution = empirical, table = [ { bytes = 512 } ] } }
          d { read-fraction = 1 }
        }
        """);
    List<IoWorkload> w = s.groups().stream().map(GroupSpec::workload).toList();
    assertEquals(new ArrivalPattern.Closed(3), w.get(0).pattern());
    assertEquals(new SizeDistribution.Uniform(1, 2048), w.get(0).sizes());
    assertEquals(new ArrivalPattern.Open(1000), w.get(1).pattern());
    assertEquals(new SizeDistribution.LogNormal(4096, 1.0, 1, 16L << 20), w.get(1).sizes());
    assertEquals(new ArrivalPattern.OnOff(1000, Duration.ofMillis(10), Duration.ofMillis(40)), w.get(2).pattern());
    assertEquals(new SizeDistribution.Empirical(List.of(new SizeDistribution.Empirical.Entry(512, 1))), w.get(2).sizes());
    assertEquals(1.0, w.get(3).readFraction());
  }

  @Test
  @DisplayName("§1.2 the profile defaults to one that fits the driver")
  void profileFollowsTheDriver() {
    Scenario s = valid("s.conf", """
        topology.groups {
          sg { count = 1, driver = scatter-gather }
          p { count = 1, driver = packet }
          r { count = 1, driver = reserving-packet, reserved-registers = 1, enabler.wdm-dma-version-override = 3 }
          sys { count = 1, driver = system }
        }
        """);
    assertEquals(List.of(DmaProfile.SCATTER_GATHER64, DmaProfile.PACKET64, DmaProfile.PACKET64, DmaProfile.SYSTEM),
        s.groups().stream().map(g -> g.enabler().profile()).toList());
  }

  @Test
  @DisplayName("§5 reservation needs DMA v3: a non-zero address-width override gives it too (§1.1)")
  void addressWidthOverrideGivesDmaV3() {
    valid("s.conf", """
        topology.groups.r {
          count = 1, driver = reserving-packet, reserved-registers = 2
          enabler { profile = packet64, address-width-override = 48 }
        }
        """);
  }

  @Test
  void adapterDomainAboveThePlatformLimitIsFine() {
    Scenario s = valid("s.conf", """
        topology {
          map-register-limit = 16
          adapter-domains.big { map-registers = 4096 }
          groups.n { count = 2, driver = packet, adapter-domain = big }
        }
        """);
    assertEquals(4096, s.topology().adapterDomains().get(0).mapRegisters());
    assertEquals("big", s.groups().get(0).adapterDomain());
    assertNull(s.groups().get(0).lockPolicy());
    assertNull(s.groups().get(0).registerPolicy());
  }

  @Test
  void kmdfBeforeOneElevenHasNoOverrideFields() {
    assertEquals(
        List.of(
            "5: topology.groups.n.enabler.profile: system profiles need KMDF 1.11 or later (reference §1.2); kmdf-version is 1.9 (got system)",
            "6: topology.groups.n.enabler.wdm-dma-version-override: needs KMDF 1.11 or later: a KMDF 1.9 driver passes the"
                + " 1.9 layout of WDF_DMA_ENABLER_CONFIG, which has no such field (reference §1.1) (got 3)"),
        problems("""
            topology.groups.n {
              count = 1
              driver = system
              kmdf-version = "1.9"
              enabler.profile = system
              enabler.wdm-dma-version-override = 3
            }
            """));
  }

  @Test
  void namesAndReservedNames() {
    assertEquals(
        List.of(
            "3: topology.adapter-domains.per-enabler: per-enabler is reserved: it means each enabler its own adapter (got per-enabler)",
            "4: topology.buses.none: none is reserved: it means no bus (got none)",
            "5: topology.groups.\"a.b\": a group name must match [a-z0-9][a-z0-9-]* (got a.b)"),
        problems("""
            topology {
              groups.n { count = 1, driver = packet }
              adapter-domains.per-enabler { map-registers = 4 }
              buses.none { bandwidth = "1 GB/s" }
              groups { "a.b" { count = 1, driver = packet } }
            }
            """));
  }

  @Test
  @DisplayName("an object of the wrong type is one problem, not one per key it lacks")
  void wrongTypeObjectIsOneProblem() {
    assertEquals(List.of("1: topology.groups.nic: must be an object { ... } (got 5)"),
        problems("topology.groups.nic = 5"));
    assertEquals(List.of("1: topology: must be an object { ... } (got 3)"), problems("topology = 3"));
    assertEquals(List.of("1: topology.groups: needs at least one group"), problems("topology.groups {}"));
  }

  @Test
  void runName() {
    assertEquals(List.of("1: run.name: names the run directory: letters, digits, '.', '_' and '-', starting with a"
            + " letter or digit (got ../up)"),
        problems("run.name = \"../up\"\ntopology.groups.n { count = 1, driver = packet }"));
    assertEquals("my-scenario.v2", ScenarioLoader.defaultName(Path.of("x/my scenario.v2.conf")));
    assertEquals("scenario", ScenarioLoader.defaultName(Path.of(".conf")));
  }

  @Test
  void unreadableFiles() {
    Path missing = dir.resolve("nope.conf");
    assertEquals(List.of(new Problem(missing.toString(), 0, "", "no such file")), ScenarioLoader.load(missing).problems());
    assertEquals(List.of(new Problem(dir.toString(), 0, "", "is a directory, not a scenario file")),
        ScenarioLoader.load(dir).problems());
  }

  @Test
  void problemsInAnIncludedFileNameThatFile() {
    Path base = ScenarioFiles.write(dir, "base.conf", "# shared\ntopology.page-size = 3000\n");
    Path main = ScenarioFiles.write(dir, "main.conf", "include \"base.conf\"\ntopology.groups.n { count = 0, driver = packet }\n");
    List<Problem> problems = ScenarioLoader.load(main).problems();
    assertEquals(List.of(
            main + ":2: topology.groups.n.count: must be at least 1 (got 0)",
            base + ":2: topology.page-size: must be a power of two (got 3000)"),
        problems.stream().map(Problem::toString).toList());
  }

  @Test
  void problemFormat() {
    assertEquals("scenarios/x.conf:14: topology.groups.nic.count: must be at least 1 (got 0)",
        new Problem("scenarios/x.conf", 14, "topology.groups.nic.count", "must be at least 1 (got 0)").toString());
    assertEquals("x.conf: no such file", new Problem("x.conf", 0, "", "no such file").toString());
    assertEquals("--set run.seed=x: run.seed: must be a whole number (got x)",
        new Problem("--set run.seed=x", 0, "run.seed", "must be a whole number (got x)").toString());
  }

  @Test
  void loadedHoldsOneOrTheOther() {
    ScenarioLoader.Loaded bad = ScenarioLoader.load(dir.resolve("missing.conf"));
    assertFalse(bad.isValid());
    assertEquals(1, bad.problems().size());
  }
}
