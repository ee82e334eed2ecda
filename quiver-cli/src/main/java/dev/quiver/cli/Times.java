package dev.quiver.cli;

import dev.quiver.core.QuiverException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Times as the CLI accepts them: {@code now}, an ISO instant, a local date-time (UTC), or a date (midnight UTC). */
final class Times {
  private Times() {}

  static Instant parse(String text) {
    String t = text.strip();
    if (t.equalsIgnoreCase("now")) {
      return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new QuiverException("'" + text + "' is not a time; write now, 2026-03-01, 2026-03-01T12:00:00 or 2026-03-01T12:00:00Z (UTC)");
    }
  }
}
