package dev.quiver.core.model;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the duration spellings of definitions: an integer followed by a unit
 * ({@code ms, s, m, h, d, w}), possibly several ({@code 1h30m}).
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d|w))+");

  /**
   * The longest duration a definition may spell (about 100 years): a TTL or window beyond it has no
   * use, and durations far beyond it overflow the nanosecond arithmetic time libraries do.
   */
  public static final Duration MAX = Duration.ofDays(36_600);

  private Durations() {}

  /** Parses a spelling such as {@code 30d} or {@code 1h30m}; empty when it is not one, or longer than {@link #MAX}. */
  public static Optional<Duration> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String s = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (!WHOLE.matcher(s).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      if (m.group(1).length() > 12) {
        return Optional.empty(); // far beyond MAX in any unit
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> throw new AssertionError(m.group(2));
              });
    }
    return total.compareTo(MAX) > 0 ? Optional.empty() : Optional.of(total);
  }

  /** The shortest canonical spelling: {@code 30d}, {@code 36h}, {@code 90m}, {@code 1500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] unitMs = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] unit = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < unitMs.length; i++) {
      if (ms % unitMs[i] == 0) {
        return (ms / unitMs[i]) + unit[i];
      }
    }
    throw new AssertionError(d);
  }
}
