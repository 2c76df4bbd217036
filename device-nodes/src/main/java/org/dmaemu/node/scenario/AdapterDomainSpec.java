package org.dmaemu.node.scenario;

/**
 * A shared adapter (DESIGN §3): one adapter lock and one map-register pool used by the enablers of
 * every device whose group names it, as a shared IOMMU, bounce-buffer pool or system DMA controller.
 * Its register count may exceed the platform's per-adapter limit: the limit caps what
 * IoGetDmaAdapter grants one enabler, not a pool that many share.
 *
 * @param name the key in {@code topology.adapter-domains}
 * @param mapRegisters registers in the pool, at least 1
 * @param policy how the map-register pool orders waiting requests (one of {@link ScenarioLoader#POLICIES})
 * @param lockPolicy how the adapter lock orders waiting requests (one of {@link ScenarioLoader#POLICIES})
 */
public record AdapterDomainSpec(String name, int mapRegisters, String policy, String lockPolicy) {}
