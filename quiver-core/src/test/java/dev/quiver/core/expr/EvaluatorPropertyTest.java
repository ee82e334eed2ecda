package dev.quiver.core.expr;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled evaluator against {@link NaiveInterpreter} on random well-typed expressions and
 * random rows (nulls, zeros, extremes, NaN and infinities included). Values must be identical (floats
 * bit for bit, except that all NaNs are one NaN). A failure prints the seed, the expression and the
 * row; rerun one seed with {@code -Dquiver.eval.seed=N}.
 */
class EvaluatorPropertyTest {
  private static final int EXPRESSIONS = Integer.getInteger("quiver.eval.expressions", 3_000);
  private static final int ROWS = 40;

  private static final Map<String, ScalarType> INPUTS = new LinkedHashMap<>();

  static {
    for (String suffix : List.of("a", "b")) {
      INPUTS.put("i32" + suffix, ScalarType.INT32);
      INPUTS.put("i64" + suffix, ScalarType.INT64);
      INPUTS.put("f32" + suffix, ScalarType.FLOAT32);
      INPUTS.put("f64" + suffix, ScalarType.FLOAT64);
      INPUTS.put("s" + suffix, ScalarType.STRING);
      INPUTS.put("b" + suffix, ScalarType.BOOL);
      INPUTS.put("ts" + suffix, ScalarType.TIMESTAMP);
    }
  }

  private static final List<String> NAMES = List.copyOf(INPUTS.keySet());
  private static final List<ValueType> TYPES = List.copyOf(INPUTS.values());
  private static final ScalarType[] RESULT_TYPES = {
      ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64, ScalarType.STRING,
      ScalarType.BOOL, ScalarType.TIMESTAMP};

