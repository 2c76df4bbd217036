package org.dmaemu.node.trace;

import org.dmaemu.protocol.CborSerializable;

/**
 * What the trace writer left on disk.
 *
 * @param file the trace file, or {@code null} when the run wrote no trace
 * @param events trace events written (metadata records not counted)
 * @param error why the file is incomplete, or {@code null} when it was written and closed
 */
public record TraceReport(String file, long events, String error) implements CborSerializable {

  public static TraceReport none() {
    return new TraceReport(null, 0, null);
  }

  public boolean written() {
    return file != null && error == null;
  }
}
