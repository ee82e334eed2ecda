package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.Between;
import dev.quiver.core.expr.Expression.Binary;
import dev.quiver.core.expr.Expression.BoolLiteral;
import dev.quiver.core.expr.Expression.Call;
import dev.quiver.core.expr.Expression.Cast;
import dev.quiver.core.expr.Expression.FloatLiteral;
import dev.quiver.core.expr.Expression.In;
import dev.quiver.core.expr.Expression.IntLiteral;
import dev.quiver.core.expr.Expression.IsNull;
import dev.quiver.core.expr.Expression.Negate;
import dev.quiver.core.expr.Expression.Not;
import dev.quiver.core.expr.Expression.NullLiteral;
import dev.quiver.core.expr.Expression.Reference;
import dev.quiver.core.expr.Expression.SearchedCase;
import dev.quiver.core.expr.Expression.SimpleCase;
import dev.quiver.core.expr.Expression.StringLiteral;
import dev.quiver.core.expr.Expression.TimestampLiteral;
import dev.quiver.core.expr.Expression.When;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain interpreter, the reference the compiled evaluator is tested against: it
 * walks the tree for every row, looks names up in a map, asks the type checker for the type of
 * every sub-expression every time, and does integer arithmetic in BigInteger and float comparisons
 * in BigDecimal. Slow and obviously correct is the point.
 */
final class NaiveInterpreter {
  private static final BigInteger INT32_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private final Map<String, ValueType> types;
  private final Map<String, Object> values;

  NaiveInterpreter(Map<String, ValueType> types, Map<String, Object> values) {
    this.types = types;
    this.values = values;
  }

  /** The sub-expression's type; null when it is nothing but null. */
  ValueType typeOf(Expression e) {
    try {
      return ExpressionTypeChecker.of(types).check(e);
    } catch (ExpressionException alwaysNull) {
      return null;
    }
  }

  Object eval(Expression e) {
    return switch (e) {
      case NullLiteral n -> null;
      case BoolLiteral b -> b.value();
      case IntLiteral i -> i.value();
      case FloatLiteral f -> f.value();
      case StringLiteral s -> s.value();
      case TimestampLiteral t -> t.value();
      case Reference r -> values.get(r.name());
      case Negate n -> {
        Object v = eval(n.operand());
        yield v == null ? null : fit(negate((Number) v), (ScalarType) typeOf(n));
      }
      case Not n -> {
        Object v = eval(n.operand());
        yield v == null ? null : !(Boolean) v;
      }
      case Binary b -> binary(b);
      case IsNull n -> (eval(n.operand()) == null) != n.negated();
      case In in -> {
        Object x = eval(in.operand());
        boolean unknown = x == null;
        boolean found = false;
        for (Expression v : in.values()) {
          Object y = eval(v);
          if (y == null) {
            unknown = true;
          } else if (x != null && compare(x, y) == 0) {
            found = true;
          }
        }
        Boolean r = found ? Boolean.TRUE : unknown ? null : Boolean.FALSE;
        yield r == null ? null : r != in.negated();
      }
      case Between b -> {
        Object x = eval(b.operand());
        Object lo = eval(b.low());
        Object hi = eval(b.high());
        Boolean ge = x == null || lo == null ? null : compare(x, lo) >= 0;
        Boolean le = x == null || hi == null ? null : compare(x, hi) <= 0;
        Boolean both = Boolean.FALSE.equals(ge) || Boolean.FALSE.equals(le) ? Boolean.FALSE
            : ge == null || le == null ? null : Boolean.TRUE;
        yield both == null ? null : both != b.negated();
      }
      case SearchedCase c -> {
        for (When w : c.whens()) {
          if (Boolean.TRUE.equals(eval(w.when()))) {
            yield convert(eval(w.then()), typeOf(c));
          }
        }
        yield convert(eval(c.otherwise()), typeOf(c));
      }
      case SimpleCase c -> {
        Object x = eval(c.operand());
        for (When w : c.whens()) {
          Object v = eval(w.when());
          if (x != null && v != null && compare(x, v) == 0) {
            yield convert(eval(w.then()), typeOf(c));
          }
        }
        yield convert(eval(c.otherwise()), typeOf(c));
      }
      case Call c -> call(c);
      case Cast c -> cast(eval(c.operand()), typeOf(c.operand()), c.type());
    };
  }

