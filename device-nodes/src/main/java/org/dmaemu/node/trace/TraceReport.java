package org.dmaemu.node.trace;

import org.dmaemu.node.check.InvariantReport;
import org.dmaemu.protocol.CborSerializable;

/**
 * What the trace writer left on disk, and what the invariant checker found in the events it wrote.
 *
 * @param file the trace file, or {@code null} when the run wrote no trace
 * @param events trace events written (metadata records not counted)
 * @param error why the file is incomplete, or {@code null} when it was written and closed
 * @param invariants the live check of the run's trace events (docs/checks.md)
 */
public record TraceReport(String file, long events, String error, InvariantReport invariants)
    implements CborSerializable {

  /** A report without a check: no trace, or a writer that never closed. */
  public TraceReport(String file, long events, String error) {
    this(file, events, error, InvariantReport.notTraced());
  }

  public static TraceReport none() {
    return new TraceReport(null, 0, null);
  }

  public boolean written() {
    return file != null && error == null;
  }
}
