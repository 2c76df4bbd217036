/**
 * The run report: a model of sections, tables and charts ({@link org.dmaemu.node.report.Report}) and
 * {@link org.dmaemu.node.report.ReportPage}, which renders it as one self-contained HTML page (DESIGN §7,
 * {@code report.html}): inline CSS and inline SVG, no script, no external reference, readable offline and
 * on paper. The markup is also well-formed XML, so tests read it with the JDK's parser.
 */
package org.dmaemu.node.report;
