package org.dmaemu.node.run;

import org.dmaemu.protocol.CborSerializable;

/** How many devices of one DMA kind ({@code DmaIoPlan.kind}) a run had. */
public record KindCount(String kind, long devices) implements CborSerializable {}
