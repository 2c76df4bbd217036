package org.dmaemu.node.scenario;

import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.workload.IoWorkload;

/**
 * {@code count} alike devices: one reference DMA driver each, with one enabler, a DMA engine and a
 * workload. Device ids and per-device random streams are the runtime's.
 *
 * @param name the key in {@code topology.groups}
 * @param count devices in the group, at least 1
 * @param driver the reference DMA driver's flow
 * @param transactions DMA transactions the driver creates: the most requests in flight, 1..256
 * @param reservedRegisters map registers each transaction reserves; &gt;= 1 for {@code RESERVING_PACKET}, else 0
 * @param priority for policy {@code priority}: higher first
 * @param weight share under {@code weighted-fair}, tickets under {@code lottery}, at least 1
 * @param adapterDomain the shared adapter the group's enablers use; {@code null} = KMDF's default,
 *     one adapter per enabler (two for duplex profiles)
 * @param bus the bus the group's engines share; {@code null} = none
 * @param lockPolicy the adapter-lock policy of the group's per-enabler adapters; {@code null} when
 *     {@code adapterDomain} is set (the domain's policies apply)
 * @param registerPolicy the map-register policy of the group's per-enabler adapters; {@code null}
 *     when {@code adapterDomain} is set
 * @param interrupts WDFINTERRUPT objects per device, at least 1 (the engine raises interrupt 0)
 * @param kmdfMinorVersion the driver's KMDF 1.x minor version (1.33 → 33)
 * @param enabler the WDF_DMA_ENABLER_CONFIG the driver passes to WdfDmaEnablerCreate
 * @param engine each device's DMA engine
 * @param workload the I/O each device runs, with the run's request count and duration
 */
public record GroupSpec(
    String name,
    int count,
    DmaIoDriver.Mode driver,
    int transactions,
    int reservedRegisters,
    int priority,
    int weight,
    String adapterDomain,
    String bus,
    String lockPolicy,
    String registerPolicy,
    int interrupts,
    int kmdfMinorVersion,
    DmaEnablerConfig enabler,
    HardwareSettings engine,
    IoWorkload workload) {}
