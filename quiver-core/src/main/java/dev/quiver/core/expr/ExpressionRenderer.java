package dev.quiver.core.expr;

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
import dev.quiver.core.expr.Expression.Reference;
import dev.quiver.core.expr.Expression.SearchedCase;
import dev.quiver.core.expr.Expression.SimpleCase;
import dev.quiver.core.expr.Expression.StringLiteral;
import dev.quiver.core.expr.Expression.TimestampLiteral;
import dev.quiver.core.expr.Expression.When;
import java.util.List;
import java.util.Locale;

/**
 * Prints the canonical text of an expression: lower-case keywords and function names, one space
 * around binary operators, and only the parentheses the precedence rules need, so that parsing the
 * text gives back an equal expression.
 */
final class ExpressionRenderer {
  // Binding strength, loosest first; an operand printed where a tighter level is needed gets
  // parentheses. The values of Expression.Operator.precedence() fit in between.
  private static final int ANY = 1;
  private static final int NOT = 3;
  private static final int PREDICATE = 4;
  private static final int ADDITIVE = 5;
  private static final int NEGATE = 7;
  private static final int PRIMARY = 8;

  private final StringBuilder out = new StringBuilder();

  private ExpressionRenderer() {}

  static String render(Expression e) {
    ExpressionRenderer r = new ExpressionRenderer();
    r.write(e, ANY);
    return r.out.toString();
  }

  /** The binding strength of an expression's outermost form. */
  private static int level(Expression e) {
    return switch (e) {
      case Binary b -> b.operator().precedence();
      case Not n -> NOT;
      case IsNull n -> PREDICATE;
      case In in -> PREDICATE;
      case Between b -> PREDICATE;
      case Negate n -> NEGATE;
      case IntLiteral i -> i.value() < 0 ? NEGATE : PRIMARY;
      case FloatLiteral f -> isNegative(f.value()) ? NEGATE : PRIMARY;
      default -> PRIMARY;
    };
  }

  private static boolean isNegative(double d) {
    return Double.doubleToRawLongBits(d) < 0;
  }

  private void write(Expression e, int needed) {
    boolean parens = level(e) < needed;
    if (parens) {
      out.append('(');
    }
    writeBare(e);
    if (parens) {
      out.append(')');
    }
  }

  private void writeBare(Expression e) {
    switch (e) {
      case NullLiteral n -> out.append("null");
      case BoolLiteral b -> out.append(b.value());
      case IntLiteral i -> out.append(i.value());
      case FloatLiteral f -> out.append(Double.toString(f.value()).toLowerCase(Locale.ROOT));
      case StringLiteral s -> string(s.value());
      case TimestampLiteral t -> {
        out.append("timestamp ");
        string(t.value().toString());
      }
      case Reference r -> reference(r.path());
      case Negate n -> {
        out.append('-');
        // "-(5)" keeps a negated literal apart from the literal -5; "-(-x)" avoids "--".
        Expression x = n.operand();
        boolean wrap = x instanceof IntLiteral || x instanceof FloatLiteral || x instanceof Negate;
        write(x, wrap ? PRIMARY + 1 : NEGATE);
      }
      case Not n -> {
        out.append("not ");
        write(n.operand(), NOT);
      }
      case Binary b -> {
        int p = b.operator().precedence();
        boolean chains = !b.operator().isComparison();
        write(b.left(), chains ? p : p + 1);
        out.append(' ').append(b.operator().symbol()).append(' ');
        write(b.right(), p + 1);
      }
      case IsNull n -> {
        write(n.operand(), ADDITIVE);
        out.append(n.negated() ? " is not null" : " is null");
      }
      case In in -> {
        write(in.operand(), ADDITIVE);
        out.append(in.negated() ? " not in (" : " in (");
        list(in.values());
        out.append(')');
      }
      case Between b -> {
        write(b.operand(), ADDITIVE);
        out.append(b.negated() ? " not between " : " between ");
        write(b.low(), ADDITIVE);
        out.append(" and ");
        write(b.high(), ADDITIVE);
      }
      case SearchedCase c -> caseExpression(null, c.whens(), c.otherwise());
      case SimpleCase c -> caseExpression(c.operand(), c.whens(), c.otherwise());
      case Call c -> {
        out.append(c.function()).append('(');
        list(c.arguments());
        out.append(')');
      }
      case Cast c -> {
        out.append("cast(");
        write(c.operand(), ANY);
        out.append(" as ").append(c.type().spelling()).append(')');
      }
    }
  }

  private void caseExpression(Expression operand, List<When> whens, Expression otherwise) {
    out.append("case");
    if (operand != null) {
      out.append(' ');
      write(operand, ANY);
    }
    for (When w : whens) {
      out.append(" when ");
      write(w.when(), ANY);
      out.append(" then ");
      write(w.then(), ANY);
    }
    if (!(otherwise instanceof NullLiteral)) {
      out.append(" else ");
      write(otherwise, ANY);
    }
    out.append(" end");
  }

  private void list(List<Expression> items) {
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      write(items.get(i), ANY);
    }
  }

  private void string(String value) {
    out.append('\'').append(value.replace("'", "''")).append('\'');
  }

  private void reference(List<String> path) {
    for (int i = 0; i < path.size(); i++) {
      if (i > 0) {
        out.append('.');
      }
      String part = path.get(i);
      if (Lexer.isBareName(part)) {
        out.append(part);
      } else {
        out.append('"').append(part.replace("\"", "\"\"")).append('"');
      }
    }
  }
}
