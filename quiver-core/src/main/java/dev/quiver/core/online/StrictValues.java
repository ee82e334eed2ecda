package dev.quiver.core.online;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The one strict parser of typed values as requests give them: JSON numbers, strings and booleans as
 * a server decodes them, Feast's protobuf values, command-line text and Java objects. Entity keys
 * (HTTP, gRPC, the CLI's {@code --entity}, pushed rows, the Java API) and request data go through it,
 * so {@code "01"} is refused as an int64 everywhere or nowhere.
 *
 * <ul>
 *   <li><b>int32, int64</b>: an integral Java number ({@code Long}, {@code Integer}, {@code Short},
 *       {@code Byte}, {@code BigInteger}) in range, or text that is exactly its decimal spelling:
 *       {@code "42"}, {@code "-7"}. Refused: {@code "01"}, {@code "+1"}, {@code " 1"}, {@code "-0"},
 *       {@code 1.5}, {@code 1.0}, {@code 1e0} and {@code "1e0"} (JSON numbers with a fraction or an
 *       exponent arrive as floating point), booleans. Gives {@code Integer} for int32 and {@code
 *       Long} for int64; keys of both widths compare by number ({@link KeyEncoding}).
 *   <li><b>float32, float64</b>: any Java number, or text in JSON's number syntax ({@code "1.5"},
 *       {@code "-2e3"}) or {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; gives {@code
 *       Float} or {@code Double}. A number beyond the type's range ({@code "1e400"}, {@code 1e39}
 *       for float32) is refused, never read as infinity.
 *   <li><b>bool</b>: a {@code Boolean}, or the text {@code "true"} or {@code "false"}.
 *   <li><b>string</b>: a {@code String} only (a number is not a string key).
 *   <li><b>bytes</b>: a {@code byte[]}, or base64 text; compared by content.
 *   <li><b>timestamp</b>: an {@link Instant}, or ISO-8601 text ({@code 2026-03-01T12:00:00Z}; a time
 *       without a zone is UTC; a date alone is its midnight), years 1 to 9999, truncated to
 *       microseconds.
 * </ul>
 *
 * Text is never trimmed: surrounding spaces are a mistake to report, not to guess about. Stateless
 * and thread-safe.
 */
public final class StrictValues {
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  private StrictValues() {}

  /**
   * {@code v} as the Java class of {@code type}; null stays null.
   *
   * @throws IllegalArgumentException when {@code v} does not fit; the message says what was expected
   *     (see {@link #expected}), for the caller to prefix with where the value came from
   */
  public static Object parse(ScalarType type, Object v) {
    if (v == null) {
      return null;
    }
    Object out = switch (type) {
      case INT32 -> {
        Long l = integer(v);
        yield l != null && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) l.intValue() : null;
      }
      case INT64 -> integer(v);
      case FLOAT32 -> {
        Double d = floating(v, type);
        if (d != null && Double.isFinite(d) && Float.isInfinite(d.floatValue())) {
          throw outOfRange(type, v);
        }
        yield d == null ? null : (Object) d.floatValue();
      }
      case FLOAT64 -> floating(v, type);
      case BOOL -> v instanceof Boolean b ? b : "true".equals(v) ? Boolean.TRUE : "false".equals(v) ? Boolean.FALSE : null;
      case STRING -> v instanceof String s ? s : null;
      case BYTES -> bytes(v);
      case TIMESTAMP -> timestamp(v);
    };
    if (out == null) {
      throw new IllegalArgumentException(expected(type));
    }
    return out;
  }

  /** What a value of {@code type} must look like, for messages. */
  public static String expected(ScalarType type) {
    return switch (type) {
      case INT32, INT64 -> "an exact integer in " + type.spelling() + "'s range, as a number (42) or its plain decimal"
          + " text (\"42\"; no leading zeros, sign +, spaces, fraction or exponent)";
      case FLOAT32, FLOAT64 -> "a number (1.5), its text (\"1.5\", no spaces), or \"NaN\", \"Infinity\", \"-Infinity\"";
      case BOOL -> "true or false";
      case STRING -> "a string";
      case BYTES -> "base64 text (or bytes)";
      case TIMESTAMP -> "an ISO-8601 time such as \"2026-03-01T12:00:00Z\" (no zone: UTC), years 0001 to 9999";
    };
  }

  /** A value as messages show it: {@code '01' (a string)}, {@code 1.5 (a number)}, {@code true (a boolean)}. */
  public static String describe(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "' (a string)";
      case Boolean b -> b + " (a boolean)";
      case Double d -> d + " (a floating-point number)";
      case Float f -> f + " (a floating-point number)";
      case BigDecimal d -> d.toPlainString() + " (a decimal number)";
      case Number n -> n + " (an integer)";
      case byte[] b -> b.length + " bytes";
      case Instant t -> t + " (a timestamp)";
      case java.util.List<?> l -> "a list of " + l.size();
      default -> v + " (" + v.getClass().getSimpleName() + ")";
    };
  }

  private static Long integer(Object v) {
    return switch (v) {
      case Long l -> l;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case BigInteger b -> b.bitLength() < 64 ? b.longValue() : null;
      case String s when INTEGER.matcher(s).matches() && !s.equals("-0") -> {
        try {
          yield Long.parseLong(s);
        } catch (NumberFormatException outOfRange) {
          yield null;
        }
      }
      default -> null;
    };
  }

  /**
   * A number that overflows to infinity ({@code "1e400"}, a huge {@link BigDecimal}) is refused: only
   * {@code "Infinity"} (or an infinite {@code Double}) means infinity.
   */
  private static Double floating(Object v, ScalarType type) {
    Double d = switch (v) {
      case Double x -> x;
      case Float x -> (double) x;
      case Number n -> n.doubleValue();
      case String s when s.equals("NaN") -> Double.NaN;
      case String s when s.equals("Infinity") -> Double.POSITIVE_INFINITY;
      case String s when s.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
      case String s when JSON_NUMBER.matcher(s).matches() -> Double.parseDouble(s);
      default -> null;
    };
    if (d != null && Double.isInfinite(d) && !(v instanceof Double || v instanceof Float || v instanceof String s && s.endsWith("Infinity"))) {
      throw outOfRange(type, v);
    }
    return d;
  }

  private static IllegalArgumentException outOfRange(ScalarType type, Object v) {
    return new IllegalArgumentException("a number within " + type.spelling() + "'s range (about ±"
        + (type == ScalarType.FLOAT32 ? "3.4e38" : "1.8e308") + "), but " + (v instanceof String s ? s : String.valueOf(v))
        + " is out of it; write \"Infinity\" or \"-Infinity\" for an infinite value");
  }

  private static byte[] bytes(Object v) {
    if (v instanceof byte[] b) {
      return b;
    }
    if (v instanceof String s) {
      try {
        return Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException notBase64) {
        return null;
      }
    }
    return null;
  }

  private static Instant timestamp(Object v) {
    Instant t = v instanceof Instant i ? i : v instanceof String s ? isoTime(s) : null;
    return t != null && Timestamps.supported(t) ? Timestamps.truncate(t) : null;
  }

  private static Instant isoTime(String s) {
    Instant fast = IsoInstants.parse(s);
    if (fast != null) {
      return fast;
    }
    String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException withoutZone) {
      try {
        return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException withoutTime) {
        try {
          return LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notATime) {
          return null;
        }
      }
    }
  }
}
