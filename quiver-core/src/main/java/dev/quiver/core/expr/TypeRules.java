package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.Call;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.List;

/**
 * The type algebra shared by the type checker and the function table: numeric promotion,
 * unification, comparability, casts, and the messages for when they fail.
 *
 * <p>Here a Java {@code null} type stands for the type of the {@code null} literal, which fits
 * everywhere and gives way to any other type.
 */
final class TypeRules {
  private TypeRules() {}

  /** How long a quoted sub-expression may get in a message before it is shortened. */
  private static final int QUOTE_LIMIT = 60;

  static String show(ValueType type) {
    return type == null ? "null" : type.spelling();
  }

  /**
   * The sub-expression in quotes, shortened when long: {@code 'a + 1'}, or with backquotes when it
   * holds a quote itself, as in {@code `lower('A')`}.
   */
  static String quote(Expression e) {
    String text = e.render();
    if (text.length() > QUOTE_LIMIT) {
      text = text.substring(0, QUOTE_LIMIT - 3) + "...";
    }
    return text.indexOf('\'') >= 0 ? "`" + text + "`" : "'" + text + "'";
  }

  static boolean isNumericOrNull(ValueType type) {
    return type == null || type.isNumeric();
  }

  /** The wider of two numeric types in int32 < int64 < float32 < float64. */
  static ValueType wider(ValueType a, ValueType b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(ValueType t) {
    return switch ((ScalarType) t) {
      case INT32 -> 0;
      case INT64 -> 1;
      case FLOAT32 -> 2;
      case FLOAT64 -> 3;
      default -> throw new IllegalArgumentException("not numeric: " + t);
    };
  }

  /**
   * The one type values from several places (case results, coalesce arguments) share: equal types,
   * or the widest numeric type; null literals fit any type.
   *
   * @param what how the message names the places, e.g. "the results of case"
   */
  static ValueType unify(List<ValueType> types, List<Expression> sources, String what) {
    ValueType result = null;
    int first = -1;
    for (int i = 0; i < types.size(); i++) {
      ValueType t = types.get(i);
      if (t == null) {
        continue;
      }
      if (result == null) {
        result = t;
        first = i;
      } else if (result.isNumeric() && t.isNumeric()) {
        result = wider(result, t);
      } else if (!result.equals(t)) {
        Expression a = sources.get(first);
        Expression b = sources.get(i);
        String hint =
            castable(t, result) && !(t instanceof ListType)
                ? "; convert one, as in " + new Expression.Cast(b, result).render()
                : "";
        throw new ExpressionException(
            what + " must have one type, but " + quote(a) + " is " + show(types.get(first))
                + " and " + quote(b) + " is " + show(t) + hint);
      }
    }
    return result;
  }

  /** Whether {@code =} and {@code !=} apply: both numeric, or both the same scalar type. */
  static boolean comparable(ValueType a, ValueType b) {
    if (a instanceof ListType || b instanceof ListType) {
      return false;
    }
    return a == null || b == null || (a.isNumeric() && b.isNumeric()) || a.equals(b);
  }

  /**
   * Checks that two operands can be compared, for equality only or also for order.
   *
   * @param whole the expression doing the comparison, quoted in the message
   */
  static void requireComparable(
      Expression whole,
      ValueType a,
      ValueType b,
      boolean ordered,
      Expression left,
      Expression right) {
    if (a instanceof ListType || b instanceof ListType) {
      throw new ExpressionException(
          "lists cannot be compared, in " + quote(whole)
              + "; lists can only be passed on (a reference, coalesce(), is null)");
    }
    if (!comparable(a, b)) {
      String hint = comparisonHint(a, b, left, right);
      throw new ExpressionException(
          "cannot compare " + show(a) + " with " + show(b) + " in " + quote(whole)
              + "; both sides must be numbers or have the same type" + hint);
    }
    ValueType t = a != null ? a : b;
    if (ordered && t != null && !t.isOrderable()) {
      throw new ExpressionException(
          show(t) + " values have no order, in " + quote(whole) + "; only = and != apply to them");
    }
  }

  private static String comparisonHint(
      ValueType a, ValueType b, Expression left, Expression right) {
    if (a == ScalarType.TIMESTAMP && b == ScalarType.STRING
        || a == ScalarType.STRING && b == ScalarType.TIMESTAMP) {
      Expression text = a == ScalarType.STRING ? left : right;
      return "; write the time as a timestamp literal, as in timestamp '2024-01-01T00:00:00Z', or "
          + "use cast(" + text.render() + " as timestamp)";
    }
    if (a == ScalarType.STRING || b == ScalarType.STRING) {
      Expression other = a == ScalarType.STRING ? right : left;
      return "; convert one side, as in cast(" + other.render() + " as string)";
    }
    return "";
  }

  /** Whether {@code cast(x as to)} is allowed for an x of type {@code from}. */
  static boolean castable(ValueType from, ValueType to) {
    if (from == null || from.equals(to)) {
      return true;
    }
    if (from instanceof ListType || to instanceof ListType) {
      return false;
    }
    ScalarType f = (ScalarType) from;
    ScalarType t = (ScalarType) to;
    if (f.isNumeric() && (t.isNumeric() || t == ScalarType.STRING)) {
      return true;
    }
    return switch (f) {
      case STRING ->
          t.isNumeric() || t == ScalarType.BOOL || t == ScalarType.TIMESTAMP;
      case BOOL -> t.isNumeric() || t == ScalarType.STRING;
      case TIMESTAMP -> t == ScalarType.INT64 || t == ScalarType.STRING;
      case INT64 -> t == ScalarType.TIMESTAMP;
      default -> false;
    };
  }

  static String castHint(ValueType from, ValueType to, Expression operand) {
    if (to == ScalarType.BOOL && from != null && from.isNumeric()) {
      Expression test =
          new Expression.Binary(
              Expression.Operator.NOT_EQUAL, operand, new Expression.IntLiteral(0));
      return "; compare instead, as in " + test.render();
    }
    if (to == ScalarType.TIMESTAMP && from != null && from.isNumeric()) {
      return "; cast to int64 first (a timestamp converts to and from int64 epoch microseconds)";
    }
    if (from == ScalarType.TIMESTAMP && to.isNumeric()) {
      return "; cast to int64 (epoch microseconds), or use epoch_seconds()";
    }
    return "; casts go between numbers, strings, bools (to numbers and strings), and timestamps"
        + " (to and from int64 epoch microseconds and strings)";
  }

  // --- function arguments ---

  private static ExpressionException argument(
      Call call, int index, ValueType actual, String needs, String hint) {
    return new ExpressionException(
        call.function() + "() needs " + needs + " as argument " + (index + 1) + ", but "
            + quote(call.arguments().get(index)) + " is " + show(actual) + hint);
  }

  static ValueType numeric(Call call, List<ValueType> args, int index) {
    ValueType t = args.get(index);
    if (!isNumericOrNull(t)) {
      String hint =
          t == ScalarType.STRING
              ? "; convert it with cast(" + call.arguments().get(index).render() + " as float64)"
              : "";
      throw argument(call, index, t, "a number", hint);
    }
    return t;
  }

  static ValueType integral(Call call, List<ValueType> args, int index) {
    ValueType t = args.get(index);
    if (t != null && !(t instanceof ScalarType s && s.isIntegral())) {
      throw argument(call, index, t, "an integer", "");
    }
    return t;
  }

  static ValueType string(Call call, List<ValueType> args, int index) {
    ValueType t = args.get(index);
    if (t != null && t != ScalarType.STRING) {
      String hint =
          castable(t, ScalarType.STRING)
              ? "; convert it with cast(" + call.arguments().get(index).render() + " as string)"
              : "";
      throw argument(call, index, t, "a string", hint);
    }
    return t;
  }

  static ValueType timestamp(Call call, List<ValueType> args, int index) {
    ValueType t = args.get(index);
    if (t != null && t != ScalarType.TIMESTAMP) {
      String hint =
          t == ScalarType.INT64 || t == ScalarType.STRING
              ? "; convert it with cast(" + call.arguments().get(index).render() + " as timestamp)"
                  + (t == ScalarType.INT64 ? " (reads int64 as epoch microseconds)" : "")
              : "";
      throw argument(call, index, t, "a timestamp", hint);
    }
    return t;
  }

  /** round, floor, ceil: float64 for floats, the same type for integers. */
  static ValueType rounded(ValueType t) {
    if (t == ScalarType.FLOAT32 || t == ScalarType.FLOAT64) {
      return ScalarType.FLOAT64;
    }
    return t;
  }

  /** least, greatest: the arguments' common type, which must have an order. */
  static ValueType ordered(Call call, List<ValueType> args) {
    ValueType t = unify(args, call.arguments(), "the arguments of " + call.function() + "()");
    if (t != null && !t.isOrderable()) {
      throw new ExpressionException(
          call.function() + "() needs values with an order (numbers, strings, timestamps, bools), "
              + "but its arguments are " + show(t));
    }
    return t;
  }

  static void requireScalar(ValueType t, Expression e, String where) {
    if (t instanceof ListType) {
      throw new ExpressionException(
          quote(e) + " is " + show(t) + ", but " + where + " cannot be a list; lists can only be"
              + " passed on (a reference, coalesce(), is null)");
    }
  }
}
