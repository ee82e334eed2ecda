package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.Call;
import dev.quiver.core.expr.ExpressionCompiler.Eval;
import dev.quiver.core.expr.ExpressionCompiler.Typed;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * The evaluation of each {@link BuiltinFunction}. Every function but coalesce, least, greatest and
 * concat gives null when an argument is null; float results that are NaN or infinite (ln of 0 or of
 * a negative, sqrt of a negative, an overflowing exp or pow) are null.
 */
final class Functions {
  private Functions() {}

  static Typed compile(ExpressionCompiler compiler, Call call) {
    BuiltinFunction function = BuiltinFunction.byName(call.function()).orElseThrow();
    List<Typed> args = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    for (Expression a : call.arguments()) {
      Typed t = compiler.compile(a);
      args.add(t);
      types.add(t.type());
    }
    ValueType type = function.type(call, types);
    return new Typed(body(function, args, type), type);
  }

  private static Eval body(BuiltinFunction function, List<Typed> args, ValueType type) {
    Eval[] a = args.stream().map(Typed::eval).toArray(Eval[]::new);
    ValueType t0 = args.getFirst().type();
    return switch (function) {
      case COALESCE -> {
        Eval[] widened = ExpressionCompiler.widenAll(args, type);
        yield in -> {
          for (Eval e : widened) {
            Object v = e.eval(in);
            if (v != null) {
              return v;
            }
          }
          return null;
        };
      }
      case NULLIF -> {
        Eval equal = Comparisons.compare(Expression.Operator.EQUAL, args.get(0), args.get(1));
        Eval first = a[0];
        yield in -> {
          Object v = first.eval(in);
          return v == null || equal.eval(in) == Boolean.TRUE ? null : v;
        };
      }
      case ABS -> t0 == null ? ExpressionCompiler.NULL : unary(a[0], abs((ScalarType) t0));
      case LN -> math(a[0], Math::log);
      case EXP -> math(a[0], Math::exp);
      case SQRT -> math(a[0], Math::sqrt);
      case POW -> in -> {
        Object x = a[0].eval(in);
        Object y = a[1].eval(in);
        return x == null || y == null ? null
            : Arithmetic.finite(Math.pow(((Number) x).doubleValue(), ((Number) y).doubleValue()));
      };
      case ROUND -> t0 == null ? ExpressionCompiler.NULL : round(a, (ScalarType) t0);
      case FLOOR -> t0 == null ? ExpressionCompiler.NULL : whole(a[0], (ScalarType) t0, Math::floor);
      case CEIL -> t0 == null ? ExpressionCompiler.NULL : whole(a[0], (ScalarType) t0, Math::ceil);
      case LEAST -> extreme(args, type, false);
      case GREATEST -> extreme(args, type, true);
      case LOWER -> unary(a[0], v -> ((String) v).toLowerCase(Locale.ROOT));
      case UPPER -> unary(a[0], v -> ((String) v).toUpperCase(Locale.ROOT));
      case LENGTH -> unary(a[0], v -> (long) ((String) v).codePointCount(0, ((String) v).length()));
      case CONCAT -> in -> {
        StringBuilder b = new StringBuilder();
        for (Eval e : a) {
          Object v = e.eval(in);
          if (v != null) {
            b.append((String) v);
          }
        }
        return b.toString();
      };
      case SUBSTR -> in -> {
        Object[] v = new Object[a.length];
        for (int i = 0; i < a.length; i++) {
          v[i] = a[i].eval(in);
          if (v[i] == null) {
            return null;
          }
        }
        return substr((String) v[0], ((Number) v[1]).longValue(), v.length > 2 ? ((Number) v[2]).longValue() : Long.MAX_VALUE);
      };
      case CONTAINS -> in -> {
        Object s = a[0].eval(in);
        Object p = a[1].eval(in);
        return s == null || p == null ? null : ((String) s).contains((String) p);
      };
      case STARTS_WITH -> in -> {
        Object s = a[0].eval(in);
        Object p = a[1].eval(in);
        return s == null || p == null ? null : ((String) s).startsWith((String) p);
      };
      case YEAR -> part(a[0], d -> (long) d.getYear());
      case MONTH -> part(a[0], d -> (long) d.getMonthValue());
      case DAY -> part(a[0], d -> (long) d.getDayOfMonth());
      case DAY_OF_WEEK -> part(a[0], d -> (long) d.getDayOfWeek().getValue());
      case HOUR -> part(a[0], d -> (long) d.getHour());
      case EPOCH_SECONDS -> unary(a[0], v -> ((Instant) v).getEpochSecond());
    };
  }

