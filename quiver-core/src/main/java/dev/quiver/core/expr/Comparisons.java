package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.Operator;
import dev.quiver.core.expr.ExpressionCompiler.Eval;
import dev.quiver.core.expr.ExpressionCompiler.Typed;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Comparison of two values of comparable types (see {@link TypeRules#comparable}). Integers compare
 * as integers; a comparison involving a float compares as float64 (exact for every int32 and
 * float32), with NaN equal to itself and greater than every other number, as in PostgreSQL and
 * DuckDB; strings compare by Unicode code point; false &lt; true; timestamps by time.
 */
final class Comparisons {
  private Comparisons() {}

  /** {@code left op right}: null when either side is null. */
  static Eval compare(Operator op, Typed left, Typed right) {
    if (left.type() == null || right.type() == null) {
      return ExpressionCompiler.NULL;
    }
    Comparator<Object> order = comparator(left.type(), right.type());
    Eval a = left.eval();
    Eval b = right.eval();
    return switch (op) {
      case EQUAL -> in -> test(a, b, in, order, c -> c == 0);
      case NOT_EQUAL -> in -> test(a, b, in, order, c -> c != 0);
      case LESS -> in -> test(a, b, in, order, c -> c < 0);
      case LESS_OR_EQUAL -> in -> test(a, b, in, order, c -> c <= 0);
      case GREATER -> in -> test(a, b, in, order, c -> c > 0);
      case GREATER_OR_EQUAL -> in -> test(a, b, in, order, c -> c >= 0);
      default -> throw new IllegalArgumentException("not a comparison: " + op);
    };
  }

  @FunctionalInterface
  private interface Outcome {
    boolean of(int comparison);
  }

  private static Object test(Eval a, Eval b, Object[] in, Comparator<Object> order, Outcome outcome) {
    Object x = a.eval(in);
    if (x == null) {
      return null;
    }
    Object y = b.eval(in);
    if (y == null) {
      return null;
    }
    return outcome.of(order.compare(x, y));
  }

  /** How two non-null values of these types compare. Bytes compare for equality only (0 or 1). */
  static Comparator<Object> comparator(ValueType a, ValueType b) {
    if (a.isNumeric() && b.isNumeric()) {
      if (((ScalarType) a).isIntegral() && ((ScalarType) b).isIntegral()) {
        return (x, y) -> Long.compare(((Number) x).longValue(), ((Number) y).longValue());
      }
      return (x, y) -> compareDoubles(((Number) x).doubleValue(), ((Number) y).doubleValue());
    }
    return switch ((ScalarType) a) {
      case STRING -> (x, y) -> compareCodePoints((String) x, (String) y);
      case BOOL -> (x, y) -> Boolean.compare((Boolean) x, (Boolean) y);
      case TIMESTAMP -> (x, y) -> ((Instant) x).compareTo((Instant) y);
      case BYTES -> (x, y) -> Arrays.equals((byte[]) x, (byte[]) y) ? 0 : 1;
      default -> throw new IllegalArgumentException("cannot compare " + a + " with " + b);
    };
  }

  /** -0.0 equals 0.0; NaN equals NaN and is above every other value. */
  static int compareDoubles(double x, double y) {
    if (x < y) {
      return -1;
    }
    if (x > y) {
      return 1;
    }
    if (x == y) {
      return 0;
    }
    return Boolean.compare(Double.isNaN(x), Double.isNaN(y));
  }

  /** Order by Unicode code point (the order of UTF-8 bytes), not by UTF-16 unit. */
  static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Boolean.compare(i < x.length(), j < y.length());
  }
}
