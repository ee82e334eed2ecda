package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Pushed values (as JSON and Java callers give them) converted to the Java type of a feature's
 * {@link ValueType}. Numbers must be numbers, strings strings; timestamps are ISO-8601 strings
 * (a time without a zone is UTC) or {@link Instant}s; bytes are base64 strings or {@code byte[]}.
 * Anything that does not fit is an {@link InvalidRequestException} naming the column and row.
 */
final class PushValues {
  private PushValues() {}

  static Object coerce(ValueType type, Object v, String column, int row) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case ScalarType s -> scalar(s, v, column, row);
      case ListType l -> {
        if (!(v instanceof List<?> items)) {
          throw mismatch(type, v, column, row);
        }
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
          out.add(item == null ? null : scalar(l.element(), item, column, row));
        }
        yield out;
      }
    };
  }

  private static Object scalar(ScalarType s, Object v, String column, int row) {
    if ((s == ScalarType.FLOAT64 && v instanceof Double) || (s == ScalarType.INT64 && v instanceof Long)) {
      return v; // already what the switch below would box again
    }
    return switch (s) {
      case INT32 -> {
        long l = integral(s, v, column, row);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
          throw mismatch(s, v, column, row);
        }
        yield (int) l;
      }
      case INT64 -> integral(s, v, column, row);
      case FLOAT32 -> (float) floating(s, v, column, row);
      case FLOAT64 -> floating(s, v, column, row);
      case BOOL -> v instanceof Boolean b ? b : fail(s, v, column, row);
      case STRING -> v instanceof String str ? str : fail(s, v, column, row);
      case BYTES -> switch (v) {
        case byte[] b -> b;
        case String str -> {
          try {
            yield Base64.getDecoder().decode(str);
          } catch (IllegalArgumentException e) {
            throw mismatch(s, v, column, row);
          }
        }
        default -> fail(s, v, column, row);
      };
      case TIMESTAMP -> timestamp(v, column, row);
    };
  }

  /** An ISO-8601 string (zone optional: UTC) or an Instant, truncated to microseconds. */
  static Instant timestamp(Object v, String column, int row) {
    Instant t = null;
    if (v instanceof Instant i) {
      t = i;
    } else if (v instanceof String s) {
      t = IsoInstants.parse(s); // the common spellings, without java.time's parsers
      if (t == null) {
        String text = s.strip().replace(' ', 'T');
        try {
          t = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
          try {
            t = LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC);
          } catch (DateTimeParseException e2) {
            // reported below
          }
        }
      }
    }
    if (t != null) {
      if (!Timestamps.supported(t)) {
        throw new InvalidRequestException("column '" + column + "' row " + row + ": " + describe(v)
            + " is outside the supported years 0001 to 9999");
      }
      return Timestamps.truncate(t);
    }
    throw new InvalidRequestException("column '" + column + "' row " + row + ": " + describe(v)
        + " is not a timestamp; write ISO-8601 such as \"2026-11-22T10:15:30Z\"");
  }

  private static long integral(ScalarType s, Object v, String column, int row) {
    return switch (v) {
      case Long l -> l;
      case Integer i -> i;
      case Short i -> i;
      case Byte i -> i;
      case Double d when d == Math.rint(d) && Math.abs(d) < 0x1p63 -> (long) d.doubleValue();
      case Float f when f == Math.rint(f) && Math.abs(f) < 0x1p63 -> (long) f.floatValue();
      default -> throw mismatch(s, v, column, row);
    };
  }

  private static double floating(ScalarType s, Object v, String column, int row) {
    return switch (v) {
      case Number n -> n.doubleValue();
      case String str when str.equals("NaN") -> Double.NaN;
      case String str when str.equals("Infinity") -> Double.POSITIVE_INFINITY;
      case String str when str.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
      default -> throw mismatch(s, v, column, row);
    };
  }

  private static Object fail(ValueType t, Object v, String column, int row) {
    throw mismatch(t, v, column, row);
  }

  private static InvalidRequestException mismatch(ValueType t, Object v, String column, int row) {
    return new InvalidRequestException("column '" + column + "' row " + row + " holds " + t.spelling()
        + " values, but got " + describe(v));
  }

  private static String describe(Object v) {
    return v instanceof String s ? "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "' (a string)"
        : v + " (" + v.getClass().getSimpleName() + ")";
  }
}
