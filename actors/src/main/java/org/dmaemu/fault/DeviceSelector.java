package org.dmaemu.fault;

import java.util.SplittableRandom;
import java.util.Set;
import org.dmaemu.time.Seeds;

/**
 * Which devices a fault applies to: those of the named groups (all groups when empty), or the named
 * devices (when not empty), and of those a seeded {@code fraction}. A device's draw depends on
 * (run seed, device id, fault id) only, so a seed selects the same devices wherever they run.
 */
public record DeviceSelector(Set<String> groups, Set<String> deviceIds, double fraction) {

  public static final DeviceSelector ALL = new DeviceSelector(Set.of(), Set.of(), 1.0);

  public DeviceSelector {
    groups = Set.copyOf(groups);
    deviceIds = Set.copyOf(deviceIds);
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("a device fraction must be in (0, 1], got " + fraction);
    }
  }

  public boolean selects(long runSeed, String faultId, String deviceId, String group) {
    if (!deviceIds.isEmpty() && !deviceIds.contains(deviceId)) {
      return false;
    }
    if (!groups.isEmpty() && !groups.contains(group)) {
      return false;
    }
    return fraction >= 1.0
        || new SplittableRandom(Seeds.derive(runSeed, deviceId, SELECT_STREAM ^ faultId.hashCode())).nextDouble() < fraction;
  }

  // "SEL": whether a fault selects a device.
  private static final long SELECT_STREAM = 0x53_45_4CL << 32;
}
