package dev.quiver.core.expr;

import dev.quiver.core.expr.ExpressionCompiler.Eval;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code cast(x as T)} for the casts {@link TypeRules#castable} allows, and the implicit widening of
 * numbers. A value that does not fit the target gives null: a float that is NaN, infinite or out of
 * the integer range, a finite float64 too large for float32, an integer out
 * of int32's range, a string that does not spell a value of the type. Floats become integers
 * rounded half away from zero (as {@code round}); numbers become strings as Java prints them in
 * lower case ({@code 1.0e-5}); timestamps become ISO-8601 UTC strings and int64 epoch
 * microseconds.
 */
final class Casts {
  private Casts() {}

  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

  static Eval cast(Eval x, ValueType from, ValueType to) {
    if (from.equals(to)) {
      return x;
    }
    Function<Object, Object> f = converter((ScalarType) from, (ScalarType) to);
    return in -> {
      Object v = x.eval(in);
      return v == null ? null : f.apply(v);
    };
  }

  /** Converts a non-null value of {@code from} to {@code to} (null when it does not fit). */
  static Function<Object, Object> converter(ScalarType from, ScalarType to) {
    if (from == to) {
      return v -> v;
    }
    if (from.isNumeric() && to.isNumeric()) {
      return numeric(from, to);
    }
    if (from.isNumeric() && to == ScalarType.STRING) {
      return switch (from) {
        case FLOAT32 -> v -> Float.toString((Float) v).toLowerCase(Locale.ROOT);
        case FLOAT64 -> v -> Double.toString((Double) v).toLowerCase(Locale.ROOT);
        default -> String::valueOf;
      };
    }
    return switch (from) {
      case STRING -> fromString(to);
      case BOOL -> to == ScalarType.STRING ? v -> v.toString()
          : numeric(ScalarType.INT64, to).compose(v -> (Boolean) v ? 1L : 0L);
      case TIMESTAMP -> to == ScalarType.INT64 ? v -> Timestamps.toMicros((Instant) v) : v -> v.toString();
      case INT64 -> v -> Timestamps.ofMicros((Long) v);
      default -> throw new IllegalArgumentException("no cast from " + from + " to " + to);
    };
  }

  private static Function<Object, Object> numeric(ScalarType from, ScalarType to) {
    boolean fromFloat = !from.isIntegral();
    return switch (to) {
      case INT32 -> fromFloat ? v -> toInt32(roundToLong(((Number) v).doubleValue())) : v -> toInt32((Long) widenLong(v));
      case INT64 -> fromFloat ? v -> roundToLong(((Number) v).doubleValue()) : Casts::widenLong;
      case FLOAT32 -> v -> {
        float f = ((Number) v).floatValue();
        return Float.isFinite(f) || !Double.isFinite(((Number) v).doubleValue()) ? f : null; // overflow: null
      };
      case FLOAT64 -> v -> ((Number) v).doubleValue();
      default -> throw new IllegalArgumentException("not numeric: " + to);
    };
  }

  private static Object widenLong(Object v) {
    return ((Number) v).longValue();
  }

  private static Integer toInt32(Long v) {
    return v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? null : (int) (long) v;
  }

  /** Rounded half away from zero; null for NaN, infinities and values outside int64. */
  static Long roundToLong(double d) {
    if (!Double.isFinite(d)) {
      return null;
    }
    double r = roundHalfAwayFromZero(d);
    if (r < -0x1p63 || r >= 0x1p63) {
      return null;
    }
    return (long) r;
  }

  /**
   * The nearest whole number, halves away from zero, keeping the sign ({@code -0.4} gives {@code
   * -0.0}, as C's {@code round}). Exact: {@code d - floor(d)} is exact in binary.
   */
  static double roundHalfAwayFromZero(double d) {
    double f = Math.floor(d);
    double diff = d - f;
    if (diff > 0.5 || (diff == 0.5 && d > 0)) {
      f += 1;
    }
    return Math.copySign(f, d);
  }

  private static Function<Object, Object> fromString(ScalarType to) {
    return switch (to) {
      case INT32 -> v -> toInt32(parseLong((String) v));
      case INT64 -> v -> parseLong((String) v);
      case FLOAT32 -> v -> {
        String s = ((String) v).strip();
        return DECIMAL.matcher(s).matches() ? Arithmetic.finite(Float.parseFloat(s)) : null;
      };
      case FLOAT64 -> v -> {
        String s = ((String) v).strip();
        return DECIMAL.matcher(s).matches() ? Arithmetic.finite(Double.parseDouble(s)) : null;
      };
      case BOOL -> v -> {
        String s = ((String) v).strip();
        return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
      };
      case TIMESTAMP -> v -> parseTimestamp((String) v);
      default -> throw new IllegalArgumentException("no cast from string to " + to);
    };
  }

  private static Long parseLong(String text) {
    String s = text.strip();
    if (!INTEGER.matcher(s).matches()) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** As a timestamp literal reads it (ISO-8601, UTC unless it says otherwise); null when it cannot. */
  static Instant parseTimestamp(String text) {
    try {
      return Lexer.timestamp(text, 0).value();
    } catch (ExpressionException e) {
      return null;
    }
  }
}
