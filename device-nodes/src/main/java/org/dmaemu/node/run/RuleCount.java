package org.dmaemu.node.run;

import org.dmaemu.protocol.CborSerializable;

/**
 * How many times a bug-check rule ({@code K3}, {@code E6-0x05}, …; reference §8) fired, or how many
 * devices it crashed.
 */
public record RuleCount(String rule, long count) implements CborSerializable {}
