package dev.quiver.core.expr;

import dev.quiver.core.expr.ExpressionCompiler.Eval;

/** {@code and} and {@code or} in SQL's three-valued logic; the right side is skipped when it cannot matter. */
final class Logic {
  private Logic() {}

  /** false if either is false; else null if either is null; else true. */
  static Eval and(Eval left, Eval right) {
    return in -> {
      Object a = left.eval(in);
      if (a == Boolean.FALSE) {
        return Boolean.FALSE;
      }
      Object b = right.eval(in);
      if (b == Boolean.FALSE) {
        return Boolean.FALSE;
      }
      return a == null || b == null ? null : Boolean.TRUE;
    };
  }

  /** true if either is true; else null if either is null; else false. */
  static Eval or(Eval left, Eval right) {
    return in -> {
      Object a = left.eval(in);
      if (a == Boolean.TRUE) {
        return Boolean.TRUE;
      }
      Object b = right.eval(in);
      if (b == Boolean.TRUE) {
        return Boolean.TRUE;
      }
      return a == null || b == null ? null : Boolean.FALSE;
    };
  }
}
