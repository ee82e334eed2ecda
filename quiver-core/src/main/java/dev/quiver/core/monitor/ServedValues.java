package dev.quiver.core.monitor;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The rule that decides whether a served value equals its offline recomputation (docs/monitoring.md,
 * "Skew"). Chronon's consistency metric is the anchor: rows are compared one by one, a null on one
 * side only is a mismatch (counted apart, as Chronon's {@code left_null}/{@code right_null}), both
 * null is a match. Quiver adds what its statuses mean and a tolerance for floating point:
 *
 * <ul>
 *   <li>a value served as {@code NOT_FOUND}, {@code NULL_VALUE} or {@code OUTSIDE_MAX_AGE} is null
 *       (the offline lookup gives null then, DESIGN §3);
 *   <li>integers compare by value (int32 = int64); floating point values are equal when both are
 *       NaN, or equal, or within a relative {@link #RELATIVE_TOLERANCE} of the larger magnitude;
 *   <li>timestamps compare as instants (microseconds), bytes by content, lists element by element
 *       (same length, each pair equal by these rules), everything else with {@code equals}.
 * </ul>
 *
 * Stateless.
 */
public final class ServedValues {
  /**
   * Floating point values this close (relatively) are equal: about 4,500 units in the last place of
   * a double, far below float32's precision. Both paths run the same kernels, so values should match
   * bit for bit; the tolerance only absorbs a value that passed through another representation (a
   * logger that rounds through decimal text, a sum in another order).
   */
  public static final double RELATIVE_TOLERANCE = 1e-12;

  private ServedValues() {}

  /** True when a value logged with {@code status} counts as served ({@code PRESENT}, or no status). */
  public static boolean served(String status) {
    return status == null || status.equals("PRESENT");
  }

  /** The rule above, for two values that may be null. */
  public static boolean equal(Object served, Object offline) {
    if (served == null || offline == null) {
      return served == offline;
    }
    if (served instanceof Number a && offline instanceof Number b) {
      if (integral(a) && integral(b)) {
        return a.longValue() == b.longValue();
      }
      return close(a.doubleValue(), b.doubleValue());
    }
    if (served instanceof byte[] a && offline instanceof byte[] b) {
      return Arrays.equals(a, b);
    }
    if (served instanceof List<?> a && offline instanceof List<?> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equal(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (instant(served) != null && instant(offline) != null) {
      return instant(served).equals(instant(offline));
    }
    return served.equals(offline);
  }

  /** True when {@code a} and {@code b} are equal as floating point values under the tolerance. */
  static boolean close(double a, double b) {
    if (a == b || (Double.isNaN(a) && Double.isNaN(b))) {
      return true;
    }
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return false;
    }
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }

  private static boolean integral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  private static Instant instant(Object v) {
    Instant t = switch (v) {
      case Instant i -> i;
      case java.time.OffsetDateTime o -> o.toInstant();
      case java.time.LocalDateTime l -> l.toInstant(java.time.ZoneOffset.UTC);
      case java.sql.Timestamp s -> s.toInstant();
      default -> null;
    };
    return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  /** A value as examples show it: lists in brackets, bytes in hex, null as {@code null}. */
  public static String text(Object v) {
    return switch (v) {
      case null -> "null";
      case byte[] b -> java.util.HexFormat.of().formatHex(b);
      case List<?> l -> l.stream().map(ServedValues::text).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
      default -> String.valueOf(v);
    };
  }
}
