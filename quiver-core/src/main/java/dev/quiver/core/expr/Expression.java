package dev.quiver.core.expr;

import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed expression of a derived feature: an immutable tree of records, one per syntactic form.
 * The set of forms is closed, so code that interprets an expression (the type checker, the
 * evaluator, a SQL renderer) is a {@code switch} over these records.
 *
 * <p>Two expressions are {@link Object#equals equal} when they have the same structure, whatever
 * whitespace, keyword case or redundant parentheses the source had; {@link #render()} prints the
 * one canonical text of an expression, and {@code ExpressionParser.parse(e.render()).equals(e)}
 * holds for every expression.
 *
 * <p>Components are never null (a missing {@code else} is a {@link NullLiteral}); constructors
 * throw {@link NullPointerException} for a null component and {@link ExpressionException} for a
 * malformed tree (empty lists, unknown functions, wrong argument counts). Types are checked
 * separately, by {@link ExpressionTypeChecker}. Instances are immutable and safe to share between
 * threads.
 */
public sealed interface Expression {

  /** The canonical text of this expression: minimal parentheses, lower-case keywords, one space. */
  default String render() {
    return ExpressionRenderer.render(this);
  }

  /**
   * The names this expression reads, dotted ({@code amount_sum_7d},
   * {@code user_txn.amount_avg_30d}, {@code request.amount}), in order of first appearance; what
   * dependency and cycle checks need.
   */
  default Set<String> references() {
    Set<String> names = new LinkedHashSet<>();
    collectReferences(this, names);
    return Collections.unmodifiableSet(names);
  }

  /** The direct sub-expressions, in source order. */
  default List<Expression> children() {
    return switch (this) {
      case NullLiteral n -> List.of();
      case BoolLiteral b -> List.of();
      case IntLiteral i -> List.of();
      case FloatLiteral f -> List.of();
      case StringLiteral s -> List.of();
      case TimestampLiteral t -> List.of();
      case Reference r -> List.of();
      case Negate n -> List.of(n.operand());
      case Not n -> List.of(n.operand());
      case Binary b -> List.of(b.left(), b.right());
      case IsNull n -> List.of(n.operand());
      case In in -> concat(List.of(in.operand()), in.values());
      case Between b -> List.of(b.operand(), b.low(), b.high());
      case SearchedCase c -> concat(When.flatten(c.whens()), List.of(c.otherwise()));
      case SimpleCase c ->
          concat(concat(List.of(c.operand()), When.flatten(c.whens())), List.of(c.otherwise()));
      case Call c -> c.arguments();
      case Cast c -> List.of(c.operand());
    };
  }

  private static void collectReferences(Expression e, Set<String> into) {
    if (e instanceof Reference r) {
      into.add(r.name());
    }
    for (Expression child : e.children()) {
      collectReferences(child, into);
    }
  }

  private static List<Expression> concat(List<Expression> a, List<Expression> b) {
    List<Expression> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** {@code null}: the null of every type. */
  record NullLiteral() implements Expression {
    @Override
    public String toString() {
      return render();
    }
  }

  /** {@code true} or {@code false}. */
  record BoolLiteral(boolean value) implements Expression {
    @Override
    public String toString() {
      return render();
    }
  }

  /** An integer literal, typed int64. Negative when written with a leading minus ({@code -5}). */
  record IntLiteral(long value) implements Expression {
    @Override
    public String toString() {
      return render();
    }
  }

  /** A literal with a decimal point or exponent ({@code 0.5}, {@code 1e-3}), typed float64. */
  record FloatLiteral(double value) implements Expression {
    /** @throws ExpressionException when the value is NaN or infinite (it has no literal form) */
    public FloatLiteral {
      if (!Double.isFinite(value)) {
        throw new ExpressionException("a float literal must be finite, not " + value);
      }
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** A string literal, written in single quotes with {@code ''} for a quote. */
  record StringLiteral(String value) implements Expression {
    public StringLiteral {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** {@code timestamp '2024-01-01T00:00:00Z'}: a UTC instant with microsecond precision. */
  record TimestampLiteral(Instant value) implements Expression {
    /** @throws ExpressionException when the value has nanoseconds or does not fit int64 micros */
    public TimestampLiteral {
      Objects.requireNonNull(value, "value");
      if (value.getNano() % 1_000 != 0) {
        throw new ExpressionException(
            "timestamps have microsecond precision; " + value + " has nanoseconds");
      }
      try {
        Math.addExact(
            Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1_000);
      } catch (ArithmeticException e) {
        throw new ExpressionException("timestamp " + value + " is outside the supported range");
      }
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /**
   * A name: a feature of the same view ({@code amount_sum_7d}), a feature of another view
   * ({@code user_txn.amount_avg_30d}) or a request field ({@code request.amount}).
   *
   * @param path the dot-separated parts, as written (names are case-sensitive); never empty
   */
  record Reference(List<String> path) implements Expression {
    public Reference {
      path = List.copyOf(path);
      if (path.isEmpty() || path.stream().anyMatch(String::isEmpty)) {
        throw new ExpressionException("a reference needs one or more non-empty names: " + path);
      }
    }

    /** A reference from its parts, e.g. {@code Reference.of("request", "amount")}. */
    public static Reference of(String... path) {
      return new Reference(List.of(path));
    }

    /** The parts joined with dots, e.g. {@code user_txn.amount_avg_30d}. */
    public String name() {
      return String.join(".", path);
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** Unary minus: {@code -x}. */
  record Negate(Expression operand) implements Expression {
    public Negate {
      Objects.requireNonNull(operand, "operand");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** Boolean negation: {@code not x}. */
  record Not(Expression operand) implements Expression {
    public Not {
      Objects.requireNonNull(operand, "operand");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** The binary operators, with their canonical spelling. {@code <>} is spelled {@code !=}. */
  enum Operator {
    ADD("+", 5),
    SUBTRACT("-", 5),
    MULTIPLY("*", 6),
    DIVIDE("/", 6),
    MODULO("%", 6),
    EQUAL("=", 4),
    NOT_EQUAL("!=", 4),
    LESS("<", 4),
    LESS_OR_EQUAL("<=", 4),
    GREATER(">", 4),
    GREATER_OR_EQUAL(">=", 4),
    AND("and", 2),
    OR("or", 1);

    private final String symbol;
    private final int precedence;

    Operator(String symbol, int precedence) {
      this.symbol = symbol;
      this.precedence = precedence;
    }

    /** The canonical spelling: {@code +}, {@code !=}, {@code and}, ... */
    public String symbol() {
      return symbol;
    }

    /** True for {@code + - * / %}. */
    public boolean isArithmetic() {
      return precedence >= 5;
    }

    /** True for {@code = != < <= > >=}. */
    public boolean isComparison() {
      return precedence == 4;
    }

    /** True for {@code and}, {@code or}. */
    public boolean isLogical() {
      return precedence <= 2;
    }

    int precedence() {
      return precedence;
    }
  }

  /** {@code left op right} for arithmetic, comparison and boolean operators. */
  record Binary(Operator operator, Expression left, Expression right) implements Expression {
    public Binary {
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(left, "left");
      Objects.requireNonNull(right, "right");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** {@code x is null}, or {@code x is not null} when negated. */
  record IsNull(Expression operand, boolean negated) implements Expression {
    public IsNull {
      Objects.requireNonNull(operand, "operand");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** {@code x in (a, b, ...)}, or {@code x not in (...)} when negated; values never empty. */
  record In(Expression operand, List<Expression> values, boolean negated) implements Expression {
    public In {
      Objects.requireNonNull(operand, "operand");
      values = List.copyOf(values);
      if (values.isEmpty()) {
        throw new ExpressionException("'in' needs at least one value");
      }
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** {@code x between low and high} (inclusive), or {@code x not between ...} when negated. */
  record Between(Expression operand, Expression low, Expression high, boolean negated)
      implements Expression {
    public Between {
      Objects.requireNonNull(operand, "operand");
      Objects.requireNonNull(low, "low");
      Objects.requireNonNull(high, "high");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /**
   * One {@code when ... then ...} branch of a case. In a {@link SearchedCase} {@code when} is a
   * condition; in a {@link SimpleCase} it is a value compared with the operand.
   */
  record When(Expression when, Expression then) {
    public When {
      Objects.requireNonNull(when, "when");
      Objects.requireNonNull(then, "then");
    }

    private static List<Expression> flatten(List<When> whens) {
      List<Expression> all = new ArrayList<>();
      for (When w : whens) {
        all.add(w.when());
        all.add(w.then());
      }
      return all;
    }
  }

  /**
   * {@code case when c1 then r1 [when ...] [else r] end}; the first true condition wins.
   *
   * @param otherwise the {@code else} result; {@link NullLiteral} when the source had none
   */
  record SearchedCase(List<When> whens, Expression otherwise) implements Expression {
    public SearchedCase {
      whens = List.copyOf(whens);
      Objects.requireNonNull(otherwise, "otherwise");
      if (whens.isEmpty()) {
        throw new ExpressionException("'case' needs at least one 'when ... then ...'");
      }
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /**
   * {@code case x when v1 then r1 [when ...] [else r] end}; the first value equal to x wins.
   *
   * @param otherwise the {@code else} result; {@link NullLiteral} when the source had none
   */
  record SimpleCase(Expression operand, List<When> whens, Expression otherwise)
      implements Expression {
    public SimpleCase {
      Objects.requireNonNull(operand, "operand");
      whens = List.copyOf(whens);
      Objects.requireNonNull(otherwise, "otherwise");
      if (whens.isEmpty()) {
        throw new ExpressionException("'case' needs at least one 'when ... then ...'");
      }
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /**
   * A call of a built-in function (see docs/expressions.md for the table).
   *
   * @param function the function's name, stored in lower case
   * @throws ExpressionException when no built-in function has that name or it does not take that
   *     many arguments
   */
  record Call(String function, List<Expression> arguments) implements Expression {
    public Call {
      String name = function.toLowerCase(Locale.ROOT);
      arguments = List.copyOf(arguments);
      BuiltinFunction.byName(name)
          .orElseThrow(() -> new ExpressionException(BuiltinFunction.unknownMessage(name)))
          .checkArity(arguments.size(), -1);
      function = name;
    }

    /** A call from its name and arguments, as in {@code Call.of("coalesce", x, zero)}. */
    public static Call of(String function, Expression... arguments) {
      return new Call(function, List.of(arguments));
    }

    @Override
    public String toString() {
      return render();
    }
  }

  /** {@code cast(x as TYPE)}, where TYPE is a {@link ValueType} spelling. */
  record Cast(Expression operand, ValueType type) implements Expression {
    public Cast {
      Objects.requireNonNull(operand, "operand");
      Objects.requireNonNull(type, "type");
    }

    @Override
    public String toString() {
      return render();
    }
  }
}
