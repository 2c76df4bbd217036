package org.dmaemu.protocol.arbitration;

import java.util.Objects;
import org.dmaemu.protocol.CborSerializable;

/**
 * Who asks an arbiter (adapter lock, map-register pool, bus) for something, as its policy sees
 * it: the device, the device group it belongs to, and the group's priority and weight. KMDF has no
 * such notion — the HAL queues adapter-control routines first come, first served (reference §4.3)
 * — so FIFO ignores everything here but the order of arrival; the other policies (DESIGN §6: a
 * scenario names them per group) use the priority or the weight, and keep the device apart.
 *
 * @param deviceId the requesting device; round-robin, weighted-fair and lottery arbitration share
 *     out per device
 * @param group the device group the scenario put it in
 * @param priority higher is served first by the priority policy; ignored by the others
 * @param weight at least 1: the device's share under weighted-fair, its tickets under lottery
 */
public record Requester(String deviceId, String group, int priority, int weight) implements CborSerializable {

  public Requester {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(group, "group");
    if (weight < 1) {
      throw new IllegalArgumentException("a requester's weight must be at least 1, got " + weight);
    }
  }

  /** A device of the default group: priority 0, weight 1 — what every device is unless a scenario says otherwise. */
  public static Requester ofDevice(String deviceId) {
    return new Requester(deviceId, "default", 0, 1);
  }
}
