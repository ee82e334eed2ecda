package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.Between;
import dev.quiver.core.expr.Expression.Binary;
import dev.quiver.core.expr.Expression.BoolLiteral;
import dev.quiver.core.expr.Expression.Call;
import dev.quiver.core.expr.Expression.Cast;
import dev.quiver.core.expr.Expression.In;
import dev.quiver.core.expr.Expression.IsNull;
import dev.quiver.core.expr.Expression.Negate;
import dev.quiver.core.expr.Expression.Not;
import dev.quiver.core.expr.Expression.NullLiteral;
import dev.quiver.core.expr.Expression.Operator;
import dev.quiver.core.expr.Expression.Reference;
import dev.quiver.core.expr.Expression.SearchedCase;
import dev.quiver.core.expr.Expression.SimpleCase;
import dev.quiver.core.expr.Expression.StringLiteral;
import dev.quiver.core.expr.Expression.When;
import dev.quiver.core.expr.Lexer.Kind;
import dev.quiver.core.expr.Lexer.Token;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Parses the text of a derived feature's expression (grammar in docs/expressions.md).
 *
 * <p>Keywords and function names are case-insensitive; names are case-sensitive. The parser checks
 * syntax, function names and argument counts; {@link ExpressionTypeChecker} checks types.
 * Stateless and safe to call from any thread.
 */
public final class ExpressionParser {
  /** Deeper nesting than this is refused rather than risking a stack overflow. */
  static final int MAX_DEPTH = 200;

  private final String source;
  private final List<Token> tokens;
  private int index;
  private int depth;

  private ExpressionParser(String source) {
    this.source = source;
    this.tokens = Lexer.tokenize(source);
  }

  /**
   * Parses one expression.
   *
   * @param source the expression text, e.g.
   *     {@code request.amount / nullif(user_txn.amount_avg_30d, 0)}
   * @return the expression; never null
   * @throws ExpressionException when the text is not a well-formed expression; its message says
   *     what to write instead, and {@link ExpressionException#position()} where the problem is
   * @throws NullPointerException when source is null
   */
  public static Expression parse(String source) {
    Objects.requireNonNull(source, "source");
    if (source.isBlank()) {
      throw new ExpressionException("the expression is empty", 0);
    }
    ExpressionParser parser = new ExpressionParser(source);
    Expression e = parser.or();
    Token rest = parser.peek();
    if (rest.kind() != Kind.EOF) {
      throw parser.error(
          "unexpected " + rest.describe(source) + " after a complete expression; "
              + (rest.isSymbol(")")
                  ? "remove it or add the missing '('"
                  : "is an operator or ',' missing?"),
          rest);
    }
    return e;
  }

  // --- one method per precedence level, loosest first ---

  private Expression or() {
    return leftAssociative(Operator.OR.precedence(), this::and);
  }

  private Expression and() {
    return leftAssociative(Operator.AND.precedence(), this::not);
  }

  private Expression not() {
    if (peek().isKeyword("not")) {
      next();
      enter(1);
      Expression operand = not();
      depth--;
      return new Not(operand);
    }
    return predicate();
  }

  /** Comparisons, is [not] null, [not] in, [not] between: they do not chain. */
  private Expression predicate() {
    Expression left = additive();
    if (!startsPredicate(0)) {
      return left;
    }
    Token t = next();
    Expression result;
    Operator comparison = comparison(t);
    if (comparison != null) {
      result = new Binary(comparison, left, additive());
    } else if (t.isKeyword("is")) {
      boolean negated = accept("not");
      expectKeyword("null", "after 'is'", "; write 'is null' or 'is not null'");
      result = new IsNull(left, negated);
    } else {
      boolean negated = t.isKeyword("not");
      Token word = negated ? next() : t;
      result = word.isKeyword("in") ? in(left, word, negated) : between(left, negated);
    }
    if (startsPredicate(0)) {
      throw error(
          "comparisons do not chain; add parentheses to say which comes first, as in (a = b) = c,"
              + " or join them with 'and', as in a < b and b < c",
          peek());
    }
    return result;
  }

  /** Whether the token {@code ahead} of the current one starts a comparison, is, in or between. */
  private boolean startsPredicate(int ahead) {
    Token t = peek(ahead);
    return comparison(t) != null
        || t.isKeyword("is")
        || t.isKeyword("in")
        || t.isKeyword("between")
        || (t.isKeyword("not")
            && (peek(ahead + 1).isKeyword("in") || peek(ahead + 1).isKeyword("between")));
  }

  private static Operator comparison(Token t) {
    Operator op = operator(t);
    return op != null && op.isComparison() ? op : null;
  }

