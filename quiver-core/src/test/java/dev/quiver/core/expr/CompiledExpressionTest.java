package dev.quiver.core.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One case per operator, function and null rule of docs/expressions.md, evaluated over a fixed row.
 * Expected values are written {@code type:value}, or {@code null}.
 */
class CompiledExpressionTest {
  static final List<String> NAMES = List.of(
      "i32", "i64", "f32", "f64", "s", "b", "ts", "bin", "emb",
      "n_i32", "n_i64", "n_f64", "n_s", "n_b", "n_ts", "big", "min", "nan", "neg", "u");
  static final List<ValueType> TYPES = List.of(
      ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64, ScalarType.STRING,
      ScalarType.BOOL, ScalarType.TIMESTAMP, ScalarType.BYTES, new ListType(ScalarType.FLOAT32),
      ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT64, ScalarType.STRING, ScalarType.BOOL,
      ScalarType.TIMESTAMP, ScalarType.INT64, ScalarType.INT64, ScalarType.FLOAT64, ScalarType.FLOAT64,
      ScalarType.STRING);
  static final Object[] ROW = {
      7, 10L, 1.5f, 2.5, "Hello", true, Instant.parse("2024-03-17T13:45:30.123456Z"), new byte[] {1, 2},
      List.of(0.5f, 1.0f), null, null, null, null, null, null, Long.MAX_VALUE, Long.MIN_VALUE, Double.NaN,
      -4.0, "naïve 😀"};

  static Object eval(String text) {
    return CompiledExpression.compile(ExpressionParser.parse(text), NAMES, TYPES).evaluate(ROW.clone());
  }

  static String show(String text) {
    CompiledExpression c = CompiledExpression.compile(ExpressionParser.parse(text), NAMES, TYPES);
    Object v = c.evaluate(ROW.clone());
    if (v == null) {
      return "null";
    }
    assertThat(v).as("value class of " + text).isInstanceOf(javaClass(c.type()));
    return c.type().spelling() + ":" + v;
  }

