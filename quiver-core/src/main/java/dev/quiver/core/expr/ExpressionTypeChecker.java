package dev.quiver.core.expr;

import static dev.quiver.core.expr.TypeRules.quote;
import static dev.quiver.core.expr.TypeRules.show;

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
import dev.quiver.core.expr.Expression.Operator;
import dev.quiver.core.expr.Expression.Reference;
import dev.quiver.core.expr.Expression.SearchedCase;
import dev.quiver.core.expr.Expression.SimpleCase;
import dev.quiver.core.expr.Expression.StringLiteral;
import dev.quiver.core.expr.Expression.TimestampLiteral;
import dev.quiver.core.expr.Expression.When;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Works out the type of an expression, given the types of the names it reads, or explains why it
 * has none. The rules (numeric promotion int32 &lt; int64 &lt; float32 &lt; float64, {@code /}
 * always float64, comparisons between numbers or between equal types, and so on) are listed in
 * docs/expressions.md.
 *
 * <p>Immutable; safe to use from several threads when the reference resolver is.
 */
public final class ExpressionTypeChecker {
  private final Function<String, Optional<ValueType>> resolver;
  private final List<String> knownNames;

  /**
   * A checker that looks names up with {@code resolver} and suggests nothing for unknown names.
   *
   * @param resolver maps a dotted reference name ({@code user_txn.amount_avg_30d}) to its type, or
   *     to empty when no such name exists; must not return null
   */
  public ExpressionTypeChecker(Function<String, Optional<ValueType>> resolver) {
    this(resolver, List.of());
  }