  /** The binary operator a token spells, or null. */
  private static Operator operator(Token t) {
    if (t.kind() == Kind.IDENT) {
      return t.isKeyword("and") ? Operator.AND : t.isKeyword("or") ? Operator.OR : null;
    }
    if (t.kind() != Kind.SYMBOL) {
      return null;
    }
    return switch (t.value()) {
      case "+" -> Operator.ADD;
      case "-" -> Operator.SUBTRACT;
      case "*" -> Operator.MULTIPLY;
      case "/" -> Operator.DIVIDE;
      case "%" -> Operator.MODULO;
      case "=" -> Operator.EQUAL;
      case "!=", "<>" -> Operator.NOT_EQUAL;
      case "<" -> Operator.LESS;
      case "<=" -> Operator.LESS_OR_EQUAL;
      case ">" -> Operator.GREATER;
      case ">=" -> Operator.GREATER_OR_EQUAL;
      default -> null;
    };
  }

  /** {@code operand (op operand)*} for the operators of one precedence, grouping to the left. */
  private Expression leftAssociative(int precedence, Supplier<Expression> operand) {
    Expression left = operand.get();
    int chain = 0;
    for (Operator op = operator(peek());
        op != null && op.precedence() == precedence;
        op = operator(peek())) {
      next();
      chain++;
      enter(1); // a chain of n operators is a tree n deep
      left = new Binary(op, left, operand.get());
    }
    depth -= chain;
    return left;
  }

  private Expression in(Expression operand, Token in, boolean negated) {
    Token open = peek();
    if (!open.isSymbol("(")) {
      throw error(
          "expected '(' after 'in', as in x in (1, 2, 3), but found " + describe(open), open);
    }
    next();
    if (peek().isSymbol(")")) {
      throw error("'in' needs at least one value between the parentheses", peek());
    }
    List<Expression> values = list(open, "'" + in.value().toLowerCase(Locale.ROOT) + " ('");
    return new In(operand, values, negated);
  }

  private Expression between(Expression operand, boolean negated) {
    Expression low = additive();
    expectKeyword("and", "in 'x between low and high'", "");
    Expression high = additive();
    return new Between(operand, low, high, negated);
  }

  private Expression additive() {
    return leftAssociative(Operator.ADD.precedence(), this::multiplicative);
  }

  private Expression multiplicative() {
    return leftAssociative(Operator.MULTIPLY.precedence(), this::unary);
  }

  private Expression unary() {
    if (!peek().isSymbol("-")) {
      return primary();
    }
    Token minus = next();
    Token t = peek();
    if (t.kind() == Kind.INTEGER || t.kind() == Kind.DECIMAL) {
      next();
      return Lexer.number(t.kind(), "-" + t.value(), minus.start());
    }
    enter(1);
    Expression operand = unary();
    depth--;
    return new Negate(operand);
  }

  private Expression primary() {
    Token t = peek();
    switch (t.kind()) {
      case INTEGER, DECIMAL -> {
        next();
        return Lexer.number(t.kind(), t.value(), t.start());
      }
      case STRING -> {
        next();
        return new StringLiteral(t.value());
      }
      case QUOTED_IDENT -> {
        return reference();
      }
      case SYMBOL -> {
        if (t.isSymbol("(")) {
          next();
          enter(1);
          Expression inner = or();
          depth--;
          expectClose(t, "'('");
          return inner;
        }
        if (t.isSymbol("+")) {
          throw error("unary '+' is not supported; remove it", t);
        }
        throw error("expected a value, a name or '(' but found " + describe(t), t);
      }
      case EOF -> throw error("the expression ends too early; a value or name is missing", t);
      case IDENT -> {
        return word(t);
      }
    }
    throw new AssertionError(t);
  }

  /** A primary expression that starts with a word: keyword literal, case, cast, call or name. */
  private Expression word(Token t) {
    String w = t.value().toLowerCase(Locale.ROOT);
    switch (w) {
      case "null" -> {
        next();
        return new NullLiteral();
      }
      case "true", "false" -> {
        next();
        return new BoolLiteral(w.equals("true"));
      }
      case "case" -> {
        return caseExpression();
      }
      case "cast" -> {
        if (peek(1).isSymbol("(")) {
          return cast();
        }
      }
      case "timestamp" -> {
        if (peek(1).kind() == Kind.STRING) {
          next();
          Token text = next();
          return Lexer.timestamp(text.value(), text.start());
        }
      }
      default -> {}
    }
    if (t.isReserved()) {
      throw error(
          "expected a value or name but found the keyword " + describe(t)
              + "; to use it as a name, write it in double quotes: \"" + t.value() + "\"", t);
    }
    if (peek(1).isSymbol("(")) {
      return call();
    }
    return reference();
  }

  private Expression reference() {
    Token first = peek();
    List<String> path = new ArrayList<>();
    path.add(next().value());
    while (peek().isSymbol(".")) {
      next();
      Token part = peek();
      if (!part.isName()) {
        throw error("expected a name after '.' but found " + describe(part), part);
      }
      path.add(next().value());
    }
    if (peek().isSymbol("(")) {
      throw error(
          "'" + source.substring(first.start(), peek().start()).strip()
              + "' is not a function: function names have no dots and no quotes", first);
    }
    return new Reference(path);
  }

