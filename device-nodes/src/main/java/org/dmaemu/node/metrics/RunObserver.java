package org.dmaemu.node.metrics;

import org.dmaemu.driver.IoObserver;
import org.dmaemu.metrics.DmaObserver;

/** Everything a run's devices report: their drivers' I/O and their arbitration. */
public interface RunObserver extends IoObserver, DmaObserver {}
