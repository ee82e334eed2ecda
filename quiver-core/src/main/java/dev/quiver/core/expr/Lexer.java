package dev.quiver.core.expr;

import dev.quiver.core.expr.Expression.FloatLiteral;
import dev.quiver.core.expr.Expression.IntLiteral;
import dev.quiver.core.expr.Expression.TimestampLiteral;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits expression text into {@link Token}s and decodes literal values. Keywords are plain
 * identifiers to the lexer.
 */
final class Lexer {

  /** Words that cannot be bare names; a name spelled like one is written in double quotes. */
  static final Set<String> RESERVED =
      Set.of(
          "and", "or", "not", "is", "null", "true", "false", "in", "between", "case", "when",
          "then", "else", "end", "cast", "as");

  enum Kind {
    IDENT,
    QUOTED_IDENT,
    STRING,
    INTEGER,
    DECIMAL,
    SYMBOL,
    EOF
  }

  /**
   * One token.
   *
   * @param value the decoded text: the name, the string's content (quotes undone), the number as
   *     written, or the symbol
   * @param start the 0-based offset of the first character
   * @param end the offset just past the last character
   */
  record Token(Kind kind, String value, int start, int end) {
    boolean isKeyword(String keyword) {
      return kind == Kind.IDENT && value.equalsIgnoreCase(keyword);
    }

    boolean isReserved() {
      return kind == Kind.IDENT && RESERVED.contains(value.toLowerCase(Locale.ROOT));
    }

    boolean isSymbol(String symbol) {
      return kind == Kind.SYMBOL && value.equals(symbol);
    }

    boolean isName() {
      return (kind == Kind.IDENT && !isReserved()) || kind == Kind.QUOTED_IDENT;
    }

    /** How a message names this token: {@code 'foo'} or {@code the end of the expression}. */
    String describe(String source) {
      return kind == Kind.EOF
          ? "the end of the expression"
          : "'" + source.substring(start, end) + "'";
    }
  }

  private final String source;
  private int pos;

  private Lexer(String source) {
    this.source = source;
  }

  static List<Token> tokenize(String source) {
    return new Lexer(source).run();
  }

  static boolean isBareName(String name) {
    if (name.isEmpty() || !isNameStart(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      if (!isNamePart(name.charAt(i))) {
        return false;
      }
    }
    return !RESERVED.contains(name.toLowerCase(Locale.ROOT));
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || isDigit(c);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private List<Token> run() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      while (pos < source.length() && Character.isWhitespace(source.charAt(pos))) {
        pos++;
      }
      if (pos >= source.length()) {
        tokens.add(new Token(Kind.EOF, "", source.length(), source.length()));
        return tokens;
      }
      tokens.add(next());
    }
  }

  private Token next() {
    int start = pos;
    char c = source.charAt(pos);
    if (isNameStart(c)) {
      while (pos < source.length() && isNamePart(source.charAt(pos))) {
        pos++;
      }
      return new Token(Kind.IDENT, source.substring(start, pos), start, pos);
    }
    if (isDigit(c)) {
      return number(start);
    }
    if (c == '\'') {
      return quoted(start, '\'', Kind.STRING);
    }
    if (c == '"') {
      Token t = quoted(start, '"', Kind.QUOTED_IDENT);
      if (t.value().isEmpty()) {
        throw new ExpressionException("a quoted name cannot be empty", start);
      }
      return t;
    }
    String two = pos + 1 < source.length() ? source.substring(pos, pos + 2) : "";
    switch (two) {
      case "<=", ">=", "!=", "<>" -> {
        pos += 2;
        return new Token(Kind.SYMBOL, two, start, pos);
      }
      case "==" ->
          throw new ExpressionException("'==' is not an operator; use '=' to compare", start);
      case "&&" -> throw new ExpressionException("'&&' is not an operator; use 'and'", start);
      case "||" ->
          throw new ExpressionException(
              "'||' is not an operator; use 'or' for booleans or concat(a, b) to join strings",
              start);
      default -> {}
    }
    if ("()+-*/%=<>,.".indexOf(c) >= 0) {
      pos++;
      return new Token(Kind.SYMBOL, String.valueOf(c), start, pos);
    }
    throw new ExpressionException(unexpectedCharacter(c), start);
  }

