package org.dmaemu.testing;

import java.time.Duration;
import java.util.List;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.workload.IoWorkload;

/** The reference DMA drivers of each mode, as the driver tests configure them (reference §9). */
public final class ReferenceIo {
  private ReferenceIo() {}

  /** What each mode's transactions reserve and keep across requests (RESERVING_PACKET: 8 registers each). */
  public static int reservedRegisters(DmaIoDriver.Settings settings) {
    return settings.mode() == DmaIoDriver.Mode.RESERVING_PACKET ? settings.transactions() * settings.reservedRegisters() : 0;
  }

  /**
   * {@code requests} closed-loop requests on the driver of {@code kind}: "sg" (PLX scatter-gather
   * duplex, DMA v3), "packet-v2" (3 transactions on DMA v2's one packet slot), "packet-v3" (4
   * transactions), "reserving" (2 transactions reserving 8 registers each), "system" (SystemDuplex).
   */
  public static DmaIoDriver.Settings driver(String kind, int requests, long seed, Duration watchdog) {
    DmaIoDriver.Settings s;
    switch (kind) {
      case "sg":
        s = new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SCATTER_GATHER,
            DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 8192).withWdmDmaVersionOverride(3),
            2, IoWorkload.closed(2, 1, 64 * 1024, 0.5, requests), 0, List.of(), seed);
        break;
      case "packet-v2":
        s = new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET, 65536),
            3, IoWorkload.closed(3, 512, 100_000, 0.5, requests), 0, List.of(), seed);
        break;
      case "packet-v3":
        s = new DmaIoDriver.Settings(
            DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET64, 16384).withWdmDmaVersionOverride(3),
            4, IoWorkload.closed(4, 1, 60_000, 0.5, requests), 0, List.of(), seed);
        break;
      case "reserving":
        s = new DmaIoDriver.Settings(
            DmaIoDriver.Mode.RESERVING_PACKET,
            DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
            2, IoWorkload.closed(2, 4096, 65536, 0.5, requests), 8, List.of(), seed);
        break;
      case "system":
        s = new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SYSTEM, DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 16384),
            2, IoWorkload.closed(2, 1, 50_000, 0.5, requests), 0, List.of(), seed);
        break;
      default:
        throw new IllegalArgumentException(kind);
    }
    return watchdog == null ? s : s.withWatchdog(watchdog);
  }
}