  @Test
  void compiledEqualsNaive() {
    long base = Long.getLong("quiver.eval.seed", System.nanoTime());
    int count = Long.getLong("quiver.eval.seed") != null ? 1 : EXPRESSIONS;
    int compared = 0;
    int nonNull = 0;
    for (int n = 0; n < count; n++) {
      long seed = base + n;
      Random r = new Random(seed);
      Expression e = new Generator(r).of(RESULT_TYPES[r.nextInt(RESULT_TYPES.length)], 4);
      CompiledExpression compiled;
      try {
        compiled = CompiledExpression.compile(e, NAMES, TYPES);
      } catch (ExpressionException alwaysNull) {
        continue; // e.g. coalesce(null, null): no type; the checker's own tests cover this
      }
      for (int row = 0; row < ROWS; row++) {
        Object[] values = new Object[NAMES.size()];
        Map<String, Object> byName = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
          values[i] = value(r, (ScalarType) TYPES.get(i));
          byName.put(NAMES.get(i), values[i]);
        }
        Object want = new NaiveInterpreter(Map.copyOf(INPUTS), byName).eval(e);
        Object got = compiled.evaluate(values);
        if (!same(want, got)) {
          throw new AssertionError("seed " + seed + " (-Dquiver.eval.seed=" + seed + "): " + e.render()
              + "\n  row " + byName + "\n  naive " + want + ", compiled " + got);
        }
        compared++;
        nonNull += got == null ? 0 : 1;
      }
    }
    assertThat(compared).as("enough well-typed expressions").isGreaterThan(EXPRESSIONS * ROWS / 2);
    assertThat(nonNull).as("most results are values, not nulls").isGreaterThan(compared / 3);
  }

  static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToLongBits(x) == Double.doubleToLongBits(y);
    }
    if (a instanceof Float x && b instanceof Float y) {
      return Float.floatToIntBits(x) == Float.floatToIntBits(y);
    }
    return Objects.equals(a, b) && (a == null || a.getClass() == b.getClass());
  }

  static Object value(Random r, ScalarType t) {
    if (r.nextInt(6) == 0) {
      return null;
    }
    boolean edge = r.nextInt(8) == 0;
    return switch (t) {
      case INT32 -> edge ? pick(r, 0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE) : r.nextInt(201) - 100;
      case INT64 -> edge ? pick(r, 0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 3037000500L) : (long) r.nextInt(2001) - 1000;
      case FLOAT32 -> edge ? pick(r, 0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, 0.5f, -2.5f)
          : (float) (Math.round(r.nextGaussian() * 1000) / 100.0);
      case FLOAT64 -> edge ? pick(r, 0.0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, 2.5, -0.5, 1e-300)
          : r.nextBoolean() ? r.nextGaussian() * 100 : Math.round(r.nextGaussian() * 1000) / 10.0;
      case STRING -> pick(r, "", "a", "Hello", "hello", "42", " -7 ", "2.5", "1e3", "true", "FALSE", "naïve",
          "😀x", "2024-01-01", "2024-02-29T12:30:00Z", "x'y");
      case BOOL -> r.nextBoolean();
      case TIMESTAMP -> Instant.ofEpochSecond(r.nextLong(-2_000_000_000L, 4_000_000_000L), r.nextInt(1_000_000) * 1000L);
      default -> throw new AssertionError(t);
    };
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... options) {
    return options[r.nextInt(options.length)];
  }

  /** Random expressions of a wanted type. */
  static final class Generator {
    private final Random r;

    Generator(Random r) {
      this.r = r;
    }

    Expression of(ScalarType t, int depth) {
      if (depth <= 0 || r.nextInt(4) == 0) {
        return leaf(t);
      }
      int d = depth - 1;
      if (r.nextInt(12) == 0) {
        return new SearchedCase(List.of(new When(of(ScalarType.BOOL, d), of(t, d))), r.nextBoolean() ? of(t, d) : new NullLiteral());
      }
      if (r.nextInt(12) == 0) {
        return Call.of("coalesce", maybeNull(t, d), of(t, d));
      }
      return switch (t) {
        case INT32 -> switch (r.nextInt(5)) {
          case 0 -> new Binary(arithmetic(false), of(ScalarType.INT32, d), of(ScalarType.INT32, d));
          case 1 -> new Negate(of(ScalarType.INT32, d));
          case 2 -> Call.of("abs", of(ScalarType.INT32, d));
          case 3 -> new Cast(of(pick(r, ScalarType.INT64, ScalarType.FLOAT64, ScalarType.STRING, ScalarType.BOOL), d), ScalarType.INT32);
          default -> Call.of("round", of(ScalarType.INT32, d), new IntLiteral(r.nextInt(7) - 5));
        };
        case INT64 -> switch (r.nextInt(10)) {
          case 0, 1 -> r.nextBoolean()
              ? new Binary(arithmetic(false), of(ScalarType.INT64, d), of(pick(r, ScalarType.INT32, ScalarType.INT64), d))
              : new Binary(arithmetic(false), of(ScalarType.INT32, d), of(ScalarType.INT64, d));
          case 2 -> Call.of(pick(r, "abs", "floor", "ceil"), of(ScalarType.INT64, d));
          case 3 -> Call.of("length", of(ScalarType.STRING, d));
          case 4 -> Call.of(pick(r, "year", "month", "day", "day_of_week", "hour", "epoch_seconds"), of(ScalarType.TIMESTAMP, d));
          case 5 -> new Cast(of(pick(r, ScalarType.INT32, ScalarType.FLOAT32, ScalarType.FLOAT64, ScalarType.STRING,
              ScalarType.BOOL, ScalarType.TIMESTAMP), d), ScalarType.INT64);
          case 6 -> Call.of(pick(r, "least", "greatest"), of(ScalarType.INT64, d), maybeNull(ScalarType.INT32, d));
          case 7 -> Call.of("nullif", of(ScalarType.INT64, d), of(ScalarType.INT64, d));
          case 8 -> new SimpleCase(of(ScalarType.INT64, d), List.of(new When(leaf(ScalarType.INT64), of(ScalarType.INT64, d))), of(ScalarType.INT64, d));
          default -> Call.of("round", of(ScalarType.INT64, d), new IntLiteral(r.nextInt(25) - 22));
        };
        case FLOAT32 -> switch (r.nextInt(3)) {
          case 0 -> new Binary(arithmetic(false), of(ScalarType.FLOAT32, d),
              of(pick(r, ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32), d));
          case 1 -> new Negate(of(ScalarType.FLOAT32, d));
          default -> new Cast(of(pick(r, ScalarType.INT64, ScalarType.FLOAT64, ScalarType.STRING), d), ScalarType.FLOAT32);
        };
        case FLOAT64 -> switch (r.nextInt(7)) {
          case 0 -> new Binary(Operator.DIVIDE, of(numeric(), d), of(numeric(), d));
          case 1 -> new Binary(arithmetic(false), of(ScalarType.FLOAT64, d), of(numeric(), d));
          case 2 -> Call.of(pick(r, "ln", "exp", "sqrt", "floor", "ceil", "round", "abs"), of(pick(r, ScalarType.FLOAT32, ScalarType.FLOAT64), d));
          case 3 -> Call.of("pow", of(numeric(), d), of(numeric(), d));
          case 4 -> Call.of("round", of(pick(r, ScalarType.FLOAT32, ScalarType.FLOAT64), d), new IntLiteral(r.nextInt(9) - 4));
          case 5 -> Call.of(pick(r, "least", "greatest"), of(ScalarType.FLOAT64, d), of(numeric(), d), maybeNull(ScalarType.INT64, d));
          default -> new Cast(of(pick(r, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.STRING, ScalarType.BOOL), d), ScalarType.FLOAT64);
        };
        case STRING -> switch (r.nextInt(6)) {
          case 0 -> Call.of(pick(r, "lower", "upper"), of(ScalarType.STRING, d));
          case 1 -> Call.of("concat", of(ScalarType.STRING, d), maybeNull(ScalarType.STRING, d));
          case 2 -> r.nextBoolean() ? Call.of("substr", of(ScalarType.STRING, d), of(ScalarType.INT64, d))
              : Call.of("substr", of(ScalarType.STRING, d), new IntLiteral(r.nextInt(8) - 2), new IntLiteral(r.nextInt(6) - 1));
          case 3 -> new Cast(of(pick(r, ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64,
              ScalarType.BOOL, ScalarType.TIMESTAMP), d), ScalarType.STRING);
          case 4 -> Call.of(pick(r, "least", "greatest"), of(ScalarType.STRING, d), of(ScalarType.STRING, d));
          default -> Call.of("nullif", of(ScalarType.STRING, d), leaf(ScalarType.STRING));
        };
        case BOOL -> switch (r.nextInt(10)) {
          case 0 -> new Binary(r.nextBoolean() ? Operator.AND : Operator.OR, of(ScalarType.BOOL, d), of(ScalarType.BOOL, d));
          case 1 -> new Not(of(ScalarType.BOOL, d));
          case 2 -> new IsNull(of(EvaluatorPropertyTest.pick(r, RESULT_TYPES), d), r.nextBoolean());
          case 3 -> new Binary(comparison(), of(numeric(), d), of(numeric(), d));
          case 4 -> {
            ScalarType c = pick(r, ScalarType.STRING, ScalarType.TIMESTAMP, ScalarType.BOOL);
            yield new Binary(comparison(), of(c, d), of(c, d));
          }
          case 5 -> new In(of(numeric(), d), List.of(leaf(numeric()), maybeNull(ScalarType.INT64, 0)), r.nextBoolean());
          case 6 -> new Between(of(numeric(), d), of(numeric(), d), maybeNull(numeric(), d), r.nextBoolean());
          case 7 -> Call.of(pick(r, "contains", "starts_with"), of(ScalarType.STRING, d), leaf(ScalarType.STRING));
          case 8 -> new Cast(of(ScalarType.STRING, d), ScalarType.BOOL);
          default -> new In(of(ScalarType.STRING, d), List.of(leaf(ScalarType.STRING), leaf(ScalarType.STRING)), r.nextBoolean());
        };
        case TIMESTAMP -> switch (r.nextInt(3)) {
          case 0 -> new Cast(of(ScalarType.INT64, d), ScalarType.TIMESTAMP);
          case 1 -> new Cast(of(ScalarType.STRING, d), ScalarType.TIMESTAMP);
          default -> Call.of(pick(r, "least", "greatest"), of(ScalarType.TIMESTAMP, d), maybeNull(ScalarType.TIMESTAMP, d));
        };
        default -> throw new AssertionError(t);
      };
    }


    private Expression maybeNull(ScalarType t, int depth) {
      return r.nextInt(5) == 0 ? new NullLiteral() : of(t, depth);
    }

    private ScalarType numeric() {
      return pick(r, ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64);
    }

    private Operator arithmetic(boolean divide) {
      return pick(r, Operator.ADD, Operator.SUBTRACT, Operator.MULTIPLY, Operator.MODULO);
    }

    private Operator comparison() {
      return pick(r, Operator.EQUAL, Operator.NOT_EQUAL, Operator.LESS, Operator.LESS_OR_EQUAL,
          Operator.GREATER, Operator.GREATER_OR_EQUAL);
    }

    Expression leaf(ScalarType t) {
      List<String> refs = new ArrayList<>();
      INPUTS.forEach((name, type) -> {
        if (type == t) {
          refs.add(name);
        }
      });
      if (r.nextInt(3) > 0) {
        return Reference.of(refs.get(r.nextInt(refs.size())));
      }
      return switch (t) {
        case INT32 -> new Cast(new IntLiteral(r.nextInt(21) - 10), ScalarType.INT32);
        case INT64 -> new IntLiteral(r.nextInt(10) == 0 ? Long.MAX_VALUE : r.nextInt(201) - 100);
        case FLOAT32 -> new Cast(new FloatLiteral(r.nextInt(100) / 8.0), ScalarType.FLOAT32);
        case FLOAT64 -> new FloatLiteral(r.nextInt(2001) / 4.0 - 250);
        case STRING -> new StringLiteral(pick(r, "", "a", "Hello", "el", "42", "2024-01-01"));
        case BOOL -> new BoolLiteral(r.nextBoolean());
        case TIMESTAMP -> new TimestampLiteral(Instant.ofEpochSecond(r.nextInt(2_000_000_000)));
        default -> throw new AssertionError(t);
      };
    }
  }
}
