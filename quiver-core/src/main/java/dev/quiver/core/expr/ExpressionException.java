package dev.quiver.core.expr;

import dev.quiver.core.QuiverException;

/**
 * An expression that cannot be parsed or does not type-check. The message says what is wrong and
 * what to write instead; for syntax errors it ends with the 1-based column, and {@link #position()}
 * gives the 0-based character offset into the expression text, so a caller can point at it inside
 * the definition file.
 */
public final class ExpressionException extends QuiverException {
  private final String reason;
  private final int position;

  /** An error at a 0-based character offset of the expression text. */
  ExpressionException(String reason, int position) {
    super(position >= 0 ? reason + " (at column " + (position + 1) + ")" : reason);
    this.reason = reason;
    this.position = position;
  }

  /** An error not tied to a place in the text (type errors, malformed trees built in Java). */
  ExpressionException(String reason) {
    this(reason, -1);
  }

  /**
   * The 0-based character offset the error refers to (the expression's length when the text ended
   * too early), or -1 when the error is not tied to a place in the text, as for type errors, which
   * quote the offending sub-expression instead.
   */
  public int position() {
    return position;
  }

  /** The message without the column suffix. */
  public String reason() {
    return reason;
  }
}
