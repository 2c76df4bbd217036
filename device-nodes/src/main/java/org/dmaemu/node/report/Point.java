package org.dmaemu.node.report;

/** One data point. Charts skip a point whose coordinates are not finite. */
public record Point(double x, double y) {}
