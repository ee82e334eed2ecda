package dev.quiver.core.expr;

import static dev.quiver.core.expr.ExpressionParser.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpressionParserTest {

  static Reference ref(String... path) {
    return Reference.of(path);
  }

  static IntLiteral i(long v) {
    return new IntLiteral(v);
  }

  static Binary bin(Operator op, Expression l, Expression r) {
    return new Binary(op, l, r);
  }

  @Nested
  class Literals {
    @Test
    void numbers() {
      assertThat(parse("42")).isEqualTo(i(42));
      assertThat(parse("-42")).isEqualTo(i(-42));
      assertThat(parse("-9223372036854775808")).isEqualTo(i(Long.MIN_VALUE));
      assertThat(parse("0.5")).isEqualTo(new FloatLiteral(0.5));
      assertThat(parse("1e3")).isEqualTo(new FloatLiteral(1000.0));
      assertThat(parse("2.5E-3")).isEqualTo(new FloatLiteral(0.0025));
      assertThat(parse("-0.0")).isEqualTo(new FloatLiteral(-0.0));
    }

    @Test
    void stringsDoubleTheirQuotes() {
      assertThat(parse("'it''s'")).isEqualTo(new StringLiteral("it's"));
      assertThat(parse("''")).isEqualTo(new StringLiteral(""));
      assertThat(parse("'a \"b\"\n'")).isEqualTo(new StringLiteral("a \"b\"\n"));
    }

    @Test
    void boolsAndNullInAnyCase() {
      assertThat(parse("TRUE")).isEqualTo(new BoolLiteral(true));
      assertThat(parse("false")).isEqualTo(new BoolLiteral(false));
      assertThat(parse("Null")).isEqualTo(new NullLiteral());
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '`',
        value = {
          "timestamp '2024-01-01T00:00:00Z'       | 2024-01-01T00:00:00Z",
          "TIMESTAMP '2024-01-01T12:30:00.123456Z' | 2024-01-01T12:30:00.123456Z",
          "timestamp '2024-01-01T02:00:00+02:00'  | 2024-01-01T00:00:00Z",
          "timestamp '2024-01-01 10:00:00'        | 2024-01-01T10:00:00Z",
          "timestamp '2024-03-05'                 | 2024-03-05T00:00:00Z",
        })
    void timestampsAreUtc(String source, String instant) {
      assertThat(parse(source)).isEqualTo(new TimestampLiteral(Instant.parse(instant)));
    }
  }

  @Nested
  class References {
    @Test
    void bareDottedAndQuoted() {
      assertThat(parse("amount_sum_7d")).isEqualTo(ref("amount_sum_7d"));
      assertThat(parse("user_txn.amount_avg_30d")).isEqualTo(ref("user_txn", "amount_avg_30d"));
      assertThat(parse("request . amount")).isEqualTo(ref("request", "amount"));
      assertThat(parse("\"7d sum\"")).isEqualTo(ref("7d sum"));
      assertThat(parse("\"say \"\"hi\"\"\".x")).isEqualTo(ref("say \"hi\"", "x"));
      assertThat(parse("\"and\"")).isEqualTo(ref("and"));
    }

    @Test
    void namesAreCaseSensitive() {
      assertThat(parse("Amount")).isNotEqualTo(parse("amount"));
    }

    @Test
    void timestampIsANameUnlessAStringFollows() {
      assertThat(parse("timestamp")).isEqualTo(ref("timestamp"));
      assertThat(parse("timestamp + 1")).isEqualTo(bin(Operator.ADD, ref("timestamp"), i(1)));
    }

    @Test
    void referencesListsEveryNameOnceInOrder() {
      Expression e =
          parse("case when request.amount > user_txn.avg then request.amount / user_txn.avg"
              + " else coalesce(ratio, 0) end");
      assertThat(e.references()).containsExactly("request.amount", "user_txn.avg", "ratio");
      assertThat(parse("1 + 2").references()).isEmpty();
    }
  }

  @Nested
  class Operators {
    @ParameterizedTest
    @CsvSource({
      "a + b, ADD", "a - b, SUBTRACT", "a * b, MULTIPLY", "a / b, DIVIDE", "a % b, MODULO",
      "a = b, EQUAL", "a != b, NOT_EQUAL", "a <> b, NOT_EQUAL", "a < b, LESS",
      "a <= b, LESS_OR_EQUAL", "a > b, GREATER", "a >= b, GREATER_OR_EQUAL", "a and b, AND",
      "a AND b, AND", "a or b, OR", "a Or b, OR",
    })
    void binary(String source, Operator op) {
      assertThat(parse(source)).isEqualTo(bin(op, ref("a"), ref("b")));
    }

    @Test
    void unary() {
      assertThat(parse("-a")).isEqualTo(new Negate(ref("a")));
      assertThat(parse("-(5)")).isEqualTo(new Negate(i(5)));
      assertThat(parse("- -5")).isEqualTo(new Negate(i(-5)));
      assertThat(parse("not a")).isEqualTo(new Not(ref("a")));
      assertThat(parse("NOT NOT a")).isEqualTo(new Not(new Not(ref("a"))));
    }

    @Test
    void predicates() {
      assertThat(parse("a is null")).isEqualTo(new IsNull(ref("a"), false));
      assertThat(parse("a IS NOT NULL")).isEqualTo(new IsNull(ref("a"), true));
      assertThat(parse("a in (1, 2)")).isEqualTo(new In(ref("a"), List.of(i(1), i(2)), false));
      assertThat(parse("a not in ('x')"))
          .isEqualTo(new In(ref("a"), List.of(new StringLiteral("x")), true));
      assertThat(parse("a between 1 and 2")).isEqualTo(new Between(ref("a"), i(1), i(2), false));
      assertThat(parse("a NOT BETWEEN 1 AND 2")).isEqualTo(new Between(ref("a"), i(1), i(2), true));
    }

    @Test
    void cases() {
      assertThat(parse("case when a then 1 when b then 2 else 3 end"))
          .isEqualTo(new SearchedCase(
              List.of(new When(ref("a"), i(1)), new When(ref("b"), i(2))), i(3)));
      assertThat(parse("CASE x WHEN 1 THEN 'one' END"))
          .isEqualTo(new SimpleCase(ref("x"), List.of(new When(i(1), new StringLiteral("one"))),
              new NullLiteral()));
      assertThat(parse("case when a then 1 end")).isEqualTo(parse("case when a then 1 else null end"));
    }

    @Test
    void callsAndCasts() {
      assertThat(parse("COALESCE(a, 0)")).isEqualTo(Call.of("coalesce", ref("a"), i(0)));
      assertThat(parse("Starts_With(s, 'x')"))
          .isEqualTo(Call.of("starts_with", ref("s"), new StringLiteral("x")));
      assertThat(parse("cast(a as float64)")).isEqualTo(new Cast(ref("a"), ScalarType.FLOAT64));
      assertThat(parse("CAST(a AS double)")).isEqualTo(new Cast(ref("a"), ScalarType.FLOAT64));
      assertThat(parse("cast(e as list<float32>)"))
          .isEqualTo(new Cast(ref("e"), new ListType(ScalarType.FLOAT32)));
    }
  }

  @Nested
  class Precedence {
    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "1 + 2 * 3                 | 1 + (2 * 3)",
          "1 - 2 - 3                 | (1 - 2) - 3",
          "8 / 4 / 2                 | (8 / 4) / 2",
          "a * b % c                 | (a * b) % c",
          "-a * b                    | (-a) * b",
          "-a.b                      | -(a.b)",
          "a + b = c * d             | (a + b) = (c * d)",
          "a = b and c = d           | (a = b) and (c = d)",
          "a or b and c              | a or (b and c)",
          "a or b or c               | (a or b) or c",
          "not a = b                 | not (a = b)",
          "not a and b               | (not a) and b",
          "not a or not b            | (not a) or (not b)",
          "a + 1 is null             | (a + 1) is null",
          "a is null and b           | (a is null) and b",
          "x between 1 and 2 and y   | (x between 1 and 2) and y",
          "x between a + 1 and b * 2 | x between (a + 1) and (b * 2)",
          "x + 1 in (1, 2) or y      | ((x + 1) in (1, 2)) or y",
          "not x in (1)              | not (x in (1))",
        })
    void bindsLikeSql(String source, String parenthesised) {
      assertThat(parse(source)).isEqualTo(parse(parenthesised));
    }

    @Test
    void negativeLiteralsBindTighterThanEverything() {
      assertThat(parse("-2 * 3")).isEqualTo(bin(Operator.MULTIPLY, i(-2), i(3)));
      assertThat(parse("a - -2")).isEqualTo(bin(Operator.SUBTRACT, ref("a"), i(-2)));
      assertThat(parse("a-2")).isEqualTo(bin(Operator.SUBTRACT, ref("a"), i(2)));
    }
  }

  @Nested
  class Errors {
    @ParameterizedTest
    @CsvSource(
        delimiterString = " | ",
        quoteCharacter = '`',
        value = {
          // source | position | message fragment
          "abs((a + 1)                  | 11 | expected ')' to close 'abs(' opened at column 4",
          "(a + (b * c)                 | 12 | expected ')' to close '(' opened at column 1",
          "sqroot(x)                    | 0  | unknown function 'sqroot'; did you mean 'sqrt'?",
          "POWER(2, 3)                  | 0  | unknown function 'POWER'; did you mean 'pow'?",
          "frobnicate(1)                | 0  | the functions are coalesce, nullif",
          "round(x, 1, 2)               | 0  | round() takes 1 or 2 arguments, as in round(x [, digits]), but was given 3",
          "coalesce()                   | 0  | coalesce() takes at least 1 argument",
          "nullif(a)                    | 0  | nullif() takes 2 arguments",
          "a b                          | 2  | unexpected 'b' after a complete expression",
          "a + 1)                       | 5  | remove it or add the missing '('",
          "a +                          | 3  | the expression ends too early",
          "a + * b                      | 4  | expected a value, a name or '(' but found '*'",
          "'abc                         | 0  | unterminated string; close it with '",
          "\"abc                        | 0  | unterminated quoted name",
          "a == b                       | 2  | '==' is not an operator; use '='",
          "a && b                       | 2  | use 'and'",
          "a || b                       | 2  | concat(a, b)",
          "!a                           | 0  | use 'not'",
          "a # b                        | 2  | unexpected character '#'",
          "a = b = c                    | 6  | comparisons do not chain",
          "a < b between 1 and 2        | 6  | comparisons do not chain",
          "a is 1                       | 5  | expected 'null' after 'is' but found '1'",
          "a between 1 or 2             | 12 | expected 'and' in 'x between low and high'",
          "a in 1                       | 5  | expected '(' after 'in'",
          "a in ()                      | 6  | 'in' needs at least one value",
          "case a end                   | 7  | expected 'when' in case",
          "case when a then 1           | 18 | expected 'end' to close 'case' opened at column 1",
          "case when a 1 end            | 12 | expected 'then' after 'when ...' in case",
          "cast(a float64)              | 7  | expected 'as' in cast(x as TYPE)",
          "cast(a as flaot64)           | 10 | unknown type 'flaot64'; the types are int32",
          "cast(a as flaot64)           | 10 | did you mean 'float64'?",
          "cast(a as list<x>)           | 10 | unknown type 'list<x>'",
          "a.b(1)                       | 0  | 'a.b' is not a function",
          "a.                           | 2  | expected a name after '.'",
          "end + 1                      | 0  | write it in double quotes: \"end\"",
          "99999999999999999999         | 0  | does not fit in int64",
          "1e999                        | 0  | too large for float64",
          "1e                           | 1  | an exponent needs digits",
          "7d_sum                       | 0  | a name cannot start with a digit",
          "timestamp '2024-13-01'       | 10 | invalid timestamp '2024-13-01'",
          "timestamp '2024-01-01T00:00:00.0000001Z' | 10 | microsecond precision",
          "+a                           | 0  | unary '+' is not supported",
          "\"\"                         | 0  | a quoted name cannot be empty",
        })
    void sayWhereAndWhatToDo(String source, int position, String message) {
      assertThatThrownBy(() -> parse(source))
          .isInstanceOfSatisfying(
              ExpressionException.class,
              e -> {
                assertThat(e.reason()).contains(message);
                assertThat(e.position()).as("position of: " + e.getMessage()).isEqualTo(position);
                assertThat(e.getMessage()).endsWith("(at column " + (position + 1) + ")");
              });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void emptyExpression(String source) {
      assertThatThrownBy(() -> parse(source))
          .isInstanceOf(ExpressionException.class)
          .hasMessageContaining("the expression is empty");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
      String deep = "(".repeat(5_000) + "1" + ")".repeat(5_000);
      assertThatThrownBy(() -> parse(deep))
          .isInstanceOf(ExpressionException.class)
          .hasMessageContaining("nested too deeply");
      String longSum = "1" + " + 1".repeat(5_000);
      assertThatThrownBy(() -> parse(longSum))
          .isInstanceOf(ExpressionException.class)
          .hasMessageContaining("nested too deeply");
      assertThat(parse("(".repeat(50) + "1" + ")".repeat(50))).isEqualTo(i(1));
    }

    @Test
    void isAQuiverException() {
      assertThatThrownBy(() -> parse("("))
          .isInstanceOf(dev.quiver.core.QuiverException.class);
    }
  }

  @Nested
  class Records {
    @Test
    void rejectMalformedTrees() {
      assertThatThrownBy(() -> Call.of("nope", i(1)))
          .isInstanceOf(ExpressionException.class)
          .hasMessageContaining("unknown function 'nope'");
      assertThatThrownBy(() -> Call.of("abs"))
          .isInstanceOf(ExpressionException.class)
          .hasMessageContaining("abs() takes 1 argument");
      assertThatThrownBy(() -> new In(ref("a"), List.of(), false))
          .isInstanceOf(ExpressionException.class);
      assertThatThrownBy(() -> new SearchedCase(List.of(), new NullLiteral()))
          .isInstanceOf(ExpressionException.class);
      assertThatThrownBy(() -> new FloatLiteral(Double.NaN))
          .isInstanceOf(ExpressionException.class);
      assertThatThrownBy(() -> new TimestampLiteral(Instant.ofEpochSecond(0, 1)))
          .isInstanceOf(ExpressionException.class);
      assertThatThrownBy(() -> ref()).isInstanceOf(ExpressionException.class);
      assertThatThrownBy(() -> new Negate(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void callNamesAreStoredInLowerCase() {
      assertThat(Call.of("ABS", i(1)).function()).isEqualTo("abs");
    }

    @Test
    void toStringIsTheCanonicalText() {
      assertThat(parse("A+B").toString()).isEqualTo("A + B");
    }
  }
}