  /**
   * A checker that looks names up with {@code resolver} and, for an unknown name, suggests the
   * closest of {@code knownNames} ("did you mean 'amount_avg_30d'?").
   */
  public ExpressionTypeChecker(
      Function<String, Optional<ValueType>> resolver, Collection<String> knownNames) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.knownNames = List.copyOf(knownNames);
  }

  /** A checker over a fixed set of names and their types; suggests among them. */
  public static ExpressionTypeChecker of(Map<String, ? extends ValueType> references) {
    Map<String, ValueType> copy = Map.copyOf(references);
    return new ExpressionTypeChecker(
        name -> Optional.ofNullable(copy.get(name)), copy.keySet().stream().sorted().toList());
  }

  /**
   * The type of the expression's values.
   *
   * @throws ExpressionException when a name is unknown or an operator or function is applied to
   *     values of the wrong type, or when the expression is always null and so has no type (write
   *     {@code cast(null as T)}); the message quotes the offending part and says what to write
   * @throws NullPointerException when expression is null
   */
  public ValueType check(Expression expression) {
    ValueType type = typeOf(Objects.requireNonNull(expression, "expression"));
    if (type == null) {
      throw new ExpressionException(
          quote(expression) + " is always null, so it has no type; give it one with a cast,"
              + " as in cast(null as float64)");
    }
    return type;
  }

  /** The type, or Java null for an expression whose only value is the null literal. */
  private ValueType typeOf(Expression e) {
    return switch (e) {
      case NullLiteral n -> null;
      case BoolLiteral b -> ScalarType.BOOL;
      case IntLiteral i -> ScalarType.INT64;
      case FloatLiteral f -> ScalarType.FLOAT64;
      case StringLiteral s -> ScalarType.STRING;
      case TimestampLiteral t -> ScalarType.TIMESTAMP;
      case Reference r -> reference(r);
      case Negate n -> negate(n);
      case Not n -> {
        requireBool(typeOf(n.operand()), n.operand(), "'not'");
        yield ScalarType.BOOL;
      }
      case Binary b -> binary(b);
      case IsNull n -> {
        typeOf(n.operand());
        yield ScalarType.BOOL;
      }
      case In in -> in(in);
      case Between b -> {
        ValueType t = typeOf(b.operand());
        ValueType low = typeOf(b.low());
        ValueType high = typeOf(b.high());
        TypeRules.requireComparable(b, t, low, true, b.operand(), b.low());
        TypeRules.requireComparable(b, t, high, true, b.operand(), b.high());
        TypeRules.requireComparable(b, low, high, true, b.low(), b.high());
        yield ScalarType.BOOL;
      }
      case SearchedCase c -> {
        for (When w : c.whens()) {
          requireBool(typeOf(w.when()), w.when(), "a 'when' condition");
        }
        yield results(c.whens(), c.otherwise());
      }
      case SimpleCase c -> simpleCase(c);
      case Call c -> call(c);
      case Cast c -> cast(c);
    };
  }

  private ValueType reference(Reference r) {
    String name = r.name();
    Optional<ValueType> type = resolver.apply(name);
    if (type == null || type.isEmpty()) {
      throw new ExpressionException(
          "unknown reference '" + name + "'" + NameSuggestion.hint(name, knownNames));
    }
    return type.get();
  }

  private ValueType negate(Negate n) {
    ValueType t = typeOf(n.operand());
    if (!TypeRules.isNumericOrNull(t)) {
      throw new ExpressionException(
          "unary '-' needs a number, but " + quote(n.operand()) + " is " + show(t)
              + (t == ScalarType.BOOL ? "; use 'not' to negate a bool" : ""));
    }
    return t;
  }

  private static void requireBool(ValueType t, Expression e, String where) {
    if (t != null && t != ScalarType.BOOL) {
      String hint =
          t.isNumeric()
              ? "; compare it, as in "
                  + new Binary(Operator.GREATER, e, new IntLiteral(0)).render()
              : "";
      throw new ExpressionException(
          where + " needs a bool, but " + quote(e) + " is " + show(t) + hint);
    }
  }

  private ValueType binary(Binary b) {
    ValueType left = typeOf(b.left());
    ValueType right = typeOf(b.right());
    Operator op = b.operator();
    if (op.isLogical()) {
      requireBool(left, b.left(), "'" + op.symbol() + "'");
      requireBool(right, b.right(), "'" + op.symbol() + "'");
      return ScalarType.BOOL;
    }
    if (op.isComparison()) {
      boolean ordered = op != Operator.EQUAL && op != Operator.NOT_EQUAL;
      TypeRules.requireComparable(b, left, right, ordered, b.left(), b.right());
      return ScalarType.BOOL;
    }
    if (!TypeRules.isNumericOrNull(left) || !TypeRules.isNumericOrNull(right)) {
      throw new ExpressionException(
          "'" + op.symbol() + "' needs numbers, but " + operandTypes(b, left, right)
              + arithmeticHint(b, left, right));
    }
    if (op == Operator.DIVIDE) {
      return ScalarType.FLOAT64;
    }
    if (left == null || right == null) {
      return left == null ? right : left;
    }
    return TypeRules.wider(left, right);
  }

  private static String operandTypes(Binary b, ValueType left, ValueType right) {
    if (!TypeRules.isNumericOrNull(left) && !TypeRules.isNumericOrNull(right)) {
      String types = Objects.equals(left, right) ? show(left) : show(left) + " and " + show(right);
      return "both sides of " + quote(b) + " are " + types;
    }
    Expression bad = TypeRules.isNumericOrNull(left) ? b.right() : b.left();
    ValueType badType = TypeRules.isNumericOrNull(left) ? right : left;
    return quote(bad) + " is " + show(badType) + ", in " + quote(b);
  }

  private static String arithmeticHint(Binary b, ValueType left, ValueType right) {
    boolean strings = left == ScalarType.STRING || right == ScalarType.STRING;
    if (b.operator() == Operator.ADD && strings) {
      Call concat = Call.of("concat", asString(b.left(), left), asString(b.right(), right));
      String hint = "; to join strings use " + concat.render();
      if (TypeRules.isNumericOrNull(left) || TypeRules.isNumericOrNull(right)) {
        Expression text = left == ScalarType.STRING ? b.left() : b.right();
        hint += ", or to add a number held in a string use cast(" + text.render() + " as float64)";
      }
      return hint;
    }
    if (strings) {
      Expression text = left == ScalarType.STRING ? b.left() : b.right();
      return "; convert the string with cast(" + text.render() + " as float64)";
    }
    if (left == ScalarType.TIMESTAMP && right == ScalarType.TIMESTAMP
        && b.operator() == Operator.SUBTRACT) {
      return "; for the seconds between two times write "
          + new Binary(Operator.SUBTRACT, Call.of("epoch_seconds", b.left()),
              Call.of("epoch_seconds", b.right())).render();
    }
    if (left == ScalarType.TIMESTAMP || right == ScalarType.TIMESTAMP) {
      return "; use epoch_seconds(ts) to get a number from a timestamp";
    }
    if (left == ScalarType.BOOL || right == ScalarType.BOOL) {
      return "; use 'and', 'or' and 'not' for bools, or cast(x as int64) to count them";
    }
    return "";
  }

  private static Expression asString(Expression e, ValueType type) {
    return type == ScalarType.STRING ? e : new Cast(e, ScalarType.STRING);
  }

  private ValueType in(In in) {
    ValueType t = typeOf(in.operand());
    for (Expression value : in.values()) {
      TypeRules.requireComparable(in, t, typeOf(value), false, in.operand(), value);
    }
    return ScalarType.BOOL;
  }

  private ValueType simpleCase(SimpleCase c) {
    ValueType t = typeOf(c.operand());
    for (When w : c.whens()) {
      ValueType v = typeOf(w.when());
      TypeRules.requireComparable(c, t, v, false, c.operand(), w.when());
    }
    return results(c.whens(), c.otherwise());
  }

  /** The common type of the case's results. */
  private ValueType results(List<When> whens, Expression otherwise) {
    List<Expression> sources = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    for (When w : whens) {
      sources.add(w.then());
    }
    sources.add(otherwise);
    for (Expression e : sources) {
      ValueType t = typeOf(e);
      TypeRules.requireScalar(t, e, "the result of case");
      types.add(t);
    }
    return TypeRules.unify(types, sources, "the results of case");
  }

  private ValueType call(Call c) {
    BuiltinFunction function =
        BuiltinFunction.byName(c.function())
            .orElseThrow(
                () -> new ExpressionException(BuiltinFunction.unknownMessage(c.function())));
    function.checkArity(c.arguments().size(), -1);
    List<ValueType> types = new ArrayList<>(c.arguments().size());
    for (Expression argument : c.arguments()) {
      ValueType t = typeOf(argument);
      if (function != BuiltinFunction.COALESCE) {
        TypeRules.requireScalar(t, argument, "an argument of " + c.function() + "()");
      }
      types.add(t);
    }
    return function.type(c, types);
  }

  private ValueType cast(Cast c) {
    ValueType from = typeOf(c.operand());
    if (!TypeRules.castable(from, c.type())) {
      throw new ExpressionException(
          "cannot cast " + show(from) + " to " + show(c.type()) + " in " + quote(c)
              + (from instanceof ListType || c.type() instanceof ListType
                  ? "; lists can only be passed on (a reference, coalesce(), is null)"
                  : TypeRules.castHint(from, c.type(), c.operand())));
    }
    return c.type();
  }
}
