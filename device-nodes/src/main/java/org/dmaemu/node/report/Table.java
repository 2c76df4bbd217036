package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * A table of text cells. Rows shorter than the widest row are padded with empty cells; a cell that reads as
 * a number (thousands separators, a {@code %} or a unit suffix allowed) is right-aligned, and so is the
 * header of a column whose cells all do.
 *
 * @param caption shown above the table, may be empty
 * @param headers column headings, may be empty
 * @param rows the body
 */
public record Table(String caption, List<String> headers, List<List<String>> rows) implements Block {

  public Table {
    caption = Objects.requireNonNullElse(caption, "");
    headers = List.copyOf(headers);
    rows = rows.stream().<List<String>>map(List::copyOf).toList();
  }
}
