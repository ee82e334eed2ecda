package dev.quiver.core.expr;

import static dev.quiver.core.model.ScalarType.BOOL;
import static dev.quiver.core.model.ScalarType.BYTES;
import static dev.quiver.core.model.ScalarType.FLOAT32;
import static dev.quiver.core.model.ScalarType.FLOAT64;
import static dev.quiver.core.model.ScalarType.INT32;
import static dev.quiver.core.model.ScalarType.INT64;
import static dev.quiver.core.model.ScalarType.STRING;
import static dev.quiver.core.model.ScalarType.TIMESTAMP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionTypeCheckerTest {
  /** One name per type: i32, i64, f32, f64, b, s, by, ts, emb (list of float32), ids (list of int64). */
  private static final Map<String, ValueType> NAMES =
      Map.ofEntries(
          Map.entry("i32", INT32),
          Map.entry("i64", INT64),
          Map.entry("f32", FLOAT32),
          Map.entry("f64", FLOAT64),
          Map.entry("b", BOOL),
          Map.entry("s", STRING),
          Map.entry("by", BYTES),
          Map.entry("ts", TIMESTAMP),
          Map.entry("emb", new ListType(FLOAT32)),
          Map.entry("ids", new ListType(INT64)),
          Map.entry("user_txn.amount_avg_30d", FLOAT64),
          Map.entry("request.amount", FLOAT64));

  private static final ExpressionTypeChecker CHECKER = ExpressionTypeChecker.of(NAMES);

  private static ValueType typeOf(String source) {
    return CHECKER.check(ExpressionParser.parse(source));
  }

  @ParameterizedTest(name = "{0} : {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // literals and references
        "1                                  | int64",
        "1.5                                | float64",
        "'x'                                | string",
        "true                               | bool",
        "timestamp '2024-01-01T00:00:00Z'   | timestamp",
        "emb                                | list<float32>",
        "request.amount / nullif(user_txn.amount_avg_30d, 0) | float64",
        // numeric promotion: + - * % give the wider type, / gives float64
        "i32 + i32                          | int32",
        "i32 + i64                          | int64",
        "i32 * 1                            | int64",
        "i64 - f32                          | float32",
        "f32 % f64                          | float64",
        "i32 / i32                          | float64",
        "i64 / 2                            | float64",
        "-i32                               | int32",
        "-f32                               | float32",
        "i32 + null                         | int32",
        "null / null                        | float64",
        // comparisons and logic
        "i32 < f64                          | bool",
        "s = 'x'                            | bool",
        "ts >= timestamp '2024-01-01'       | bool",
        "b = true                           | bool",
        "b < true                           | bool",
        "by = by                            | bool",
        "s != null                          | bool",
        "b and (i32 > 0) or not b           | bool",
        "null and b                         | bool",
        "emb is null                        | bool",
        "i32 in (1, 2.5, null)              | bool",
        "s not in ('a', 'b')                | bool",
        "i64 between 1 and f32              | bool",
        "ts between timestamp '2024-01-01' and timestamp '2025-01-01' | bool",
        // case unifies its results
        "case when b then i32 else i64 end  | int64",
        "case when b then 1 when not b then 2.5 end | float64",
        "case when b then null else s end   | string",
        "case s when 'a' then 1 else 0 end  | int64",
        "case i32 when 1.5 then f32 end     | float32",
        // functions
        "coalesce(i32, i64, f32)            | float32",
        "coalesce(null, s)                  | string",
        "coalesce(emb, emb)                 | list<float32>",
        "nullif(i32, 0)                     | int32",
        "nullif(s, '')                      | string",
        "abs(i32)                           | int32",
        "abs(f32)                           | float32",
        "ln(i64)                            | float64",
        "exp(f32)                           | float64",
        "sqrt(i32)                          | float64",
        "pow(i32, 2)                        | float64",
        "round(f32)                         | float64",
        "round(f64, 2)                      | float64",
        "round(i64)                         | int64",
        "round(i32, -1)                     | int32",
        "floor(f32)                         | float64",
        "floor(i32)                         | int32",
        "ceil(f64)                          | float64",
        "ceil(i64)                          | int64",
        "least(i32, i64)                    | int64",
        "greatest(f32, 1, null)             | float32",
        "least(s, 'b')                      | string",
        "greatest(ts, timestamp '2024-01-01') | timestamp",
        "lower(s)                           | string",
        "upper('x')                         | string",
        "length(s)                          | int64",
        "concat(s, 'x', null)               | string",
        "substr(s, 1)                       | string",
        "substr(s, 2, i32)                  | string",
        "contains(s, 'x')                   | bool",
        "starts_with(s, 'x')                | bool",
        "hour(ts)                           | int64",
        "day_of_week(ts)                    | int64",
        "day(ts)                            | int64",
        "month(ts)                          | int64",
        "year(ts)                           | int64",
        "epoch_seconds(ts)                  | int64",
        // casts
        "cast(i32 as float32)               | float32",
        "cast(f64 as int32)                 | int32",
        "cast(i64 as string)                | string",
        "cast(s as int64)                   | int64",
        "cast(b as string)                  | string",
        "cast(s as bool)                    | bool",
        "cast(b as int32)                   | int32",
        "cast(ts as int64)                  | int64",
        "cast(i64 as timestamp)             | timestamp",
        "cast(ts as string)                 | string",
        "cast(s as timestamp)               | timestamp",
        "cast(null as list<float32>)        | list<float32>",
        "cast(emb as list<float32>)         | list<float32>",
        "coalesce(emb, cast(null as list<float32>)) | list<float32>",
      })
  void types(String source, String type) {
    assertThat(typeOf(source)).isEqualTo(ValueType.parse(type).orElseThrow());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // adding a string to a number, and other arithmetic on non-numbers
        "s + 1         | '+' needs numbers, but 's' is string, in 's + 1'; to join strings use concat(s, cast(1 as string)), or to add a number held in a string use cast(s as float64)",
        "s + s         | '+' needs numbers, but both sides of 's + s' are string; to join strings use concat(s, s)",
        "s * 2         | convert the string with cast(s as float64)",
        "ts - ts       | for the seconds between two times write epoch_seconds(ts) - epoch_seconds(ts)",
        "ts + 1        | use epoch_seconds(ts)",
        "b + 1         | use 'and', 'or' and 'not' for bools",
        "-s            | unary '-' needs a number, but 's' is string",
        "-b            | use 'not' to negate a bool",
        "emb * 2       | '*' needs numbers, but 'emb' is list<float32>",
        // comparisons
        "s = 1         | cannot compare string with int64 in 's = 1'; both sides must be numbers or have the same type; convert one side, as in cast(1 as string)",
        "ts < '2024-01-01' | write the time as a timestamp literal, as in timestamp '2024-01-01T00:00:00Z'",
        "by < by       | bytes values have no order, in 'by < by'; only = and != apply to them",
        "emb = emb     | lists cannot be compared",
        "i32 in (1, 'a') | cannot compare int32 with string",
        "i32 between 1 and 'z' | cannot compare int32 with string",
        "s between 'a' and 1 | cannot compare string with int64",
        // logic
        "i32 and b     | 'and' needs a bool, but 'i32' is int32; compare it, as in i32 > 0",
        "b or s        | 'or' needs a bool, but 's' is string",
        "not i64       | 'not' needs a bool",
        "case when i32 then 1 end | a 'when' condition needs a bool, but 'i32' is int32",
        // case and unification
        "case when b then s else 1 end | the results of case must have one type, but 's' is string and '1' is int64; convert one, as in cast(1 as string)",
        "case s when 1 then 2 end | cannot compare string with int64",
        "case when b then emb end | the result of case cannot be a list",
        "coalesce(s, 0)  | the arguments of coalesce() must have one type, but 's' is string and '0' is int64",
        "coalesce(emb, ids) | must have one type, but 'emb' is list<float32> and 'ids' is list<int64>",
        "least(s, 1)   | the arguments of least() must have one type",
        "greatest(by, by) | greatest() needs values with an order",
        "nullif(s, 0)  | cannot compare string with int64",
        // functions
        "abs(s)        | abs() needs a number as argument 1, but 's' is string; convert it with cast(s as float64)",
        "pow(2, b)     | pow() needs a number as argument 2, but 'b' is bool",
        "round(f64, 1.5) | round() needs an integer as argument 2, but '1.5' is float64",
        "ln(emb)       | 'emb' is list<float32>, but an argument of ln() cannot be a list",
        "lower(i32)    | lower() needs a string as argument 1, but 'i32' is int32; convert it with cast(i32 as string)",
        "length(by)    | length() needs a string as argument 1, but 'by' is bytes",
        "concat(s, 1)  | concat() needs a string as argument 2, but '1' is int64",
        "substr(s, '1') | substr() needs an integer as argument 2",
        "contains(s, 1) | contains() needs a string as argument 2",
        "starts_with(1, s) | starts_with() needs a string as argument 1",
        "hour(s)       | hour() needs a timestamp as argument 1, but 's' is string; convert it with cast(s as timestamp)",
        "year(i64)     | convert it with cast(i64 as timestamp) (reads int64 as epoch microseconds)",
        "epoch_seconds(i32) | epoch_seconds() needs a timestamp",
        // casts
        "cast(i32 as timestamp) | cannot cast int32 to timestamp in 'cast(i32 as timestamp)'; cast to int64 first",
        "cast(ts as float64) | cast to int64 (epoch microseconds), or use epoch_seconds()",
        "cast(i32 as bool) | compare instead, as in i32 != 0",
        "cast(by as string) | cannot cast bytes to string",
        "cast(emb as list<float64>) | lists can only be passed on",
        "cast(s as list<float32>) | cannot cast string to list<float32>",
        // no type at all
        "null          | 'null' is always null, so it has no type; give it one with a cast, as in cast(null as float64)",
        "coalesce(null, null) | is always null",
      })
  void rejects(String source, String message) {
    assertThatThrownBy(() -> typeOf(source))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.getMessage()).contains(message);
              assertThat(e.position()).isEqualTo(-1);
            });
  }

  @Test
  void unknownReferenceSuggestsTheClosestKnownName() {
    ExpressionTypeChecker checker =
        new ExpressionTypeChecker(
            name -> name.equals("amount_avg_30d") ? Optional.of(FLOAT64) : Optional.empty(),
            List.of("txn_count_7d", "amount_avg_30d"));
    assertThatThrownBy(() -> checker.check(ExpressionParser.parse("amount_avgg * 2")))
        .isInstanceOf(ExpressionException.class)
        .hasMessage("unknown reference 'amount_avgg'; did you mean 'amount_avg_30d'?");
    assertThatThrownBy(() -> checker.check(ExpressionParser.parse("zzz")))
        .hasMessage("unknown reference 'zzz'");
  }

  @Test
  void withoutKnownNamesTheMessageIsBare() {
    ExpressionTypeChecker checker = new ExpressionTypeChecker(name -> Optional.empty());
    assertThatThrownBy(() -> checker.check(ExpressionParser.parse("user_txn.amount_avgg")))
        .hasMessage("unknown reference 'user_txn.amount_avgg'");
  }

  @Test
  void namesAreCaseSensitiveButSuggestionsIgnoreCase() {
    assertThatThrownBy(() -> typeOf("S"))
        .hasMessage("unknown reference 'S'; did you mean 's'?");
  }

  @Test
  void longSubExpressionsAreShortenedInMessages() {
    String longSum = "lower(" + "i32 + ".repeat(30) + "1)";
    assertThatThrownBy(() -> typeOf(longSum))
        .hasMessageContaining("...'")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400));
  }

  @Test
  void quotesWithBackquotesWhenTheTextHasAQuote() {
    assertThatThrownBy(() -> typeOf("lower('a') + 1"))
        .hasMessageContaining("`lower('a')` is string");
  }

  @Test
  void everyFunctionIsInTheDocumentedTable() throws Exception {
    Path doc = Path.of("..", "docs", "expressions.md");
    String text = Files.readString(doc);
    for (BuiltinFunction f : BuiltinFunction.values()) {
      assertThat(text).as("docs/expressions.md documents " + f.signature()).contains("`" + f.signature() + "`");
    }
  }
}
