package dev.quiver.core.expr;

import static dev.quiver.core.expr.ExpressionParser.parse;
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
import dev.quiver.core.expr.Lexer.Kind;
import dev.quiver.core.expr.Lexer.Token;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * parse(render(e)) == e, on hand-picked expressions and on random trees from a seeded generator. A
 * failure names the seed; rerun with it by setting {@code -Dquiver.expr.seed=N}.
 */
class ExpressionRoundTripTest {
  /** How many random trees; raise it for a longer soak with {@code -Dquiver.expr.trees=N}. */
  private static final int TREES = Integer.getInteger("quiver.expr.trees", 3_000);

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "request.amount / nullif(user_txn.amount_avg_30d, 0)",
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "a - (b - c)",
        "-5 * x",
        "-(5)",
        "-(-5)",
        "-(-x)",
        "-(0.5)",
        "a - -5",
        "not not a",
        "not (a and b) or c",
        "(a = b) = c",
        "(not a) = b",
        "(a is null) is null",
        "x between (a and b) and c",
        "x not in (1, 'a', null)",
        "case when a then 1 when b then 2 else 3 end",
        "case x when 1 then 'one' end",
        "cast(x as list<float32>)",
        "\"and\".\"weird name\" + \"quote\"\"d\"",
        "timestamp '2024-01-01T00:00:00Z'",
        "timestamp '2024-01-01T00:00:00.000001Z'",
        "'it''s'",
        "1.0e-5 + 1.5e300",
        "-9223372036854775808",
      })
  void canonicalTextIsAFixedPoint(String canonical) {
    Expression e = parse(canonical);
    assertThat(e.render()).isEqualTo(canonical);
    assertThat(parse(e.render())).isEqualTo(e);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "a+b*c                              | a + b * c",
        "((a))                              | a",
        "(a + b) + c                        | a + b + c",
        "A <> b                             | A != b",
        "CASE WHEN x THEN 1 ELSE NULL END   | case when x then 1 end",
        "Coalesce( a ,0 )                   | coalesce(a, 0)",
        "cast(x AS Double)                  | cast(x as float64)",
        "\"plain\"                          | plain",
        "x NOT IN(1,2)                      | x not in (1, 2)",
        "TIMESTAMP '2024-01-01'             | timestamp '2024-01-01T00:00:00Z'",
        "1E3                                | 1000.0",
        "- 5                                | -5",
      })
  void whitespaceCaseAndRedundantParenthesesDoNotCount(String written, String canonical) {
    assertThat(parse(written).render()).isEqualTo(canonical);
  }

  @Test
  void randomTreesRoundTrip() {
    long base = Long.getLong("quiver.expr.seed", System.nanoTime());
    for (int n = 0; n < TREES; n++) {
      long seed = base + n;
      Random random = new Random(seed);
      Expression e = new Generator(random).expression(1 + random.nextInt(6));
      String text = e.render();
      String context = "seed " + seed + " (-Dquiver.expr.seed=" + seed + "), text: " + text;
      Expression parsed;
      try {
        parsed = parse(text);
      } catch (ExpressionException ex) {
        throw new AssertionError("canonical text does not parse, " + context, ex);
      }
      assertThat(parsed).as(context).isEqualTo(e);
      assertThat(parsed.render()).as(context).isEqualTo(text);
      assertThat(parsed.references()).as(context).isEqualTo(e.references());
      String noisy = respell(text, random);
      assertThat(parse(noisy)).as(context + ", respelt: " + noisy).isEqualTo(e);
    }
  }

  /** The same expression with random whitespace and random case in keywords and function names. */
  static String respell(String text, Random random) {
    List<Token> tokens = Lexer.tokenize(text);
    StringBuilder out = new StringBuilder();
    String[] spaces = {" ", "  ", "\n", "\t ", ""};
    for (int i = 0; i < tokens.size() - 1; i++) {
      Token t = tokens.get(i);
      if (i > 0) {
        boolean mustSeparate = wordy(tokens.get(i - 1)) && wordy(t)
            || tokens.get(i - 1).kind() == Kind.SYMBOL && t.kind() == Kind.SYMBOL;
        String space = spaces[random.nextInt(spaces.length)];
        out.append(mustSeparate && space.isEmpty() ? " " : space);
      }
      String raw = text.substring(t.start(), t.end());
      out.append(caseInsensitive(tokens, i) ? randomCase(raw, random) : raw);
    }
    return out.toString();
  }

  private static boolean wordy(Token t) {
    return t.kind() != Kind.SYMBOL;
  }

  private static boolean caseInsensitive(List<Token> tokens, int i) {
    Token t = tokens.get(i);
    if (t.kind() != Kind.IDENT) {
      return false;
    }
    IntFunction<Token> at = k -> tokens.get(Math.max(0, Math.min(k, tokens.size() - 1)));
    boolean afterAs = i > 0 && at.apply(i - 1).isKeyword("as");
    boolean listElement = i > 2 && at.apply(i - 1).isSymbol("<") && at.apply(i - 3).isKeyword("as");
    return t.isReserved()
        || at.apply(i + 1).isSymbol("(")
        || (t.isKeyword("timestamp") && at.apply(i + 1).kind() == Kind.STRING)
        || afterAs
        || listElement;
  }

  private static String randomCase(String word, Random random) {
    StringBuilder out = new StringBuilder();
    for (char c : word.toCharArray()) {
      out.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  /** Random well-formed trees over every node kind, with awkward names and literals. */
  static final class Generator {
    private static final List<String> NAMES =
        List.of("a", "amount", "user_txn", "request", "Amount", "x1", "_y", "timestamp", "abs",
            "float64", "list", "and", "END", "select", "7d", "my name", "quote\"d", "ünïcode",
            "a.b", "'", "cast", "Null");
    private static final List<ValueType> TYPES = allTypes();

    private final Random random;

    Generator(Random random) {
      this.random = random;
    }

    Expression expression(int depth) {
      if (depth <= 0) {
        return leaf();
      }
      int d = depth - 1;
      return switch (random.nextInt(12)) {
        case 0 -> leaf();
        case 1 -> new Negate(expression(d));
        case 2 -> new Not(expression(d));
        case 3, 4 -> new Binary(
            Operator.values()[random.nextInt(Operator.values().length)], expression(d), expression(d));
        case 5 -> new IsNull(expression(d), random.nextBoolean());
        case 6 -> new In(expression(d), list(d, 1, 3), random.nextBoolean());
        case 7 -> new Between(expression(d), expression(d), expression(d), random.nextBoolean());
        case 8 -> new SearchedCase(whens(d), otherwise(d));
        case 9 -> new SimpleCase(expression(d), whens(d), otherwise(d));
        case 10 -> call(d);
        default -> new Cast(expression(d), TYPES.get(random.nextInt(TYPES.size())));
      };
    }

    private Expression leaf() {
      return switch (random.nextInt(8)) {
        case 0 -> new NullLiteral();
        case 1 -> new BoolLiteral(random.nextBoolean());
        case 2 -> new IntLiteral(
            switch (random.nextInt(4)) {
              case 0 -> Long.MIN_VALUE;
              case 1 -> Long.MAX_VALUE;
              case 2 -> random.nextLong();
              default -> random.nextInt(21) - 10;
            });
        case 3 -> new FloatLiteral(
            switch (random.nextInt(4)) {
              case 0 -> random.nextBoolean() ? -0.0 : Double.MIN_VALUE;
              case 1 -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL)
                  * (random.nextBoolean() ? 1 : -1);
              case 2 -> random.nextGaussian() * 1e6;
              default -> random.nextInt(100) / 4.0 - 10;
            });
        case 4 -> new StringLiteral(
            List.of("", "x", "it's", "''", "a\nb", "\"q\"", "ünï", "--", "end").get(random.nextInt(9)));
        case 5 -> new TimestampLiteral(
            Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                random.nextInt(1_000_000) * 1_000L * (random.nextBoolean() ? 1 : 0)));
        default -> reference();
      };
    }

    private Reference reference() {
      List<String> path = new ArrayList<>();
      int parts = 1 + random.nextInt(3);
      for (int i = 0; i < parts; i++) {
        path.add(NAMES.get(random.nextInt(NAMES.size())));
      }
      return new Reference(path);
    }

    private List<Expression> list(int depth, int min, int max) {
      int n = min + random.nextInt(Math.min(max, min + 3) - min + 1);
      List<Expression> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        items.add(expression(depth));
      }
      return items;
    }

    private List<When> whens(int depth) {
      List<When> whens = new ArrayList<>();
      for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
        whens.add(new When(expression(depth), expression(depth)));
      }
      return whens;
    }

    private Expression otherwise(int depth) {
      return random.nextBoolean() ? new NullLiteral() : expression(depth);
    }

    private Expression call(int depth) {
      BuiltinFunction[] functions = BuiltinFunction.values();
      BuiltinFunction f = functions[random.nextInt(functions.length)];
      String name = random.nextBoolean() ? f.functionName() : f.functionName().toUpperCase(Locale.ROOT);
      return new Call(name, list(depth, f.minArity(), f.maxArity()));
    }

    private static List<ValueType> allTypes() {
      List<ValueType> types = new ArrayList<>(List.of(ScalarType.values()));
      for (ScalarType s : ScalarType.values()) {
        types.add(new ListType(s));
      }
      return List.copyOf(types);
    }
  }

  @Test
  void generatorCoversEveryNodeKind() {
    Set<Class<?>> seen = new java.util.HashSet<>();
    Random random = new Random(42);
    for (int n = 0; n < 500; n++) {
      collect(new Generator(random).expression(4), seen);
    }
    assertThat(seen).containsAll(List.of(Expression.class.getPermittedSubclasses()));
  }

  private static void collect(Expression e, Set<Class<?>> seen) {
    seen.add(e.getClass());
    e.children().forEach(c -> collect(c, seen));
  }
}
