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
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.time.Seeds;

/**
 * The built-in workload of {@code dmaemu run}: every device gets 1–3 enablers of mixed profiles
 * with all six power callbacks registered and 1–2 interrupts; the driver fails or hangs a small
 * share of callbacks and takes modeled think time in D0 entry and exit, so that trace spans have
 * width. Everything a scenario file will replace is in this class.
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

  // "PLAN": the purpose of the per-device stream that picks enablers and interrupts.
  private static final long PLAN_STREAM = 0x50_4C_41_4EL;
  private static final int MAX_ENABLERS = 3;
  private static final int MAX_INTERRUPTS = 2;

  // Shared by every device that picks the same values: a large run holds a handful of these, not millions.
  private final DmaEnablerConfig[][] configs;
  private final DeviceSettings[] settingsByInterrupts;
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
    for (int i = 1; i <= MAX_INTERRUPTS; i++) {
      settingsByInterrupts[i] = base.withInterruptCount(i);
    }
  }

  /** The same workload with another hang deadline (tests shorten it so that a hang costs little). */
  public DefaultWorkload withCallbackDeadline(Duration deadline) {
    return new DefaultWorkload(settingsByInterrupts[1].withCallbackDeadline(deadline), rules);
  }

  @Override
  public DevicePlan plan(long runSeed, String deviceId) {
    SplittableRandom random = new SplittableRandom(Seeds.derive(runSeed, deviceId, PLAN_STREAM));
    int enablerCount = 1 + random.nextInt(MAX_ENABLERS);
    DmaEnablerConfig[] enablers = new DmaEnablerConfig[enablerCount];
    for (int i = 0; i < enablerCount; i++) {
      enablers[i] = configs[random.nextInt(PROFILES.size())][random.nextInt(MAXIMUM_LENGTHS.size())];
    }
    int interrupts = 1 + random.nextInt(MAX_INTERRUPTS);
    return new DevicePlan(settingsByInterrupts[interrupts], List.of(enablers));
  }

  @Override
  public List<CallbackRule> driverRules() {
    return rules;
  }

  private static Duration micros(long us) {
    return Duration.of(us, ChronoUnit.MICROS);
  }
}