  private Expression call() {
    Token name = next();
    Token open = next();
    BuiltinFunction function =
        BuiltinFunction.byName(name.value())
            .orElseThrow(() -> error(BuiltinFunction.unknownMessage(name.value()), name));
    List<Expression> arguments = new ArrayList<>();
    if (peek().isSymbol(")")) {
      next();
    } else {
      arguments = list(open, "'" + name.value() + "('");
    }
    function.checkArity(arguments.size(), name.start());
    return new Call(function.functionName(), arguments);
  }

  /** Comma-separated expressions up to the ')' matching {@code open}, which is consumed. */
  private List<Expression> list(Token open, String opened) {
    List<Expression> items = new ArrayList<>();
    enter(1);
    do {
      items.add(or());
    } while (accept(","));
    depth--;
    expectClose(open, opened);
    return items;
  }

  private Expression cast() {
    Token cast = next();
    Token open = next();
    enter(1);
    Expression operand = or();
    depth--;
    expectKeyword("as", "in cast(x as TYPE)", "");
    Token typeStart = peek();
    if (typeStart.kind() != Kind.IDENT) {
      throw error("expected a type after 'as', one of " + ValueType.spellings() + ", but found "
          + describe(typeStart), typeStart);
    }
    next();
    String spelling = typeStart.value();
    if (peek().isSymbol("<")) {
      next();
      Token element = next();
      Token close = next();
      if (element.kind() != Kind.IDENT || !close.isSymbol(">")) {
        throw error("expected a list type such as list<float32>", typeStart);
      }
      spelling += "<" + element.value() + ">";
    }
    final String typeName = spelling;
    ValueType type =
        ValueType.parse(typeName)
            .orElseThrow(
                () ->
                    error(
                        "unknown type '" + typeName + "'; the types are " + ValueType.spellings()
                            + NameSuggestion.hint(typeName, TYPE_NAMES),
                        typeStart));
    expectClose(open, "'" + cast.value() + "('");
    return new Cast(operand, type);
  }

  private static final List<String> TYPE_NAMES =
      List.of("int32", "int64", "float32", "float64", "bool", "string", "bytes", "timestamp");

  private Expression caseExpression() {
    Token start = next();
    enter(1);
    Expression operand = peek().isKeyword("when") ? null : or();
    List<When> whens = new ArrayList<>();
    while (accept("when")) {
      Expression when = or();
      expectKeyword("then", "after 'when ...' in case", "");
      whens.add(new When(when, or()));
    }
    if (whens.isEmpty()) {
      throw error("expected 'when' in case, as in case when x > 0 then 'pos' else 'neg' end,"
          + " but found " + describe(peek()), peek());
    }
    Expression otherwise = accept("else") ? or() : new NullLiteral();
    Token end = peek();
    if (!end.isKeyword("end")) {
      throw error("expected 'end' to close 'case' opened at column " + (start.start() + 1)
          + " but found " + describe(end), end);
    }
    next();
    depth--;
    return operand == null
        ? new SearchedCase(whens, otherwise)
        : new SimpleCase(operand, whens, otherwise);
  }

  // --- tokens ---

  private Token peek() {
    return tokens.get(index);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(index + ahead, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(index);
    if (t.kind() != Kind.EOF) {
      index++;
    }
    return t;
  }

  private boolean accept(String keywordOrSymbol) {
    Token t = peek();
    if (t.isKeyword(keywordOrSymbol) || t.isSymbol(keywordOrSymbol)) {
      next();
      return true;
    }
    return false;
  }

  private void expectKeyword(String keyword, String context, String hint) {
    Token t = peek();
    if (!t.isKeyword(keyword)) {
      throw error("expected '" + keyword + "' " + context + " but found " + describe(t) + hint, t);
    }
    next();
  }

  private void expectClose(Token open, String opened) {
    Token t = peek();
    if (!t.isSymbol(")")) {
      String hint =
          t.kind() == Kind.EOF || t.isKeyword("end") || t.isSymbol(",")
              ? ""
              : " (is an operator or ',' missing?)";
      throw error("expected ')' to close " + opened + " opened at column " + (open.start() + 1)
          + " but found " + describe(t) + hint, t);
    }
    next();
  }

  private String describe(Token t) {
    return t.describe(source);
  }

  private void enter(int levels) {
    depth += levels;
    if (depth > MAX_DEPTH) {
      throw error("the expression is nested too deeply (more than " + MAX_DEPTH
          + " levels); split it into several derived features", peek());
    }
  }

  private ExpressionException error(String message, Token at) {
    return new ExpressionException(message, at.start());
  }
}
