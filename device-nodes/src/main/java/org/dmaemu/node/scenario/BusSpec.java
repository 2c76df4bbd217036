package org.dmaemu.node.scenario;

import java.time.Duration;

/**
 * A bus shared by the DMA engines of every device whose group names it: busy for
 * {@code header + size / bandwidth} per transfer.
 *
 * @param name the key in {@code topology.buses}
 * @param bytesPerMicrosecond bandwidth (1000 = 1 GB/s)
 * @param header fixed modeled cost per transfer, &gt;= 0
 * @param policy how waiting transfers are ordered (one of {@link ScenarioLoader#POLICIES})
 */
public record BusSpec(String name, double bytesPerMicrosecond, Duration header, String policy) {}
