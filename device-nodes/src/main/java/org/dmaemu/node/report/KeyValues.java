package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/** A two-column table of labelled values, such as a run's totals. Numeric values are right-aligned. */
public record KeyValues(List<Row> rows) implements Block {

  public KeyValues {
    rows = List.copyOf(rows);
  }

  /** One labelled value. */
  public record Row(String label, String value) {

    public Row {
      label = Objects.requireNonNullElse(label, "");
      value = Objects.requireNonNullElse(value, "");
    }
  }
}