  private Object binary(Binary b) {
    switch (b.operator()) {
      case AND -> {
        Object l = eval(b.left());
        Object r = eval(b.right());
        if (Boolean.FALSE.equals(l) || Boolean.FALSE.equals(r)) {
          return false;
        }
        return l == null || r == null ? null : true;
      }
      case OR -> {
        Object l = eval(b.left());
        Object r = eval(b.right());
        if (Boolean.TRUE.equals(l) || Boolean.TRUE.equals(r)) {
          return true;
        }
        return l == null || r == null ? null : false;
      }
      default -> { }
    }
    Object l = eval(b.left());
    Object r = eval(b.right());
    if (l == null || r == null) {
      return null;
    }
    if (b.operator().isComparison()) {
      int c = compare(l, r);
      return switch (b.operator()) {
        case EQUAL -> c == 0;
        case NOT_EQUAL -> c != 0;
        case LESS -> c < 0;
        case LESS_OR_EQUAL -> c <= 0;
        case GREATER -> c > 0;
        default -> c >= 0;
      };
    }
    ScalarType type = (ScalarType) typeOf(b);
    Number x = (Number) l;
    Number y = (Number) r;
    if (type.isIntegral()) {
      BigInteger p = BigInteger.valueOf(x.longValue());
      BigInteger q = BigInteger.valueOf(y.longValue());
      BigInteger result = switch (b.operator()) {
        case ADD -> p.add(q);
        case SUBTRACT -> p.subtract(q);
        case MULTIPLY -> p.multiply(q);
        case MODULO -> q.signum() == 0 ? null : p.remainder(q);
        default -> throw new AssertionError(b.operator());
      };
      return result == null ? null : fitInteger(result, type);
    }
    if (type == ScalarType.FLOAT32) {
      float p = x.floatValue();
      float q = y.floatValue();
      return switch (b.operator()) {
        case ADD -> finite(p + q);
        case SUBTRACT -> finite(p - q);
        case MULTIPLY -> finite(p * q);
        case MODULO -> q == 0 ? null : finite(p % q);
        default -> throw new AssertionError(b.operator());
      };
    }
    double p = x.doubleValue();
    double q = y.doubleValue();
    return switch (b.operator()) {
      case ADD -> finite(p + q);
      case SUBTRACT -> finite(p - q);
      case MULTIPLY -> finite(p * q);
      case DIVIDE, MODULO -> q == 0 ? null : finite(b.operator() == Expression.Operator.DIVIDE ? p / q : p % q);
      default -> throw new AssertionError(b.operator());
    };
  }

  private static Object negate(Number n) {
    return switch (n) {
      case Integer i -> BigInteger.valueOf(i).negate();
      case Long l -> BigInteger.valueOf(l).negate();
      case Float f -> -f;
      default -> -n.doubleValue();
    };
  }

  private static Object fit(Object v, ScalarType type) {
    return v instanceof BigInteger b ? fitInteger(b, type) : v instanceof Float f ? finite(f) : finite((Double) v);
  }

  private static Object fitInteger(BigInteger v, ScalarType type) {
    if (type == ScalarType.INT32) {
      return v.compareTo(INT32_MIN) < 0 || v.compareTo(INT32_MAX) > 0 ? null : v.intValue();
    }
    return v.compareTo(INT64_MIN) < 0 || v.compareTo(INT64_MAX) > 0 ? null : v.longValue();
  }

  private static Object finite(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
  }

  private static Object finite(float f) {
    return Float.isNaN(f) || Float.isInfinite(f) ? null : f;
  }

