package org.dmaemu.node.workload;

import static org.dmaemu.protocol.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static org.dmaemu.protocol.NtStatus.STATUS_INVALID_DEVICE_STATE;
import static org.dmaemu.protocol.NtStatus.STATUS_UNSUCCESSFUL;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DEVICE_D0_ENTRY;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DEVICE_D0_EXIT;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_RESTART;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DMA_ENABLER_DISABLE;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DMA_ENABLER_FILL;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DMA_ENABLER_FLUSH;
import static org.dmaemu.protocol.driver.CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_START;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.time.Seeds;
import org.dmaemu.workload.IoWorkload;

/**
 * The built-in workload of {@code dmaemu run}: a seeded mix of device kinds, each device with 1–2
 * interrupts and every power callback registered.
 *
 * <ul>
 *   <li>30% power only: 1–3 enablers of mixed profiles, the reference driver, no transfer.
 *   <li>70% DMA devices, one reference DMA driver each ({@link #DMA_KINDS}) with a DMA engine
 *       ({@link HardwareSettings#defaults()}), running 20–50 requests of 1 B–128 KiB once started:
 *       20% PLX-style scatter-gather, 15% packet on DMA v2 (three transactions contend for the
 *       device's one packet slot), 15% packet on DMA v3 (four transactions of up to five map
 *       registers contend for a five-register adapter), 10% reserving packet, 10% system DMA
 *       (a SystemDuplex enabler; the channel and all its map registers are held per transaction).
 * </ul>
 *
 * Every driver fails or hangs a small share of power callbacks ({@link #DRIVER_RULES}) and takes
 * modeled think time in D0 entry and exit, so that trace spans have width. Everything a scenario
 * file will replace is in this class.
 */
public final class DefaultWorkload implements Workload {

  /** The bus-master and system profiles a device picks its enablers from. */
  public static final List<DmaProfile> PROFILES =
      List.of(
          DmaProfile.PACKET,
          DmaProfile.PACKET64,
          DmaProfile.SCATTER_GATHER,
          DmaProfile.SCATTER_GATHER64,
          DmaProfile.SCATTER_GATHER_DUPLEX,
          DmaProfile.SCATTER_GATHER64_DUPLEX,
          DmaProfile.SYSTEM);

  /** MaximumLength values: 4 KiB, 64 KiB, 1 MiB, 4 MiB. */
  public static final List<Long> MAXIMUM_LENGTHS = List.of(4L << 10, 64L << 10, 1L << 20, 4L << 20);

  /**
   * The reference driver's rules. The first rule that matches and draws under its probability
   * applies, so a failure rule stands before the delay rule of the same callback; the failing
   * EvtDeviceD0Entry takes its think time too.
   */
  public static final List<CallbackRule> DRIVER_RULES =
      List.of(
          new CallbackRule(
              EVT_DEVICE_D0_ENTRY, -1, 0.003, CallbackRule.Action.FAIL, STATUS_UNSUCCESSFUL, micros(200)),
          CallbackRule.delay(EVT_DEVICE_D0_ENTRY, micros(200), 1.0),
          CallbackRule.fail(EVT_DMA_ENABLER_FILL, STATUS_INSUFFICIENT_RESOURCES, 0.005),
          CallbackRule.fail(EVT_DMA_ENABLER_SELF_MANAGED_IO_START, STATUS_INSUFFICIENT_RESOURCES, 0.01),
          CallbackRule.fail(EVT_DEVICE_SELF_MANAGED_IO_RESTART, STATUS_UNSUCCESSFUL, 0.003),
          CallbackRule.fail(EVT_DMA_ENABLER_DISABLE, STATUS_INVALID_DEVICE_STATE, 0.002),
          CallbackRule.hang(EVT_DMA_ENABLER_FLUSH, 0.0005),
          CallbackRule.delay(EVT_DEVICE_D0_EXIT, micros(100), 1.0));

  private static final long KIB = 1024;

