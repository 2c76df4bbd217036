package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * One titled part of a report.
 *
 * @param heading the section's heading and its entry in the table of contents
 * @param note a plain-text paragraph under the heading, may be empty; line breaks are kept
 * @param blocks tables and charts, in order
 */
public record Section(String heading, String note, List<Block> blocks) {

  public Section {
    heading = Objects.requireNonNullElse(heading, "");
    note = Objects.requireNonNullElse(note, "");
    blocks = List.copyOf(blocks);
  }
}
