package dev.quiver.core.validate;

import dev.quiver.core.expr.Expression;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.expr.ExpressionTypeChecker;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.ValueType;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The validator's one seam to the expression language: parse, list references, type. */
final class ExpressionTyping {
  private ExpressionTyping() {}

  /** The parsed expression; throws {@code ExpressionException} with a position on bad syntax. */
  static Expression parse(String text) {
    return ExpressionParser.parse(text);
  }

  static Set<String> references(Expression e) {
    return e.references();
  }

  /** The names a derived feature reads: its expression's, or all its transform arguments'. */
  static Set<String> references(DerivedFeature d) {
    Set<String> names = new LinkedHashSet<>();
    for (String text : d.expressions()) {
      names.addAll(parse(text).references());
    }
    return names;
  }

  /** The type of {@code e} given the types of its references; throws {@code ExpressionException}. */
  static ValueType type(Expression e, Map<String, ValueType> scope) {
    return ExpressionTypeChecker.of(scope).check(e);
  }
}