  private static String unexpectedCharacter(char c) {
    return switch (c) {
      case '!' -> "'!' is not an operator; use 'not', or '!=' to compare";
      case '&' -> "'&' is not an operator; use 'and'";
      case '|' -> "'|' is not an operator; use 'or'";
      case ';' -> "unexpected ';': an expression is a single formula";
      case '`' -> "unexpected '`': quote names with double quotes, as in \"my name\"";
      default ->
          Character.isISOControl(c)
              ? String.format("unexpected control character U+%04X", (int) c)
              : "unexpected character '" + c + "'";
    };
  }

  private Token number(int start) {
    boolean decimal = false;
    digits();
    if (pos + 1 < source.length() && source.charAt(pos) == '.' && isDigit(source.charAt(pos + 1))) {
      decimal = true;
      pos++;
      digits();
    }
    if (pos < source.length() && (source.charAt(pos) == 'e' || source.charAt(pos) == 'E')) {
      int mark = pos;
      pos++;
      if (pos < source.length() && (source.charAt(pos) == '+' || source.charAt(pos) == '-')) {
        pos++;
      }
      if (pos >= source.length() || !isDigit(source.charAt(pos))) {
        throw new ExpressionException(
            "malformed number '" + source.substring(start, pos)
                + "': an exponent needs digits, as in 1e-3",
            mark);
      }
      decimal = true;
      digits();
    }
    if (pos < source.length() && isNameStart(source.charAt(pos))) {
      throw new ExpressionException(
          "malformed number '" + source.substring(start, pos + 1)
              + "': a name cannot start with a digit; quote it, as in \"7d_sum\"",
          start);
    }
    Kind kind = decimal ? Kind.DECIMAL : Kind.INTEGER;
    return new Token(kind, source.substring(start, pos), start, pos);
  }

  private void digits() {
    while (pos < source.length() && isDigit(source.charAt(pos))) {
      pos++;
    }
  }

  private Token quoted(int start, char quote, Kind kind) {
    StringBuilder value = new StringBuilder();
    pos++;
    while (pos < source.length()) {
      char c = source.charAt(pos++);
      if (c == quote) {
        if (pos < source.length() && source.charAt(pos) == quote) {
          value.append(quote);
          pos++;
        } else {
          return new Token(kind, value.toString(), start, pos);
        }
      } else {
        value.append(c);
      }
    }
    String what = kind == Kind.STRING ? "string" : "quoted name";
    throw new ExpressionException(
        "unterminated " + what + "; close it with " + quote + " (write " + quote + quote + " for a "
            + quote + " inside it)",
        start);
  }

  // --- literal values ---

  /**
   * The literal a number token spells, with its sign folded in.
   *
   * @param position where the literal starts, for errors
   */
  static Expression number(Kind kind, String text, int position) {
    if (kind == Kind.INTEGER) {
      try {
        return new IntLiteral(Long.parseLong(text));
      } catch (NumberFormatException e) {
        throw new ExpressionException("integer " + text + " does not fit in int64; write it with a"
            + " decimal point to make it a float64, as in " + text + ".0", position);
      }
    }
    double value = Double.parseDouble(text);
    if (Double.isInfinite(value)) {
      throw new ExpressionException("number " + text + " is too large for float64", position);
    }
    if (value == 0.0 && new BigDecimal(text).signum() != 0) {
      throw new ExpressionException(
          "number " + text + " is too small for float64; write 0.0", position);
    }
    return new FloatLiteral(value);
  }

  /**
   * The instant a timestamp literal's text spells: ISO-8601, UTC unless it carries an offset, a
   * space allowed for the 'T', the time optional.
   *
   * @param position where the string starts, for errors
   */
  static TimestampLiteral timestamp(String text, int position) {
    String s = text.strip();
    String iso =
        s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
    Instant instant;
    try {
      instant = OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException withoutZone) {
      try {
        instant = LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException withoutTime) {
        try {
          instant = LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
          throw new ExpressionException("invalid timestamp '" + s + "'; write an ISO-8601 time in"
              + " UTC, as in timestamp '2024-01-01T00:00:00Z'", position);
        }
      }
    }
    try {
      return new TimestampLiteral(instant);
    } catch (ExpressionException e) {
      throw new ExpressionException(e.reason(), position);
    }
  }
}