  /** Compares two non-null values of comparable types. */
  static int compare(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      boolean integral = (x instanceof Integer || x instanceof Long) && (y instanceof Integer || y instanceof Long);
      if (integral) {
        return BigInteger.valueOf(x.longValue()).compareTo(BigInteger.valueOf(y.longValue()));
      }
      double p = x.doubleValue();
      double q = y.doubleValue();
      if (Double.isNaN(p) || Double.isNaN(q)) {
        return Double.isNaN(p) && Double.isNaN(q) ? 0 : Double.isNaN(p) ? 1 : -1;
      }
      if (Double.isInfinite(p) || Double.isInfinite(q)) {
        return p == q ? 0 : p < q ? -1 : 1;
      }
      return new BigDecimal(p).compareTo(new BigDecimal(q));
    }
    return switch (a) {
      case String s -> Arrays.compare(s.codePoints().toArray(), ((String) b).codePoints().toArray());
      case Boolean x -> (x ? 1 : 0) - ((Boolean) b ? 1 : 0);
      case Instant t -> t.compareTo((Instant) b);
      case byte[] bytes -> Arrays.equals(bytes, (byte[]) b) ? 0 : 1;
      default -> throw new AssertionError("cannot compare " + a);
    };
  }

  /** A value of a numeric type widened to another (case results, coalesce, least, greatest). */
  private static Object convert(Object v, ValueType to) {
    if (v == null || to == null || !to.isNumeric()) {
      return v;
    }
    Number n = (Number) v;
    return switch ((ScalarType) to) {
      case INT32 -> n.intValue();
      case INT64 -> n.longValue();
      case FLOAT32 -> n.floatValue();
      default -> n.doubleValue();
    };
  }

  private Object call(Call c) {
    List<Object> args = new ArrayList<>();
    for (Expression a : c.arguments()) {
      args.add(eval(a));
    }
    ValueType type = typeOf(c);
    String f = c.function();
    switch (f) {
      case "coalesce" -> {
        for (Object a : args) {
          if (a != null) {
            return convert(a, type);
          }
        }
        return null;
      }
      case "least", "greatest" -> {
        Object best = null;
        for (Object a : args) {
          if (a == null) {
            continue;
          }
          Object v = convert(a, type);
          int cmp = best == null ? 0 : compare(v, best);
          if (best == null || (f.equals("least") ? cmp < 0 : cmp > 0)) {
            best = v;
          }
        }
        return best;
      }
      case "concat" -> {
        StringBuilder b = new StringBuilder();
        args.forEach(a -> b.append(a == null ? "" : a));
        return b.toString();
      }
      case "nullif" -> {
        if (args.get(0) == null) {
          return null;
        }
        return args.get(1) != null && compare(args.get(0), args.get(1)) == 0 ? null : args.get(0);
      }
      default -> { }
    }
    if (args.contains(null)) {
      return null;
    }
    Object x = args.getFirst();
    return switch (f) {
      case "abs" -> x instanceof Integer || x instanceof Long
          ? fitInteger(BigInteger.valueOf(((Number) x).longValue()).abs(), (ScalarType) type)
          : x instanceof Float v ? finite(Math.abs(v)) : finite(Math.abs((Double) x));
      case "ln" -> finite(Math.log(((Number) x).doubleValue()));
      case "exp" -> finite(Math.exp(((Number) x).doubleValue()));
      case "sqrt" -> finite(Math.sqrt(((Number) x).doubleValue()));
      case "pow" -> finite(Math.pow(((Number) x).doubleValue(), ((Number) args.get(1)).doubleValue()));
      case "floor", "ceil" -> x instanceof Integer || x instanceof Long ? x
          : finite(f.equals("floor") ? Math.floor(((Number) x).doubleValue()) : Math.ceil(((Number) x).doubleValue()));
      case "round" -> round(x, args.size() > 1 ? ((Number) args.get(1)).longValue() : 0);
      case "lower" -> ((String) x).toLowerCase(java.util.Locale.ROOT);
      case "upper" -> ((String) x).toUpperCase(java.util.Locale.ROOT);
      case "length" -> (long) ((String) x).codePoints().count();
      case "substr" -> substr((String) x, ((Number) args.get(1)).longValue(),
          args.size() > 2 ? ((Number) args.get(2)).longValue() : null);
      case "contains" -> ((String) x).contains((String) args.get(1));
      case "starts_with" -> ((String) x).startsWith((String) args.get(1));
      case "year" -> (long) utc(x).getYear();
      case "month" -> (long) utc(x).getMonthValue();
      case "day" -> (long) utc(x).getDayOfMonth();
      case "day_of_week" -> (long) utc(x).getDayOfWeek().getValue();
      case "hour" -> (long) utc(x).getHour();
      case "epoch_seconds" -> Math.floorDiv(micros((Instant) x), 1_000_000L);
      default -> throw new AssertionError("no naive " + f);
    };
  }

  private static ZonedDateTime utc(Object t) {
    return ((Instant) t).atZone(ZoneOffset.UTC);
  }

  private static long micros(Instant t) {
    return BigInteger.valueOf(t.getEpochSecond()).multiply(BigInteger.valueOf(1_000_000))
        .add(BigInteger.valueOf(t.getNano() / 1000)).longValueExact();
  }

  private static Object round(Object x, long digits) {
    if (x instanceof Integer || x instanceof Long) {
      if (digits >= 0) {
        return x;
      }
      BigInteger unit = BigInteger.TEN.pow((int) Math.min(-digits, 40));
      BigInteger v = BigInteger.valueOf(((Number) x).longValue());
      BigInteger[] qr = v.abs().divideAndRemainder(unit);
      BigInteger q = qr[1].shiftLeft(1).compareTo(unit) >= 0 ? qr[0].add(BigInteger.ONE) : qr[0];
      BigInteger r = q.multiply(unit).multiply(BigInteger.valueOf(v.signum() < 0 ? -1 : 1));
      return fitInteger(r, x instanceof Integer ? ScalarType.INT32 : ScalarType.INT64);
    }
    double v = ((Number) x).doubleValue();
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return null;
    }
    BigDecimal decimal = new BigDecimal(Double.toString(v));
    double r = digits > 400 ? v : digits < -400 ? 0.0 : decimal.setScale((int) digits, RoundingMode.HALF_UP).doubleValue();
    return finite(Math.copySign(r, v));
  }

  private static String substr(String s, long start, Long length) {
    if (length != null && length < 0) {
      return null;
    }
    int[] cps = s.codePoints().toArray();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cps.length; i++) {
      long pos = i + 1L;
      boolean afterStart = pos >= start;
      boolean beforeEnd = length == null || BigInteger.valueOf(pos).compareTo(
          BigInteger.valueOf(start).add(BigInteger.valueOf(length))) < 0;
      if (afterStart && beforeEnd) {
        b.appendCodePoint(cps[i]);
      }
    }
    return b.toString();
  }

  private static Object cast(Object v, ValueType from, ValueType to) {
    if (v == null || from == null || from.equals(to)) {
      return v;
    }
    ScalarType t = (ScalarType) to;
    switch (v) {
      case Boolean b when t == ScalarType.STRING -> {
        return b ? "true" : "false";
      }
      case Boolean b -> {
        return cast(b ? 1L : 0L, ScalarType.INT64, to);
      }
      case Instant ts when t == ScalarType.STRING -> {
        return ts.toString();
      }
      case Instant ts -> {
        return micros(ts);
      }
      case Long l when t == ScalarType.TIMESTAMP -> {
        return Instant.EPOCH.plusNanos(0).plusSeconds(Math.floorDiv(l, 1_000_000L)).plusNanos(Math.floorMod(l, 1_000_000L) * 1000);
      }
      case String s -> {
        return fromString(s.strip(), t);
      }
      default -> { }
    }
    Number n = (Number) v;
    boolean integral = n instanceof Integer || n instanceof Long;
    if (t == ScalarType.STRING) {
      return integral ? n.toString() : (n instanceof Float f ? Float.toString(f) : Double.toString((Double) n)).toLowerCase(java.util.Locale.ROOT);
    }
    if (t.isIntegral()) {
      if (integral) {
        return fitInteger(BigInteger.valueOf(n.longValue()), t);
      }
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return null;
      }
      return fitInteger(new BigDecimal(d).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact(), t);
    }
    if (t == ScalarType.FLOAT32) {
      boolean overflow = Float.isInfinite(n.floatValue()) && !Double.isInfinite(n.doubleValue()) && !Double.isNaN(n.doubleValue());
      return overflow ? null : n.floatValue();
    }
    return n.doubleValue();
  }

  private static Object fromString(String s, ScalarType t) {
    switch (t) {
      case BOOL -> {
        return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
      }
      case TIMESTAMP -> {
        try {
          return ExpressionParser.parse("timestamp '" + s.replace("'", "''") + "'") instanceof TimestampLiteral l ? l.value() : null;
        } catch (ExpressionException e) {
          return null;
        }
      }
      case INT32, INT64 -> {
        if (!s.matches("[+-]?[0-9]+")) {
          return null;
        }
        return fitInteger(new BigInteger(s), t);
      }
      default -> {
        if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
          return null;
        }
        return t == ScalarType.FLOAT32 ? finite(Float.parseFloat(s)) : finite(Double.parseDouble(s));
      }
    }
  }
}
