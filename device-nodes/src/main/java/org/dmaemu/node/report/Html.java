package org.dmaemu.node.report;

import java.util.Locale;

/** Text made safe for HTML and XML alike: both parsers must read the page the same way. */
final class Html {

  private Html() {}

  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    appendEscaped(b, text);
    return b.toString();
  }

  /**
   * Appends {@code text} escaped for element content and quoted attributes alike. Characters XML 1.0
   * forbids (control characters, unpaired surrogates) become U+FFFD, or the XML parser rejects the page.
   */
  static void appendEscaped(StringBuilder out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\t', '\n', '\r' -> out.append(c);
        default -> {
          if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(++i));
          } else if (c < 0x20 || Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  /** An anchor-safe fragment of {@code text}: lower-case ASCII letters, digits and single hyphens. */
  static String slug(String text) {
    StringBuilder b = new StringBuilder();
    for (char c : text.toLowerCase(Locale.ROOT).toCharArray()) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        b.append(c);
      } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
        b.append('-');
      }
      if (b.length() >= 40) {
        break;
      }
    }
    int end = b.length();
    while (end > 0 && b.charAt(end - 1) == '-') {
      end--;
    }
    return b.substring(0, end);
  }

  /** {@code text} cut to {@code max} characters, with an ellipsis when cut. */
  static String shorten(String text, int max) {
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
  }
}
