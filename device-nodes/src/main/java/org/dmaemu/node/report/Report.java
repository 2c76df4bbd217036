package org.dmaemu.node.report;

import java.util.List;
import java.util.Objects;

/**
 * A whole report page: a header and its sections, in order. A {@code null} text reads as empty.
 *
 * @param title the page's heading and the browser tab's title
 * @param subtitle one line under the title (scenario, seed, date), may be empty
 * @param sections the body, listed in the table of contents
 */
public record Report(String title, String subtitle, List<Section> sections) {

  public Report {
    title = Objects.requireNonNullElse(title, "");
    subtitle = Objects.requireNonNullElse(subtitle, "");
    sections = List.copyOf(sections);
  }
}
