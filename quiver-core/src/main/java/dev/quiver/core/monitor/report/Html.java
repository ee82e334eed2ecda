package dev.quiver.core.monitor.report;

/** Escapes text for HTML and SVG element content and quoted attribute values. */
final class Html {
  private Html() {}

  /** {@code s} with {@code & < > " '} replaced by character references; null becomes empty. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // control characters other than tab and newline are not allowed in HTML text
          if (c < 0x20 && c != '\t' && c != '\n' || c == 0x7f) {
            b.append('\uFFFD');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** At most {@code max} characters of {@code s}, an ellipsis marking a cut (escape the result). */
  static String shorten(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int cut = Math.max(1, max - 1);
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--; // never split a character outside the basic plane
    }
    return s.substring(0, cut) + "\u2026";
  }
}
