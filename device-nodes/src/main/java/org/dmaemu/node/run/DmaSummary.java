package org.dmaemu.node.run;

import java.util.List;
import org.dmaemu.node.metrics.DmaMetrics;
import org.dmaemu.protocol.CborSerializable;

/**
 * The DMA part of a run's accounting. Every request that arrived at a DMA device's driver ends
 * once: {@code requestsSubmitted = metrics.requestsCompleted + metrics.requestsFailed +
 * requestsUnfinished}.
 *
 * @param devices accounted devices with a DMA driver
 * @param devicesByKind those devices by kind, most frequent first (ties by name)
 * @param requestsSubmitted requests that arrived at the drivers of the DMA devices
 * @param requestsUnfinished submitted requests that never ended: the device crashed during its I/O,
 *     or its I/O stalled
 * @param metrics requests, bytes and waits as the drivers and transactions reported them
 * @param leakedRegisters map registers still held by the transactions of a device that was removed
 *     (a transaction deleted in Transfer, bug check K5) or torn down after a failure, when they went
 *     away: the driver's leak
 * @param registersHeldByStuckDevices map registers still held by the transactions of devices that
 *     hung or crashed, when they went down (their driver never got the chance to give them back)
 */
public record DmaSummary(
    int devices,
    List<KindCount> devicesByKind,
    long requestsSubmitted,
    long requestsUnfinished,
    DmaMetrics metrics,
    long leakedRegisters,
    long registersHeldByStuckDevices)
    implements CborSerializable {

  public DmaSummary {
    devicesByKind = List.copyOf(devicesByKind);
  }
}
