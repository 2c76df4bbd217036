package org.dmaemu.bench;

import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.node.run.RunHandle;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.workload.DevicePlan;
import org.dmaemu.node.workload.Workload;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;

/**
 * Power-up of many devices on one JVM: each device is added (EvtDriverDeviceAdd creates its
 * enablers) and started (PrepareHardware and the D0-entry path of reference §2.1) by the same PnP
 * manager as {@code dmaemu run}, then left idle in D0. Reports wall time, callbacks per second and
 * the heap each idle device keeps with its driver and enablers.
 *
 * <p>Usage: {@code java -Xms4g -Xmx4g -XX:+UseParallelGC -jar benchmarks/target/dmaemu-benchmarks.jar
 * [devices] [enablers]} (defaults 100000 and 2). Not a test: see docs/performance.md.
 */
public final class PowerUpBenchmark {
  private PowerUpBenchmark() {}

  /** Every device alike: {@code enablers} enablers (SG64 and Packet alternating, 64 KiB), one interrupt, no failures. */
  record Uniform(DevicePlan plan) implements Workload {
    static Uniform of(int enablers) {
      List<DmaEnablerConfig> configs = new ArrayList<>();
      for (int i = 0; i < enablers; i++) {
        DmaProfile profile = i % 2 == 0 ? DmaProfile.SCATTER_GATHER64 : DmaProfile.PACKET;
        configs.add(DmaEnablerConfig.init(profile, 65536).withAllCallbacks());
      }
      return new Uniform(new DevicePlan(DeviceSettings.defaults(), configs));
    }

    @Override
    public DevicePlan plan(long runSeed, String deviceId) {
      return plan;
    }

    @Override
    public List<CallbackRule> driverRules() {
      return List.of();
    }
  }

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int enablers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    long before = usedHeapAfterGc(memory);
    RunHandle run =
        PowerCycleRun.start(
            PowerCycleRun.Options.defaults().withDevices(devices).withStopAfterStart(true),
            Uniform.of(enablers),
            ConfigFactory.load());
    RunSummary summary = run.summary().toCompletableFuture().get(30, TimeUnit.MINUTES);
    long after = usedHeapAfterGc(memory);
    run.terminate().toCompletableFuture().get(5, TimeUnit.MINUTES);

    double seconds = summary.wallTime().toNanos() / 1e9;
    System.out.printf(Locale.ROOT, "devices                 %d x %d enablers, %d reached D0, %d unaccounted%n",
        devices, enablers, summary.reachedD0(), summary.unaccounted());
    System.out.printf(Locale.ROOT, "power-up wall time      %.2f s (AddDevice + StartDevice, all devices)%n", seconds);
    System.out.printf(Locale.ROOT, "callbacks delivered     %d (%.1f per device)%n",
        summary.callbacks(), (double) summary.callbacks() / devices);
    System.out.printf(Locale.ROOT, "callbacks per second    %.0f%n", summary.callbacks() / seconds);
    System.out.printf(Locale.ROOT, "heap per idle device    %.0f bytes (device, driver model and %d enablers; used heap %d -> %d MB)%n",
        (double) (after - before) / devices, enablers, before >> 20, after >> 20);
  }

  /** Used heap after full collections; the smallest of a few readings. */
  static long usedHeapAfterGc(MemoryMXBean memory) {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
