package org.dmaemu.arbitration;

import java.util.Objects;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.time.Seeds;

/**
 * How a device group meets the other devices at its adapters and on the bus (DESIGN §3, §6): its
 * group, priority and weight (what its requests carry, see {@link Requester}), the policies of its
 * own adapters' locks and map-register pools, the seed of their lotteries, and optionally a shared
 * adapter domain. One instance is shared by every device of a group.
 *
 * @param group the device group, as the scenario names it
 * @param priority the group's priority under priority arbitration (higher first)
 * @param weight the group's share under weighted-fair, its tickets under lottery; at least 1
 * @param lockPolicy the policy of each own adapter's lock, one of {@link ArbitrationPolicy#NAMES}
 * @param registerPolicy the policy of each own adapter's map-register pool, likewise
 * @param seed the run seed the lotteries derive their streams from, per adapter
 * @param sharedDomain the adapter domain every adapter of the device's enablers uses instead of its
 *     own lock and pool, or {@code null} for KMDF's one adapter per enabler direction; the domain's
 *     own policies then apply, and lockPolicy/registerPolicy do not
 */
public record ArbitrationSettings(
    String group,
    int priority,
    int weight,
    String lockPolicy,
    String registerPolicy,
    long seed,
    AdapterDomain sharedDomain) {

  /** Seeds.derive purposes: one lottery stream for each arbiter of an adapter. */
  private static final long LOCK_STREAM = 0x4C_4F_43_4BL; // "LOCK"
  private static final long REGISTER_STREAM = 0x4D_41_50_52L; // "MAPR"

  public ArbitrationSettings {
    Objects.requireNonNull(group, "arbitration group must not be null");
    if (weight < 1) {
      throw new IllegalArgumentException("arbitration weight must be at least 1, got " + weight);
    }
    checkPolicy("lockPolicy", lockPolicy);
    checkPolicy("registerPolicy", registerPolicy);
  }

  /** KMDF's arbitration: group "default", priority 0, weight 1, FIFO lock and pool, seed 0, own adapters. */
  public static ArbitrationSettings defaults() {
    return new ArbitrationSettings("default", 0, 1, ArbitrationPolicy.FIFO, ArbitrationPolicy.FIFO, 0L, null);
  }

  public ArbitrationSettings withSharedDomain(AdapterDomain domain) {
    return new ArbitrationSettings(group, priority, weight, lockPolicy, registerPolicy, seed, domain);
  }

  /** What the device's requests carry. */
  public Requester requester(String deviceId) {
    return new Requester(deviceId, group, priority, weight);
  }

  /** A new lock policy for the adapter {@code adapterId}; a lottery draws from (seed, adapter, lock). */
  public ArbitrationPolicy newLockPolicy(String adapterId) {
    return ArbitrationPolicy.named(lockPolicy, Seeds.derive(seed, adapterId, LOCK_STREAM));
  }

  /** A new map-register policy for the adapter {@code adapterId}; a lottery draws from (seed, adapter, registers). */
  public ArbitrationPolicy newRegisterPolicy(String adapterId) {
    return ArbitrationPolicy.named(registerPolicy, Seeds.derive(seed, adapterId, REGISTER_STREAM));
  }

  private static void checkPolicy(String what, String name) {
    if (!ArbitrationPolicy.NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "arbitration " + what + " \"" + name + "\" is not one of " + String.join(", ", ArbitrationPolicy.NAMES));
    }
  }
}