  private static Eval unary(Eval x, Function<Object, Object> f) {
    return in -> {
      Object v = x.eval(in);
      return v == null ? null : f.apply(v);
    };
  }

  private static Eval math(Eval x, DoubleUnaryOperator f) {
    return unary(x, v -> Arithmetic.finite(f.applyAsDouble(((Number) v).doubleValue())));
  }

  private static Function<Object, Object> abs(ScalarType t) {
    return switch (t) {
      case INT32 -> v -> (Integer) v == Integer.MIN_VALUE ? null : Math.abs((Integer) v);
      case INT64 -> v -> (Long) v == Long.MIN_VALUE ? null : Math.abs((Long) v);
      case FLOAT32 -> v -> Arithmetic.finite(Math.abs((Float) v));
      default -> v -> Arithmetic.finite(Math.abs((Double) v));
    };
  }

  /** floor, ceil: float64 for floats, integers unchanged. */
  private static Eval whole(Eval x, ScalarType t, DoubleUnaryOperator f) {
    if (t.isIntegral()) {
      return x;
    }
    return math(x, f);
  }

  /** round(x [, digits]): halves away from zero; floats give float64, integers keep their type. */
  private static Eval round(Eval[] a, ScalarType t) {
    if (a.length == 1) {
      if (t.isIntegral()) {
        return a[0];
      }
      return math(a[0], Casts::roundHalfAwayFromZero);
    }
    return in -> {
      Object x = a[0].eval(in);
      Object d = a[1].eval(in);
      if (x == null || d == null) {
        return null;
      }
      return roundDigits(x, t, ((Number) d).longValue());
    };
  }

  private static Object roundDigits(Object x, ScalarType t, long digits) {
    if (t.isIntegral()) {
      if (digits >= 0) {
        return x;
      }
      if (digits < -20) {
        return t == ScalarType.INT32 ? (Object) 0 : (Object) 0L;
      }
      BigDecimal r = BigDecimal.valueOf(((Number) x).longValue()).setScale((int) digits, RoundingMode.HALF_UP);
      try {
        return t == ScalarType.INT32 ? (Object) r.intValueExact() : (Object) r.longValueExact();
      } catch (ArithmeticException overflow) {
        return null;
      }
    }
    double v = ((Number) x).doubleValue();
    if (!Double.isFinite(v)) {
      return null;
    }
    if (digits > 400) {
      return v;
    }
    if (digits < -400) {
      return Math.copySign(0.0, v);
    }
    // The decimal the float64 value prints as (its shortest round-trip form), so round(2.675, 2) is
    // 2.68; a float32 is first widened to float64, as everywhere.
    BigDecimal exact = BigDecimal.valueOf(v);
    return Arithmetic.finite(Math.copySign(exact.setScale((int) digits, RoundingMode.HALF_UP).doubleValue(), v));
  }

  /** least/greatest: nulls skipped; null only when every argument is null. */
  private static Eval extreme(List<Typed> args, ValueType type, boolean greatest) {
    if (type == null) {
      return ExpressionCompiler.NULL;
    }
    Eval[] widened = ExpressionCompiler.widenAll(args, type);
    Comparator<Object> order = Comparisons.comparator(type, type);
    return in -> {
      Object best = null;
      for (Eval e : widened) {
        Object v = e.eval(in);
        if (v != null && (best == null || (greatest ? order.compare(v, best) > 0 : order.compare(v, best) < 0))) {
          best = v;
        }
      }
      return best;
    };
  }

  /**
   * The code points from position {@code start} (1-based) for {@code length} code points, clipped to
   * the string, as in PostgreSQL: {@code substr('hello', 0, 2)} is {@code 'h'}; a negative length
   * gives null.
   */
  static String substr(String s, long start, long length) {
    if (length < 0) {
      return null;
    }
    int n = s.codePointCount(0, s.length());
    long end = length == Long.MAX_VALUE || start > Long.MAX_VALUE - length ? Long.MAX_VALUE : start + length;
    long from = Math.max(start, 1);
    long to = Math.min(end, (long) n + 1);
    if (from >= to) {
      return "";
    }
    int i = s.offsetByCodePoints(0, (int) (from - 1));
    int j = s.offsetByCodePoints(i, (int) (to - from));
    return s.substring(i, j);
  }

  private static Eval part(Eval x, Function<LocalDateTime, Object> f) {
    return unary(x, v -> f.apply(LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC)));
  }
}
