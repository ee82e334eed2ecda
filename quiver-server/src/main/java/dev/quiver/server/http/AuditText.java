package dev.quiver.server.http;

import java.util.List;

/** The text of the audit log's events: what a request named and why it failed, on one line. Stateless. */
final class AuditText {
  private AuditText() {}

  /** The views a request names, for the audit log: {@code feature_view a, b}, or every online view. */
  static String views(List<String> views) {
    return "feature_view " + (views.isEmpty() ? "* (every online view)" : String.join(", ", views));
  }

  /** A failure's message on one line, cut at 500 characters. */
  static String oneLine(String message) {
    String m = message == null ? "" : message.replace('\n', ' ');
    return m.length() > 500 ? m.substring(0, 500) + "..." : m;
  }
}