  static Class<?> javaClass(ValueType t) {
    if (t instanceof ListType) {
      return List.class;
    }
    return switch ((ScalarType) t) {
      case INT32 -> Integer.class;
      case INT64 -> Long.class;
      case FLOAT32 -> Float.class;
      case FLOAT64 -> Double.class;
      case BOOL -> Boolean.class;
      case STRING -> String.class;
      case BYTES -> byte[].class;
      case TIMESTAMP -> Instant.class;
    };
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      // literals and references
      "1 | int64:1", "1.5 | float64:1.5", "'a''b' | string:a'b", "true | bool:true",
      "timestamp '2024-01-01' | timestamp:2024-01-01T00:00:00Z", "cast(null as int64) | null",
      "i32 | int32:7", "f32 | float32:1.5", "emb | list<float32>:[0.5, 1.0]",
      // arithmetic and promotion
      "i32 + i32 | int32:14", "i32 + 1 | int64:8", "i64 - 12 | int64:-2", "i32 * f32 | float32:10.5",
      "f32 + f64 | float64:4.0", "i64 * 3 | int64:30", "-i32 | int32:-7", "-f64 | float64:-2.5",
      "7 / 2 | float64:3.5", "i64 / 4 | float64:2.5", "7 % 3 | int64:1", "-7 % 3 | int64:-1", "7 % -3 | int64:1",
      "f64 % 1 | float64:0.5", "i32 % i32 | int32:0",
      // division by zero, overflow, non-finite: null
      "1 / 0 | null", "1.0 / 0.0 | null", "5 % 0 | null", "f64 % 0 | null", "i64 / (i64 - 10) | null",
      "big + 1 | null", "min - 1 | null", "big * 2 | null", "-min | null", "big + 0 | int64:9223372036854775807",
      "min * -1 | null", "cast(2147483647 as int32) + i32 | null", "cast(-2147483648 as int32) * cast(-1 as int32) | null",
      "1e308 * 10 | null", "nan + 1 | null", "abs(min) | null", "abs(-3) | int64:3", "abs(neg) | float64:4.0",
      // null propagation
      "n_i64 + 1 | null", "null + 1 | null", "n_i64 * 0 | null", "-n_i64 | null", "n_s = 'a' | null",
      "null = null | null", "n_i32 < 1 | null", "lower(n_s) | null", "cast(n_s as int64) | null",
      // comparisons
      "i32 = 7 | bool:true", "i32 = 7.0 | bool:true", "i32 != 7 | bool:false", "i32 <> 8 | bool:true",
      "f32 < f64 | bool:true", "i64 >= 10 | bool:true", "s > 'Hello' | bool:false", "s < 'hello' | bool:true",
      "'é' > 'z' | bool:true", "'😀' > '\uFFFF' | bool:true", "b = true | bool:true", "false < true | bool:true",
      "ts > timestamp '2024-01-01' | bool:true", "bin = bin | bool:true", "nan = nan | bool:true",
      "nan > 1e300 | bool:true", "-0.0 = 0.0 | bool:true", "big = 9223372036854775807 | bool:true",
      "big > 9223372036854775806 | bool:true",
      // three-valued logic
      "false and n_b | bool:false", "n_b and false | bool:false", "true and n_b | null", "n_b and n_b | null",
      "true or n_b | bool:true", "n_b or true | bool:true", "false or n_b | null", "not n_b | null",
      "not b | bool:false", "true and true | bool:true", "false or false | bool:false",
      // is null
      "n_i64 is null | bool:true", "n_i64 is not null | bool:false", "emb is not null | bool:true",
      "null is null | bool:true", "(1 / 0) is null | bool:true",
      // in and between
      "i32 in (1, 7) | bool:true", "i32 in (1, 2) | bool:false", "i32 in (1, null) | null", "i32 in (7, null) | bool:true",
      "n_i32 in (1, 2) | null", "i32 not in (1, 2) | bool:true", "i32 not in (1, null) | null", "s in ('Hello') | bool:true",
      "i32 between 1 and 10 | bool:true", "i32 between 8 and 10 | bool:false", "i32 between 8 and null | bool:false",
      "i32 between 1 and null | null", "n_i32 between 1 and 2 | null", "i32 not between 8 and 10 | bool:true",
      "f64 between 2 and 2.5 | bool:true",
      // case
      "case when i32 > 5 then 'big' else 'small' end | string:big",
      "case when n_b then 1 else 2 end | int64:2", "case when false then 1 end | null",
      "case when i32 > 5 then i32 else 2.5 end | float64:7.0", "case i32 when 7 then 'seven' when 8 then 'eight' end | string:seven",
      "case n_i32 when 7 then 'x' else 'y' end | string:y", "case i32 when null then 'x' else 'y' end | string:y",
      "case when true then i32 end | int32:7",
      // coalesce, nullif
      "coalesce(n_i64, 3) | int64:3", "coalesce(n_i32, i32) | int32:7", "coalesce(n_i32, 2.5) | float64:2.5",
      "coalesce(i32, 2.5) | float64:7.0", "coalesce(null, null, s) | string:Hello", "coalesce(n_s, n_s) | null",
      "coalesce(emb, emb) | list<float32>:[0.5, 1.0]", "nullif(i64, 10) | null", "nullif(i64, 11) | int64:10",
      "nullif(n_i64, 1) | null", "nullif(i64, null) | int64:10", "nullif(i32, 7.0) | null",
      // math
      "ln(1) | float64:0.0", "ln(0) | null", "ln(neg) | null", "exp(0) | float64:1.0", "exp(1000) | null",
      "sqrt(16) | float64:4.0", "sqrt(neg) | null", "pow(2, 10) | float64:1024.0", "pow(neg, 0.5) | null",
      "pow(0, -1) | null", "round(2.5) | float64:3.0", "round(-2.5) | float64:-3.0", "round(2.4) | float64:2.0",
      "round(-2.4) | float64:-2.0", "round(i32) | int32:7", "round(2.675, 2) | float64:2.68", "round(1250, -2) | int64:1300",
      "round(-1250, -2) | int64:-1300", "round(1234.5678, -2) | float64:1200.0", "round(i64, 1) | int64:10",
      "round(big, -1) | null", "round(f32, 0) | float64:2.0", "floor(2.7) | float64:2.0", "floor(-2.2) | float64:-3.0",
      "ceil(2.2) | float64:3.0", "ceil(i64) | int64:10", "floor(f32) | float64:1.0",
      "least(3, 1, 2) | int64:1", "greatest(3, 1, 2) | int64:3", "least(n_i64, 5) | int64:5",
      "greatest(i32, 2.5) | float64:7.0", "least(n_i64, n_i64) | null", "greatest('a', 'b') | string:b",
      "greatest(nan, 1.0) | float64:NaN", "least(ts, timestamp '2030-01-01') | timestamp:2024-03-17T13:45:30.123456Z",
      // strings
      "lower(s) | string:hello", "upper(s) | string:HELLO", "length(s) | int64:5", "length(u) | int64:7",
      "concat(s, ' ', 'world') | string:Hello world", "concat(s, n_s, '!') | string:Hello!", "concat(n_s) | string:",
      "substr(s, 2) | string:ello", "substr(s, 2, 3) | string:ell", "substr(s, 0, 2) | string:H", "substr(s, 10) | string:",
      "substr(s, -1, 3) | string:H", "substr(s, 1, -1) | null", "substr(u, 7, 1) | string:😀", "substr(u, 3, 1) | string:ï",
      "substr(s, n_i64) | null", "contains(s, 'ell') | bool:true", "contains(s, 'x') | bool:false", "contains(n_s, 'x') | null",
      "starts_with(s, 'He') | bool:true", "starts_with(s, 'he') | bool:false",
      // timestamp parts (UTC)
      "year(ts) | int64:2024", "month(ts) | int64:3", "day(ts) | int64:17", "day_of_week(ts) | int64:7",
      "hour(ts) | int64:13", "epoch_seconds(ts) | int64:1710683130", "epoch_seconds(timestamp '1969-12-31T23:59:59.5Z') | int64:-1",
      "hour(timestamp '2024-01-01T02:00:00+05:00') | int64:21", "year(n_ts) | null",
      // casts
      "cast(i32 as int64) | int64:7", "cast(i64 as int32) | int32:10", "cast(big as int32) | null",
      "cast(2.5 as int64) | int64:3", "cast(-2.5 as int64) | int64:-3", "cast(2.4 as int32) | int32:2",
      "cast(nan as int64) | null", "cast(1e300 as int64) | null", "cast(1e300 as float32) | null",
      "cast(i64 as float32) | float32:10.0", "cast(f32 as float64) | float64:1.5", "cast(i64 as string) | string:10",
      "cast(f64 as string) | string:2.5", "cast(0.00001 as string) | string:1.0e-5", "cast(f32 as string) | string:1.5",
      "cast(' 42 ' as int64) | int64:42", "cast('4.2' as int64) | null", "cast('x' as int64) | null",
      "cast('99999999999999999999' as int64) | null", "cast('3000000000' as int32) | null", "cast('1e3' as float64) | float64:1000.0",
      "cast('1d' as float64) | null", "cast('NaN' as float64) | null", "cast('0.1' as float32) | float32:0.1",
      "cast('TRUE' as bool) | bool:true", "cast('yes' as bool) | null", "cast(b as string) | string:true",
      "cast(b as int64) | int64:1", "cast(false as float64) | float64:0.0", "cast(b as int32) | int32:1",
      "cast(ts as int64) | int64:1710683130123456", "cast(0 as timestamp) | timestamp:1970-01-01T00:00:00Z",
      "cast(-1 as timestamp) | timestamp:1969-12-31T23:59:59.999999Z",
      "cast(ts as string) | string:2024-03-17T13:45:30.123456Z", "cast('2024-01-01 10:00:00' as timestamp) | timestamp:2024-01-01T10:00:00Z",
      "cast('2024-01-01T00:00:00.0000001Z' as timestamp) | null", "cast('soon' as timestamp) | null",
      "cast(null as list<float32>) | null", "cast(s as string) | string:Hello",
  })
  void evaluates(String expression, String expected) {
    assertThat(show(expression)).as(expression).isEqualTo(expected);
  }

  @Test
  void integerLiteralsAtTheEdgesOfInt64() {
    assertThat(eval("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(eval("9223372036854775807 - 1")).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(eval("-9223372036854775807 - 1")).isEqualTo(Long.MIN_VALUE);
    assertThat(eval("-9223372036854775807 - 2")).isNull();
    assertThat(eval("3037000500 * 3037000500")).isNull();
    assertThat(eval("3037000499 * 3037000499")).isEqualTo(3037000499L * 3037000499L);
    assertThat(eval("-3037000500 * 3037000500")).isNull();
  }

  @Test
  void bytesPassThrough() {
    assertThat((byte[]) eval("coalesce(bin, bin)")).containsExactly(1, 2);
  }

  @Test
  void referencesReadTheirSlotsAndRowsAreIndependent() {
    CompiledExpression c = CompiledExpression.compile(
        ExpressionParser.parse("a * 2 + b"), List.of("b", "a"), List.of(ScalarType.INT64, ScalarType.INT64));
    assertThat(c.type()).isEqualTo(ScalarType.INT64);
    assertThat(c.evaluate(new Object[] {1L, 10L})).isEqualTo(21L);
    assertThat(c.evaluate(new Object[] {5L, 0L})).isEqualTo(5L);
    assertThat(c.evaluate(new Object[] {null, 0L})).isNull();
  }

  @Test
  void compileTypeChecksAndNamesTheProblem() {
    assertThatThrownBy(() -> CompiledExpression.compile(ExpressionParser.parse("s + 1"), NAMES, TYPES))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("'+' needs numbers");
    assertThatThrownBy(() -> CompiledExpression.compile(ExpressionParser.parse("nope * 2"), NAMES, TYPES))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("unknown reference 'nope'");
    assertThatThrownBy(() -> CompiledExpression.compile(ExpressionParser.parse("null"), NAMES, TYPES))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("always null");
  }

  @Test
  void everyFunctionOfTheTableHasACase() {
    List<String> missing = new ArrayList<>();
    for (BuiltinFunction f : BuiltinFunction.values()) {
      String name = f.functionName().toLowerCase(Locale.ROOT);
      if (!sourceMentions(name + "(")) {
        missing.add(name);
      }
    }
    assertThat(missing).isEmpty();
  }

  private static boolean sourceMentions(String text) {
    try {
      var m = CompiledExpressionTest.class.getDeclaredMethod("evaluates", String.class, String.class);
      CsvSource csv = m.getAnnotation(CsvSource.class);
      return Arrays.stream(csv.value()).anyMatch(v -> v.contains(text));
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }
}
