package org.dmaemu.node.report;

/** What a section holds: a table or a chart. */
public sealed interface Block permits KeyValues, Table, LineChart, CdfChart, BarChart {}
