package org.dmaemu.node.report;

/**
 * Series colours: Okabe and Ito's colour-blind-safe set, less its yellow, which is too pale on white. Past
 * seven series the colours repeat with a dash pattern, and the legend shows the matching border style.
 */
final class Palette {

  private static final String[] COLOURS = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"
  };
  private static final String[] DASHES = {"", "7 4", "1.5 3"};
  private static final String[] BORDER_STYLES = {"solid", "dashed", "dotted"};

  private Palette() {}

  static String colour(int index) {
    return COLOURS[index % COLOURS.length];
  }

  /** An SVG {@code stroke-dasharray}, empty for a solid line. */
  static String dash(int index) {
    return DASHES[(index / COLOURS.length) % DASHES.length];
  }

  /** The CSS border style that looks like {@link #dash}, for legend swatches. */
  static String borderStyle(int index) {
    return BORDER_STYLES[(index / COLOURS.length) % BORDER_STYLES.length];
  }
}
