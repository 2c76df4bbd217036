package org.dmaemu.node.scenario;

import java.time.Duration;

/**
 * The {@code power} section: power cycles and surprise removals of every device.
 *
 * @param cycles D0 → D3 → D0 cycles per device
 * @param every zero: the cycles run after the device's I/O has ended; positive: one cycle every
 *     {@code every} of modeled time while I/O runs
 * @param surpriseRemovalFraction share of devices surprise-removed (chosen per device from the run seed)
 * @param surpriseRemovalAfter modeled time after its start at which such a device is removed
 */
public record PowerSpec(int cycles, Duration every, double surpriseRemovalFraction, Duration surpriseRemovalAfter) {}
