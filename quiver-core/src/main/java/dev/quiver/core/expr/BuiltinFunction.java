package dev.quiver.core.expr;

import static dev.quiver.core.expr.TypeRules.integral;
import static dev.quiver.core.expr.TypeRules.numeric;
import static dev.quiver.core.expr.TypeRules.string;
import static dev.quiver.core.model.ScalarType.BOOL;
import static dev.quiver.core.model.ScalarType.FLOAT64;
import static dev.quiver.core.model.ScalarType.INT64;
import static dev.quiver.core.model.ScalarType.STRING;

import dev.quiver.core.expr.Expression.Call;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The table of built-in functions: name, how many arguments, and the typing rule. The parser, the
 * type checker and (later) the evaluator all read this one table; docs/expressions.md mirrors it.
 */
enum BuiltinFunction {
  // null handling
  COALESCE("coalesce(a, b, ...)", 1, Arity.ANY,
      (c, a) -> TypeRules.unify(a, c.arguments(), "the arguments of coalesce()")),
  NULLIF("nullif(a, b)", 2, 2, BuiltinFunction::nullif),
  // math
  ABS("abs(x)", 1, 1, (c, a) -> numeric(c, a, 0)),
  LN("ln(x)", 1, 1, returning(FLOAT64, TypeRules::numeric)),
  EXP("exp(x)", 1, 1, returning(FLOAT64, TypeRules::numeric)),
  SQRT("sqrt(x)", 1, 1, returning(FLOAT64, TypeRules::numeric)),
  POW("pow(x, y)", 2, 2, returning(FLOAT64, TypeRules::numeric, TypeRules::numeric)),
  ROUND("round(x [, digits])", 1, 2, BuiltinFunction::round),
  FLOOR("floor(x)", 1, 1, (c, a) -> TypeRules.rounded(numeric(c, a, 0))),
  CEIL("ceil(x)", 1, 1, (c, a) -> TypeRules.rounded(numeric(c, a, 0))),
  LEAST("least(a, b, ...)", 1, Arity.ANY, TypeRules::ordered),
  GREATEST("greatest(a, b, ...)", 1, Arity.ANY, TypeRules::ordered),
  // strings
  LOWER("lower(s)", 1, 1, returning(STRING, TypeRules::string)),
  UPPER("upper(s)", 1, 1, returning(STRING, TypeRules::string)),
  LENGTH("length(s)", 1, 1, returning(INT64, TypeRules::string)),
  CONCAT("concat(s, t, ...)", 1, Arity.ANY, BuiltinFunction::concat),
  SUBSTR("substr(s, start [, length])", 2, 3,
      returning(STRING, TypeRules::string, TypeRules::integral, TypeRules::integral)),
  CONTAINS("contains(s, part)", 2, 2, returning(BOOL, TypeRules::string, TypeRules::string)),
  STARTS_WITH("starts_with(s, prefix)", 2, 2,
      returning(BOOL, TypeRules::string, TypeRules::string)),
  // timestamp parts, in UTC
  YEAR("year(ts)", 1, 1, returning(INT64, TypeRules::timestamp)),
  MONTH("month(ts)", 1, 1, returning(INT64, TypeRules::timestamp)),
  DAY("day(ts)", 1, 1, returning(INT64, TypeRules::timestamp)),
  DAY_OF_WEEK("day_of_week(ts)", 1, 1, returning(INT64, TypeRules::timestamp)),
  HOUR("hour(ts)", 1, 1, returning(INT64, TypeRules::timestamp)),
  EPOCH_SECONDS("epoch_seconds(ts)", 1, 1, returning(INT64, TypeRules::timestamp));

  /** Argument counts. */
  private interface Arity {
    int ANY = Integer.MAX_VALUE;
  }

  /** Checks argument {@code index} and returns its type. */
  @FunctionalInterface
  private interface ArgumentRule {
    ValueType check(Call call, List<ValueType> argumentTypes, int index);
  }

  /** The typing rule: argument types in (a Java null for the null literal), result type out. */
  @FunctionalInterface
  interface Typing {
    ValueType type(Call call, List<ValueType> argumentTypes);
  }

