package dev.quiver.cli;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.StrictValues;
import dev.quiver.core.model.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Times as the CLI accepts them: {@code now} (whole seconds), or ISO-8601 as core's one parser reads
 * it ({@link StrictValues}): an instant with a zone or offset, a local date-time (UTC), or a date
 * (midnight UTC); microseconds, years 0001 to 9999.
 */
final class Times {
  private Times() {}

  /** @throws QuiverException naming the forms accepted, when {@code text} is none of them */
  static Instant parse(String text) {
    String t = text.strip();
    if (t.equalsIgnoreCase("now")) {
      return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }
    try {
      return (Instant) StrictValues.parse(ScalarType.TIMESTAMP, t);
    } catch (IllegalArgumentException e) {
      throw new QuiverException("'" + text + "' is not a time; write now, 2026-03-01, 2026-03-01T12:00:00 or 2026-03-01T12:00:00Z"
          + " (UTC), in the years 0001 to 9999");
    }
  }

  /**
   * A duration back from now ({@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}) or a time as {@link
   * #parse} reads it: what {@code --since} and {@code --until} take.
   *
   * @param option the option's name in the message ({@code --since})
   * @throws QuiverException naming the option and both forms, when {@code text} is neither
   */
  static Instant parseWhen(String text, String option) {
    Duration back = Durations.parse(text.strip()).orElse(null);
    if (back != null) {
      return Instant.now().minus(back);
    }
    try {
      return parse(text);
    } catch (QuiverException e) {
      throw new QuiverException(option + " '" + text + "' is neither a duration (90s, 15m, 1h, 7d) nor a time"
          + " (2026-03-01, 2026-03-01T12:00:00Z)");
    }
  }
}