  /**
   * The DMA devices, in the order of {@link #DMA_SHARES} (their request count is drawn per device).
   * Every enabler registers all six enabler callbacks, so the driver rules apply to them too.
   */
  public static final List<DmaIoPlan> DMA_KINDS =
      List.of(
          // PLX9x5x: duplex scatter-gather, 8 KiB fragments, each fragment re-enters arbitration.
          new DmaIoPlan(
              "scatter-gather (PLX, DMA v3)",
              DmaIoDriver.Mode.SCATTER_GATHER,
              DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8 * KIB)
                  .withWdmDmaVersionOverride(3)
                  .withAllCallbacks(),
              2, IoWorkload.closed(2, 1, 128 * KIB, 0.5, 20), 0),
          // DMA v2: one packet transaction per device at a time; the others get STATUS_WDF_BUSY and retry.
          new DmaIoPlan(
              "packet (DMA v2)",
              DmaIoDriver.Mode.PACKET,
              DmaEnablerConfig.init(DmaProfile.PACKET, 64 * KIB).withAllCallbacks(),
              3, IoWorkload.closed(3, 1, 128 * KIB, 0.5, 20), 0),
          // DMA v3: transactions queue for the adapter; 16 KiB fragments need up to 5 of its 5 registers.
          new DmaIoPlan(
              "packet (DMA v3)",
              DmaIoDriver.Mode.PACKET,
              DmaEnablerConfig.init(DmaProfile.PACKET64, 16 * KIB).withWdmDmaVersionOverride(3).withAllCallbacks(),
              4, IoWorkload.closed(4, 1, 128 * KIB, 0.5, 20), 0),
          // Each transaction reserves 8 of the adapter's 17 registers once and keeps them until cleanup.
          new DmaIoPlan(
              "reserving packet (DMA v3)",
              DmaIoDriver.Mode.RESERVING_PACKET,
              DmaEnablerConfig.init(DmaProfile.PACKET, 64 * KIB).withWdmDmaVersionOverride(3).withAllCallbacks(),
              2, IoWorkload.closed(2, 1, 128 * KIB, 0.5, 20), 8),
          // System DMA (SoC): a SystemDuplex enabler configured in EvtDevicePrepareHardware; the system
          // DMA controller moves 16 KiB fragments and EvtDmaTransactionDmaTransferComplete drives DmaCompleted.
          new DmaIoPlan(
              "system DMA (SystemDuplex)",
              DmaIoDriver.Mode.SYSTEM,
              DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 16 * KIB).withAllCallbacks(),
              2, IoWorkload.closed(2, 1, 128 * KIB, 0.5, 20), 0));

  /** Percent of devices of each {@link #DMA_KINDS} entry; the rest (30%) are power only. */
  public static final List<Integer> DMA_SHARES = List.of(20, 15, 15, 10, 10);

  /** Requests a DMA device runs: uniform in [MIN_REQUESTS, MAX_REQUESTS]. */
  public static final int MIN_REQUESTS = 20;

  public static final int MAX_REQUESTS = 50;

  // "PLAN": the purpose of the per-device stream that picks the kind, enablers and interrupts.
  private static final long PLAN_STREAM = 0x50_4C_41_4EL;
  private static final int MAX_ENABLERS = 3;
  private static final int MAX_INTERRUPTS = 2;

  // Shared by every device that picks the same values: a large run holds a handful of these, not millions.
  private final DmaEnablerConfig[][] configs;
  private final DeviceSettings[] settingsByInterrupts;
  private final DeviceSettings[] dmaSettingsByInterrupts;
  private final DmaIoPlan[][] dmaPlans;
  private final List<CallbackRule> rules;

  /** KMDF 1.33 devices with every device callback registered and the 1 s hang deadline. */
  public static DefaultWorkload standard() {
    return new DefaultWorkload(DeviceSettings.defaults(), DRIVER_RULES);
  }

  /**
   * @param base the settings every device starts from; the interrupt count is the workload's
   * @param rules the driver's rules, e.g. {@link #DRIVER_RULES}
   */
  public DefaultWorkload(DeviceSettings base, List<CallbackRule> rules) {
    this.rules = List.copyOf(rules);
    this.configs = new DmaEnablerConfig[PROFILES.size()][MAXIMUM_LENGTHS.size()];
    for (int p = 0; p < PROFILES.size(); p++) {
      for (int l = 0; l < MAXIMUM_LENGTHS.size(); l++) {
        configs[p][l] = DmaEnablerConfig.init(PROFILES.get(p), MAXIMUM_LENGTHS.get(l)).withAllCallbacks();
      }
    }
    this.settingsByInterrupts = new DeviceSettings[MAX_INTERRUPTS + 1];
    this.dmaSettingsByInterrupts = new DeviceSettings[MAX_INTERRUPTS + 1];
    for (int i = 1; i <= MAX_INTERRUPTS; i++) {
      settingsByInterrupts[i] = base.withInterruptCount(i).withHardware(null);
      dmaSettingsByInterrupts[i] = base.withInterruptCount(i).withHardware(HardwareSettings.defaults());
    }
    this.dmaPlans = new DmaIoPlan[DMA_KINDS.size()][MAX_REQUESTS - MIN_REQUESTS + 1];
    for (int k = 0; k < DMA_KINDS.size(); k++) {
      for (int n = MIN_REQUESTS; n <= MAX_REQUESTS; n++) {
        dmaPlans[k][n - MIN_REQUESTS] = DMA_KINDS.get(k).withRequests(n);
      }
    }
  }

  /** The same workload with another hang deadline (tests shorten it so that a hang costs little). */
  public DefaultWorkload withCallbackDeadline(Duration deadline) {
    return new DefaultWorkload(settingsByInterrupts[1].withCallbackDeadline(deadline), rules);
  }

  @Override
  public DevicePlan plan(long runSeed, String deviceId) {
    SplittableRandom random = new SplittableRandom(Seeds.derive(runSeed, deviceId, PLAN_STREAM));
    int kind = dmaKind(random.nextInt(100));
    if (kind >= 0) {
      int interrupts = 1 + random.nextInt(MAX_INTERRUPTS);
      int requests = MIN_REQUESTS + random.nextInt(MAX_REQUESTS - MIN_REQUESTS + 1);
      return DevicePlan.dmaIo(dmaSettingsByInterrupts[interrupts], dmaPlans[kind][requests - MIN_REQUESTS]);
    }
    int enablerCount = 1 + random.nextInt(MAX_ENABLERS);
    DmaEnablerConfig[] enablers = new DmaEnablerConfig[enablerCount];
    for (int i = 0; i < enablerCount; i++) {
      enablers[i] = configs[random.nextInt(PROFILES.size())][random.nextInt(MAXIMUM_LENGTHS.size())];
    }
    int interrupts = 1 + random.nextInt(MAX_INTERRUPTS);
    return new DevicePlan(settingsByInterrupts[interrupts], List.of(enablers));
  }

  /** The {@link #DMA_KINDS} index a percentile in [0, 100) falls in, or -1 for a power-only device. */
  private static int dmaKind(int percentile) {
    int upTo = 0;
    for (int k = 0; k < DMA_SHARES.size(); k++) {
      upTo += DMA_SHARES.get(k);
      if (percentile < upTo) {
        return k;
      }
    }
    return -1;
  }

  @Override
  public List<CallbackRule> driverRules() {
    return rules;
  }

  /**
   * 200: a DMA device keeps about ten actors busy while its I/O runs (transactions, adapter lock and
   * map registers, engine, driver). On 2 cores, 1,000 devices in flight made a request take over a
   * second of real time (p99) and a run no faster than 200 did; 200 cuts request latency about
   * threefold. Fewer (100) leaves cores idle while transfers wait for their timers.
   */
  @Override
  public int devicesInFlight() {
    return DMA_DEVICES_IN_FLIGHT;
  }

  static final int DMA_DEVICES_IN_FLIGHT = 200;

  private static Duration micros(long us) {
    return Duration.of(us, ChronoUnit.MICROS);
  }
}