  private static final Map<String, BuiltinFunction> BY_NAME =
      Arrays.stream(values())
          .collect(
              Collectors.toUnmodifiableMap(BuiltinFunction::functionName, Function.identity()));

  /** Common names from other SQL dialects, mapped to ours, for hints only. */
  private static final Map<String, String> OTHER_DIALECTS =
      Map.ofEntries(
          Map.entry("power", "pow"),
          Map.entry("ceiling", "ceil"),
          Map.entry("log", "ln"),
          Map.entry("substring", "substr"),
          Map.entry("char_length", "length"),
          Map.entry("len", "length"),
          Map.entry("ifnull", "coalesce"),
          Map.entry("nvl", "coalesce"),
          Map.entry("isnull", "coalesce"),
          Map.entry("dayofweek", "day_of_week"),
          Map.entry("dow", "day_of_week"),
          Map.entry("dayofmonth", "day"),
          Map.entry("startswith", "starts_with"),
          Map.entry("strpos", "contains"),
          Map.entry("unix_timestamp", "epoch_seconds"),
          Map.entry("lcase", "lower"),
          Map.entry("ucase", "upper"));

  private final String signature;
  private final int minArity;
  private final int maxArity;
  private final Typing typing;

  BuiltinFunction(String signature, int minArity, int maxArity, Typing typing) {
    this.signature = signature;
    this.minArity = minArity;
    this.maxArity = maxArity;
    this.typing = typing;
  }

  /** The name as written in expressions, lower case. */
  String functionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** How the function is called, e.g. {@code round(x [, digits])}. */
  String signature() {
    return signature;
  }

  int minArity() {
    return minArity;
  }

  int maxArity() {
    return maxArity;
  }

  /** The result type for these argument types; throws {@link ExpressionException} on a misfit. */
  ValueType type(Call call, List<ValueType> argumentTypes) {
    return typing.type(call, argumentTypes);
  }

  static Optional<BuiltinFunction> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
  }

  static String unknownMessage(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    String known = OTHER_DIALECTS.get(lower);
    if (known == null) {
      List<String> names = BY_NAME.keySet().stream().sorted().toList();
      known = NameSuggestion.closest(lower, names).orElse(null);
    }
    if (known != null) {
      return "unknown function '" + name + "'; did you mean '" + known + "'?";
    }
    return "unknown function '" + name + "'; the functions are "
        + String.join(", ", Arrays.stream(values()).map(BuiltinFunction::functionName).toList());
  }

  /** Throws when a call with {@code count} arguments is not allowed. */
  void checkArity(int count, int position) {
    if (count >= minArity && count <= maxArity) {
      return;
    }
    String takes;
    if (maxArity == Arity.ANY) {
      takes = "at least " + arguments(minArity);
    } else if (minArity == maxArity) {
      takes = arguments(minArity);
    } else {
      takes = minArity + (maxArity == minArity + 1 ? " or " : " to ") + arguments(maxArity);
    }
    throw new ExpressionException(
        functionName() + "() takes " + takes + ", as in " + signature + ", but was given " + count,
        position);
  }

  private static String arguments(int n) {
    return n == 1 ? "1 argument" : n + " arguments";
  }

  // --- typing rules that do not fit on one line ---

  /** A rule checking each present argument with the rule at its index, returning a fixed type. */
  private static Typing returning(ScalarType result, ArgumentRule... rules) {
    return (call, args) -> {
      for (int i = 0; i < args.size(); i++) {
        rules[i].check(call, args, i);
      }
      return result;
    };
  }

  private static ValueType nullif(Call call, List<ValueType> args) {
    TypeRules.requireComparable(
        call, args.get(0), args.get(1), false, call.arguments().get(0), call.arguments().get(1));
    return args.get(0) != null ? args.get(0) : args.get(1);
  }

  private static ValueType round(Call call, List<ValueType> args) {
    ValueType x = numeric(call, args, 0);
    if (args.size() == 2) {
      integral(call, args, 1);
    }
    return TypeRules.rounded(x);
  }

  private static ValueType concat(Call call, List<ValueType> args) {
    for (int i = 0; i < args.size(); i++) {
      string(call, args, i);
    }
    return STRING;
  }
}
