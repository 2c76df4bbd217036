package org.dmaemu.node.workload;

import java.util.List;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.workload.IoWorkload;

/**
 * A DMA device's driver: one of the reference DMA drivers ({@link DmaIoDriver}) with its one
 * enabler and the I/O it runs once self-managed I/O has started. The run adds the driver rules and
 * the seed ({@link #driverSettings}).
 *
 * @param kind how the summary names this kind of device, e.g. {@code scatter-gather (PLX, DMA v3)},
 *     or a scenario's group name
 * @param mode the driver's flow
 * @param enabler the enabler it creates in EvtDriverDeviceAdd
 * @param transactions DMA transactions the driver creates, hence the most requests in flight
 * @param workload the requests it runs
 * @param reservedRegisters map registers each transaction reserves ({@link DmaIoDriver.Mode#RESERVING_PACKET})
 */
public record DmaIoPlan(
    String kind, DmaIoDriver.Mode mode, DmaEnablerConfig enabler, int transactions, IoWorkload workload, int reservedRegisters) {

  public DmaIoPlan {
    if (kind == null || kind.isBlank()) {
      throw new IllegalArgumentException("a DMA device kind needs a name");
    }
    // Fails here, when the workload is built, rather than in the driver of the first device.
    new DmaIoDriver.Settings(mode, enabler, transactions, workload, reservedRegisters, List.of(), 0);
  }

  /** The same device with another request count. */
  public DmaIoPlan withRequests(long n) {
    return new DmaIoPlan(kind, mode, enabler, transactions, workload.withRequests(n), reservedRegisters);
  }

  /** The driver's settings in a run with these rules and this seed. */
  public DmaIoDriver.Settings driverSettings(List<CallbackRule> rules, long runSeed) {
    return new DmaIoDriver.Settings(mode, enabler, transactions, workload, reservedRegisters, rules, runSeed);
  }
}
