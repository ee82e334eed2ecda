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
import dev.quiver.core.expr.Expression.Operator;
import dev.quiver.core.expr.Expression.Reference;
import dev.quiver.core.expr.Expression.SearchedCase;
import dev.quiver.core.expr.Expression.SimpleCase;
import dev.quiver.core.expr.Expression.StringLiteral;
import dev.quiver.core.expr.Expression.TimestampLiteral;
import dev.quiver.core.expr.Expression.When;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a type-checked {@link Expression} into a tree of {@link Eval} closures. Each sub-expression
 * is typed bottom-up with the same rules as {@link ExpressionTypeChecker} (run first, for its
 * messages), and each closure produces values of its sub-expression's type, widening numbers where
 * the rules unify types (case results, coalesce, least, greatest).
 */
final class ExpressionCompiler {
  /** One compiled node: the value for a row of inputs. */
  @FunctionalInterface
  interface Eval {
    Object eval(Object[] in);
  }

  /** A compiled node and its type (null for the null literal). */
  record Typed(Eval eval, ValueType type) {}

  static final Eval NULL = in -> null;

  private final Map<String, Integer> slots;
  private final Map<String, ValueType> scope;

  ExpressionCompiler(Map<String, Integer> slots, Map<String, ValueType> scope) {
    this.slots = slots;
    this.scope = scope;
  }

  Typed compile(Expression e) {
    return switch (e) {
      case NullLiteral n -> new Typed(NULL, null);
      case BoolLiteral b -> constant(b.value(), ScalarType.BOOL);
      case IntLiteral i -> constant(i.value(), ScalarType.INT64);
      case FloatLiteral f -> constant(f.value(), ScalarType.FLOAT64);
      case StringLiteral s -> constant(s.value(), ScalarType.STRING);
      case TimestampLiteral t -> constant(t.value(), ScalarType.TIMESTAMP);
      case Reference r -> reference(r);
      case Negate n -> {
        Typed x = compile(n.operand());
        yield new Typed(x.type() == null ? NULL : Arithmetic.negate(x.eval(), (ScalarType) x.type()), x.type());
      }
      case Not n -> {
        Eval x = compile(n.operand()).eval();
        yield new Typed(in -> {
          Object v = x.eval(in);
          return v == null ? null : !(Boolean) v;
        }, ScalarType.BOOL);
      }
      case Binary b -> binary(b);
      case IsNull n -> {
        Eval x = compile(n.operand()).eval();
        boolean negated = n.negated();
        yield new Typed(in -> (x.eval(in) == null) != negated, ScalarType.BOOL);
      }
      case In in -> in(in);
      case Between b -> between(b);
      case SearchedCase c -> searchedCase(c);
      case SimpleCase c -> simpleCase(c);
      case Call c -> Functions.compile(this, c);
      case Cast c -> {
        Typed x = compile(c.operand());
        yield new Typed(x.type() == null ? NULL : Casts.cast(x.eval(), x.type(), c.type()), c.type());
      }
    };
  }

  private static Typed constant(Object value, ScalarType type) {
    return new Typed(in -> value, type);
  }

  private Typed reference(Reference r) {
    Integer slot = slots.get(r.name());
    if (slot == null) {
      throw new ExpressionException("unknown reference '" + r.name() + "'");
    }
    int i = slot;
    return new Typed(in -> in[i], scope.get(r.name()));
  }

  private Typed binary(Binary b) {
    Operator op = b.operator();
    Typed left = compile(b.left());
    Typed right = compile(b.right());
    if (op == Operator.AND) {
      return new Typed(Logic.and(left.eval(), right.eval()), ScalarType.BOOL);
    }
    if (op == Operator.OR) {
      return new Typed(Logic.or(left.eval(), right.eval()), ScalarType.BOOL);
    }
    if (op.isComparison()) {
      return new Typed(Comparisons.compare(op, left, right), ScalarType.BOOL);
    }
    ValueType type;
    if (op == Operator.DIVIDE) {
      type = ScalarType.FLOAT64;
    } else if (left.type() == null || right.type() == null) {
      type = left.type() == null ? right.type() : left.type();
    } else {
      type = TypeRules.wider(left.type(), right.type());
    }
    if (left.type() == null || right.type() == null) {
      return new Typed(NULL, type);
    }
    return new Typed(Arithmetic.binary(op, left.eval(), right.eval(), (ScalarType) type), type);
  }

