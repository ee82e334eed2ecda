package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.Operator;
import dev.quiver.core.expr.ExpressionCompiler.Eval;
import dev.quiver.core.model.ScalarType;

/**
 * {@code + - * / %} and unary minus, computed in the result type (the wider operand type; {@code /}
 * in float64). The rules that make every result deterministic: an integer result outside its type's
 * range is null (no wrapping); division or remainder by zero is null; a float result that is NaN or
 * infinite is null. {@code %} takes the sign of the dividend, as in SQL and Java.
 */
final class Arithmetic {
  private Arithmetic() {}

  static Eval binary(Operator op, Eval left, Eval right, ScalarType type) {
    if (op == Operator.DIVIDE) {
      return in -> {
        Object a = left.eval(in);
        Object b = right.eval(in);
        if (a == null || b == null) {
          return null;
        }
        double y = ((Number) b).doubleValue();
        return y == 0 ? null : finite(((Number) a).doubleValue() / y);
      };
    }
    return switch (type) {
      case INT32 -> in -> {
        Object a = left.eval(in);
        Object b = right.eval(in);
        return a == null || b == null ? null : int32(op, ((Number) a).intValue(), ((Number) b).intValue());
      };
      case INT64 -> in -> {
        Object a = left.eval(in);
        Object b = right.eval(in);
        return a == null || b == null ? null : int64(op, ((Number) a).longValue(), ((Number) b).longValue());
      };
      case FLOAT32 -> in -> {
        Object a = left.eval(in);
        Object b = right.eval(in);
        return a == null || b == null ? null : float32(op, ((Number) a).floatValue(), ((Number) b).floatValue());
      };
      case FLOAT64 -> in -> {
        Object a = left.eval(in);
        Object b = right.eval(in);
        return a == null || b == null ? null : float64(op, ((Number) a).doubleValue(), ((Number) b).doubleValue());
      };
      default -> throw new IllegalArgumentException("not numeric: " + type);
    };
  }

  static Eval negate(Eval operand, ScalarType type) {
    return switch (type) {
      case INT32 -> in -> {
        Object v = operand.eval(in);
        return v == null || (Integer) v == Integer.MIN_VALUE ? null : -(Integer) v;
      };
      case INT64 -> in -> {
        Object v = operand.eval(in);
        return v == null || (Long) v == Long.MIN_VALUE ? null : -(Long) v;
      };
      case FLOAT32 -> in -> {
        Object v = operand.eval(in);
        return v == null ? null : finite(-(Float) v);
      };
      case FLOAT64 -> in -> {
        Object v = operand.eval(in);
        return v == null ? null : finite(-(Double) v);
      };
      default -> throw new IllegalArgumentException("not numeric: " + type);
    };
  }

  private static Integer int32(Operator op, int a, int b) {
    long r;
    switch (op) {
      case ADD -> r = (long) a + b;
      case SUBTRACT -> r = (long) a - b;
      case MULTIPLY -> r = (long) a * b;
      case MODULO -> {
        return b == 0 ? null : a % b;
      }
      default -> throw new IllegalArgumentException(op.symbol());
    }
    return r < Integer.MIN_VALUE || r > Integer.MAX_VALUE ? null : (int) r;
  }

  private static Long int64(Operator op, long a, long b) {
    switch (op) {
      case ADD -> {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? null : r;
      }
      case SUBTRACT -> {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? null : r;
      }
      case MULTIPLY -> {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) || (hi == -1 && lo < 0) ? lo : null;
      }
      case MODULO -> {
        return b == 0 ? null : a % b;
      }
      default -> throw new IllegalArgumentException(op.symbol());
    }
  }

  private static Float float32(Operator op, float a, float b) {
    return switch (op) {
      case ADD -> finite(a + b);
      case SUBTRACT -> finite(a - b);
      case MULTIPLY -> finite(a * b);
      case MODULO -> b == 0 ? null : finite(a % b);
      default -> throw new IllegalArgumentException(op.symbol());
    };
  }

  private static Double float64(Operator op, double a, double b) {
    return switch (op) {
      case ADD -> finite(a + b);
      case SUBTRACT -> finite(a - b);
      case MULTIPLY -> finite(a * b);
      case MODULO -> b == 0 ? null : finite(a % b);
      default -> throw new IllegalArgumentException(op.symbol());
    };
  }

  /** The value, or null when it is NaN or infinite. */
  static Double finite(double d) {
    return Double.isFinite(d) ? d : null;
  }

  static Float finite(float f) {
    return Float.isFinite(f) ? f : null;
  }
}
