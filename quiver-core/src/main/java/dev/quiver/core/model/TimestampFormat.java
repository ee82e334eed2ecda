package dev.quiver.core.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a batch source writes its event and created times, so every engine converts them to UTC
 * microsecond timestamps by one rule: timestamp columns as they are ({@link #TIMESTAMP}), integer
 * epoch numbers ({@code epoch_seconds}, {@code epoch_millis}, {@code epoch_micros}), or strings in a
 * pattern.
 *
 * <p>Patterns use the letters of Java's {@link DateTimeFormatter} (which Spark's {@code
 * to_timestamp} also reads), restricted to fixed-width fields so every engine parses them alike:
 * {@code yyyy} year, {@code MM} month, {@code dd} day, {@code HH} hour (00-23), {@code mm} minute,
 * {@code ss} second, {@code SSS} milliseconds or {@code SSSSSS} microseconds, {@code xxx} a UTC
 * offset ({@code +02:00}); text in single quotes ({@code 'T'}) and the characters {@code - : . / , _}
 * and space stand for themselves. A pattern needs {@code yyyy}, {@code MM} and {@code dd}; a time
 * without an offset is UTC. A value matches only if it has exactly the pattern's width; a value that
 * does not match is an error, a null stays null. {@link #strftime()} gives the same pattern in the
 * strftime/strptime spelling ({@code %Y-%m-%d}) for engines that use it.
 *
 * @param kind how the column is read; not null
 * @param pattern the pattern when {@code kind} is {@link Kind#PATTERN}, else null
 */
public record TimestampFormat(Kind kind, String pattern) implements java.io.Serializable {

  /** The ways a time column is written. */
  public enum Kind {
    /** A timestamp (or date) column, read as it is. */
    TIMESTAMP,
    /** Integer seconds since 1970-01-01T00:00:00Z. */
    EPOCH_SECONDS,
    /** Integer milliseconds since the epoch. */
    EPOCH_MILLIS,
    /** Integer microseconds since the epoch. */
    EPOCH_MICROS,
    /** Strings in {@link #pattern()}. */
    PATTERN
  }

  /** Timestamp columns read as they are: the default. */
  public static final TimestampFormat TIMESTAMP = new TimestampFormat(Kind.TIMESTAMP, null);

  private static final String LETTERS = "yyyy, MM, dd, HH, mm, ss, SSS, SSSSSS, xxx";

  public TimestampFormat {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.PATTERN) != (pattern != null)) {
      throw new IllegalArgumentException("a timestamp pattern goes with kind PATTERN, and only with it");
    }
    if (pattern != null) {
      tokens(pattern); // validates
    }
  }

  /**
   * Reads the definition spelling: {@code epoch_seconds}, {@code epoch_millis}, {@code epoch_micros},
   * {@code timestamp}, or a pattern.
   *
   * @throws IllegalArgumentException saying what is wrong with a pattern and which letters work
   */
  public static TimestampFormat parse(String text) {
    String s = Objects.requireNonNull(text, "text").strip();
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "timestamp" -> TIMESTAMP;
      case "epoch_seconds" -> new TimestampFormat(Kind.EPOCH_SECONDS, null);
      case "epoch_millis" -> new TimestampFormat(Kind.EPOCH_MILLIS, null);
      case "epoch_micros" -> new TimestampFormat(Kind.EPOCH_MICROS, null);
      default -> new TimestampFormat(Kind.PATTERN, s);
    };
  }

  /** How definitions write it: {@code epoch_millis}, {@code yyyy-MM-dd HH:mm:ss}, {@code timestamp}. */
  public String spelling() {
    return kind == Kind.PATTERN ? pattern : kind.name().toLowerCase(Locale.ROOT);
  }

  /** Whether the column holds integers ({@code epoch_*}). */
  public boolean isEpoch() {
    return kind == Kind.EPOCH_SECONDS || kind == Kind.EPOCH_MILLIS || kind == Kind.EPOCH_MICROS;
  }

  /** Microseconds per unit of an epoch number: 1,000,000, 1,000 or 1. */
  public long microsPerUnit() {
    return switch (kind) {
      case EPOCH_SECONDS -> 1_000_000L;
      case EPOCH_MILLIS -> 1_000L;
      case EPOCH_MICROS -> 1L;
      default -> throw new IllegalStateException(spelling() + " is not an epoch format");
    };
  }

  /** The pattern in strftime/strptime spelling ({@code %Y-%m-%d %H:%M:%S}); only for {@link Kind#PATTERN}. */
  public String strftime() {
    StringBuilder out = new StringBuilder();
    for (String t : tokens(requirePattern())) {
      out.append(switch (t) {
        case "yyyy" -> "%Y";
        case "MM" -> "%m";
        case "dd" -> "%d";
        case "HH" -> "%H";
        case "mm" -> "%M";
        case "ss" -> "%S";
        case "SSS" -> "%g";
        case "SSSSSS" -> "%f";
        case "xxx" -> "%z";
        default -> t.substring(1).replace("%", "%%");
      });
    }
    return out.toString();
  }

  /** The number of characters every matching value has; only for {@link Kind#PATTERN}. */
  public int width() {
    int w = 0;
    for (String t : tokens(requirePattern())) {
      w += t.startsWith("'") ? t.length() - 1 : t.equals("xxx") ? 6 : t.length();
    }
    return w;
  }

  /**
   * The reference conversion: a value of the column to microseconds since the epoch, UTC.
   *
   * @param value a {@link Number} for {@code epoch_*}, a {@link CharSequence} for a pattern
   * @return null for a null value
   * @throws IllegalArgumentException when the value does not match or is out of range
   */
  public Long micros(Object value) {
    if (value == null) {
      return null;
    }
    switch (kind) {
      case TIMESTAMP -> throw new IllegalStateException("timestamp columns need no conversion");
      case PATTERN -> {
        return parsePattern(value.toString());
      }
      default -> {
        if (!(value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)) {
          throw new IllegalArgumentException(spelling() + " needs an integer, not " + value);
        }
        try {
          return Math.multiplyExact(((Number) value).longValue(), microsPerUnit());
        } catch (ArithmeticException e) {
          throw new IllegalArgumentException(value + " " + spelling() + " is out of range");
        }
      }
    }
  }

  private long parsePattern(String text) {
    if (text.length() != width()) {
      throw new IllegalArgumentException("'" + text + "' does not match '" + pattern + "' (" + width() + " characters)");
    }
    TemporalAccessor t;
    try {
      t = DateTimeFormatter.ofPattern(pattern.replace("yyyy", "uuuu"), Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT).parse(text);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + text + "' does not match '" + pattern + "': " + e.getMessage());
    }
    LocalDate date = t.query(TemporalQueries.localDate());
    long seconds = date.toEpochDay() * 86_400L + field(t, ChronoField.HOUR_OF_DAY) * 3600 + field(t, ChronoField.MINUTE_OF_HOUR) * 60
        + field(t, ChronoField.SECOND_OF_MINUTE) - field(t, ChronoField.OFFSET_SECONDS);
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), field(t, ChronoField.NANO_OF_SECOND) / 1000);
  }

  private static long field(TemporalAccessor t, ChronoField f) {
    return t.isSupported(f) ? t.getLong(f) : 0;
  }

  /** The value as an {@link Instant}, for people and tests; see {@link #micros}. */
  public Instant instant(Object value) {
    Long us = micros(value);
    return us == null ? null : Instant.EPOCH.plusSeconds(Math.floorDiv(us, 1_000_000L)).plusNanos(Math.floorMod(us, 1_000_000L) * 1000);
  }

  private String requirePattern() {
    if (kind != Kind.PATTERN) {
      throw new IllegalStateException(spelling() + " is not a pattern");
    }
    return pattern;
  }

  /** Splits a pattern into fields ({@code yyyy}) and literals (a leading {@code '}); throws when unsupported. */
  private static List<String> tokens(String p) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '\'') {
        int end = p.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("pattern '" + p + "' opens a quote it does not close");
        }
        if (end == i + 1) {
          throw new IllegalArgumentException("pattern '" + p + "' has '' (a quote): write literal text such as 'T'");
        }
        out.add("'" + p.substring(i + 1, end));
        i = end + 1;
      } else if (Character.isLetter(c)) {
        int j = i;
        while (j < p.length() && p.charAt(j) == c) {
          j++;
        }
        String run = p.substring(i, j);
        if (!List.of(LETTERS.split(", ")).contains(run)) {
          throw new IllegalArgumentException("pattern '" + p + "' has '" + run + "', which is not one of the fields "
              + LETTERS + " (Java DateTimeFormatter letters, fixed width; quote literal letters as in 'T')");
        }
        out.add(run);
        i = j;
      } else if ("-:./,_ ".indexOf(c) >= 0) {
        out.add("'" + c);
        i++;
      } else {
        throw new IllegalArgumentException("pattern '" + p + "' has '" + c + "'; outside quotes a pattern holds the"
            + " fields " + LETTERS + " and the characters - : . / , _ and space");
      }
    }
    for (String need : List.of("yyyy", "MM", "dd")) {
      if (!out.contains(need)) {
        throw new IllegalArgumentException("pattern '" + p + "' has no " + need + "; a pattern needs a date (yyyy, MM and dd),"
            + " e.g. yyyy-MM-dd HH:mm:ss");
      }
    }
    List<String> fields = out.stream().filter(t -> !t.startsWith("'")).toList();
    if (fields.stream().distinct().count() != fields.size() || fields.contains("SSS") && fields.contains("SSSSSS")) {
      throw new IllegalArgumentException("pattern '" + p + "' has a field twice");
    }
    return out;
  }
}