  private Typed in(In in) {
    Typed x = compile(in.operand());
    List<Eval> tests = new ArrayList<>();
    for (Expression value : in.values()) {
      tests.add(Comparisons.compare(Operator.EQUAL, x, compile(value)));
    }
    Eval[] t = tests.toArray(Eval[]::new);
    boolean negated = in.negated();
    return new Typed(row -> {
      boolean sawNull = false;
      for (Eval test : t) {
        Object r = test.eval(row);
        if (r == null) {
          sawNull = true;
        } else if ((Boolean) r) {
          return !negated;
        }
      }
      return sawNull ? null : negated;
    }, ScalarType.BOOL);
  }

  private Typed between(Between b) {
    Typed x = compile(b.operand());
    Eval low = Comparisons.compare(Operator.GREATER_OR_EQUAL, x, compile(b.low()));
    Eval high = Comparisons.compare(Operator.LESS_OR_EQUAL, x, compile(b.high()));
    Eval both = Logic.and(low, high);
    if (!b.negated()) {
      return new Typed(both, ScalarType.BOOL);
    }
    return new Typed(in -> {
      Object v = both.eval(in);
      return v == null ? null : !(Boolean) v;
    }, ScalarType.BOOL);
  }

  private Typed searchedCase(SearchedCase c) {
    int n = c.whens().size();
    Eval[] conditions = new Eval[n];
    List<Typed> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      When w = c.whens().get(i);
      conditions[i] = compile(w.when()).eval();
      results.add(compile(w.then()));
    }
    results.add(compile(c.otherwise()));
    ValueType type = unify(results);
    Eval[] then = widenAll(results, type);
    Eval otherwise = then[n];
    return new Typed(in -> {
      for (int i = 0; i < conditions.length; i++) {
        if (conditions[i].eval(in) == Boolean.TRUE) {
          return then[i].eval(in);
        }
      }
      return otherwise.eval(in);
    }, type);
  }

  private Typed simpleCase(SimpleCase c) {
    Typed x = compile(c.operand());
    int n = c.whens().size();
    Eval[] matches = new Eval[n];
    List<Typed> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      When w = c.whens().get(i);
      matches[i] = Comparisons.compare(Operator.EQUAL, x, compile(w.when()));
      results.add(compile(w.then()));
    }
    results.add(compile(c.otherwise()));
    ValueType type = unify(results);
    Eval[] then = widenAll(results, type);
    Eval otherwise = then[n];
    return new Typed(in -> {
      for (int i = 0; i < matches.length; i++) {
        if (matches[i].eval(in) == Boolean.TRUE) {
          return then[i].eval(in);
        }
      }
      return otherwise.eval(in);
    }, type);
  }

  /** The common type of several compiled values (null when all are the null literal). */
  static ValueType unify(List<Typed> values) {
    ValueType result = null;
    for (Typed t : values) {
      if (t.type() == null) {
        continue;
      }
      result = result == null ? t.type()
          : result.isNumeric() && t.type().isNumeric() ? TypeRules.wider(result, t.type()) : result;
    }
    return result;
  }

  /** Each value converted to {@code type} (numbers widened). */
  static Eval[] widenAll(List<Typed> values, ValueType type) {
    Eval[] out = new Eval[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = widen(values.get(i), type);
    }
    return out;
  }

  /** The value converted to {@code to}: unchanged unless a number must widen. */
  static Eval widen(Typed value, ValueType to) {
    if (value.type() == null) {
      return NULL;
    }
    if (value.type().equals(to) || !to.isNumeric()) {
      return value.eval();
    }
    return Casts.cast(value.eval(), value.type(), to);
  }
}
