package org.dmaemu.node.workload;

import java.util.List;
import org.dmaemu.driver.CallbackRule;

/**
 * What the devices of a run are and how their driver answers. A run asks it once per device; a
 * scenario file will later provide its own.
 */
public interface Workload {

  /**
   * The device {@code deviceId}. Must depend on ({@code runSeed}, {@code deviceId}) only, so that a
   * seed gives the same devices whatever the timing or the node (DESIGN §5).
   */
  DevicePlan plan(long runSeed, String deviceId);

  /** The reference driver's rules, shared by every device; each device draws from its own stream. */
  List<CallbackRule> driverRules();
}
