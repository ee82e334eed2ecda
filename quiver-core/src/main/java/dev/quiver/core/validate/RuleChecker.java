package dev.quiver.core.validate;

import dev.quiver.core.Names;
import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.load.Origins;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnFail;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValidationRule;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.quality.RuleValues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a view's validation rules against its typed features: the feature exists and is a column
 * feature, the rule fits its type, an {@code expr} is a condition over the view's column features,
 * {@code skip_row} is only on row rules and bounds are in order (also for Java-built definitions,
 * which the YAML reader did not see).
 */
final class RuleChecker {
  private final DefinitionValidator v;
  private final FeatureView view;
  private final String key;

  RuleChecker(DefinitionValidator validator, FeatureView typedView, String key) {
    this.v = validator;
    this.view = typedView;
    this.key = key;
  }

  void check() {
    Map<String, ValueType> scope = new LinkedHashMap<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c && c.type() != null) {
        scope.put(c.name(), c.type());
      }
    }
    for (ValidationRule r : view.rules()) {
      String at = r.feature() == null ? key + "/validation:" + r.kind()
          : Origins.feature(key, r.feature()) + "/validation:" + r.kind();
      String what = (r.feature() == null ? "feature view '" + view.name() + "'" : "feature '" + r.feature() + "'")
          + ": validation rule '" + r.kind() + "'";
      if (!r.perRow() && r.onFail() == OnFail.SKIP_ROW) {
        v.problem(at, what + " judges a whole run, not a row, so on_fail: skip_row cannot apply; use warn or fail");
        continue;
      }
      if (r.feature() == null) {
        if (r instanceof ValidationRule.RowCount c && c.min() != null && c.max() != null && c.min() > c.max()) {
          v.problem(at, what + ": min " + c.min() + " is greater than max " + c.max() + "; swap them or fix one");
        }
        continue;
      }
      Feature f = view.feature(r.feature()).orElse(null);
      if (f == null) {
        v.problem(at, what + " is on '" + r.feature() + "', which view '" + view.name() + "' does not define"
            + Names.didYouMean(r.feature(), view.features().stream().map(Feature::name).toList()));
        continue;
      }
      if (!(f instanceof ColumnFeature)) {
        v.problem(at, what + ": rules judge values as they enter, so they go on column features; '" + f.name()
            + "' is computed (an aggregate or derived feature): put the rule on a column feature it reads");
        continue;
      }
      ValueType type = f.type();
      if (type == null) {
        continue; // the feature's own problem is reported
      }
      switch (r) {
        case ValidationRule.Min m -> numeric(at, what, type);
        case ValidationRule.Max m -> {
          numeric(at, what, type);
          view.rules().stream().filter(o -> o instanceof ValidationRule.Min mn && mn.feature().equals(m.feature())
              && mn.value().compareTo(m.value()) > 0).findFirst().ifPresent(o -> v.problem(at, what + ": max "
              + m.value().toPlainString() + " is less than min " + ((ValidationRule.Min) o).value().toPlainString()
              + "; no value could pass: swap them or fix one"));
        }
        case ValidationRule.Allowed a -> {
          if (!RuleValues.allowedSupports(type)) {
            v.problem(at, what + " compares integers, floats, bools and strings, not " + type.spelling()
                + "; use an expr rule instead");
            break;
          }
          for (String text : a.values()) {
            if (RuleValues.allowed(type, text).isEmpty()) {
              v.problem(at, what + ": '" + text + "' is not a " + type.spelling() + " value (the feature's type);"
                  + " list values of that type");
            }
          }
        }
        case ValidationRule.Pattern p -> {
          if (type != ScalarType.STRING) {
            v.problem(at, what + " matches strings, but '" + f.name() + "' is " + type.spelling()
                + "; use min/max, allowed or an expr rule");
          }
          try {
            java.util.regex.Pattern.compile(p.regex());
          } catch (java.util.regex.PatternSyntaxException e) {
            v.problem(at, what + ": '" + p.regex() + "' is not a regular expression: " + e.getDescription());
          }
        }
        case ValidationRule.Expr e -> {
          try {
            ValueType t = ExpressionTyping.type(ExpressionTyping.parse(e.expression()), scope);
            if (t != ScalarType.BOOL) {
              v.problem(at, what + ": '" + e.expression() + "' gives " + t.spelling() + "; it must be a condition"
                  + " (bool), e.g. \"" + f.name() + " >= 0\"");
            }
          } catch (ExpressionException ex) {
            v.problem(at, what + ": " + ex.getMessage() + " (an expr rule reads the view's column features: "
                + String.join(", ", scope.keySet()) + ")");
          }
        }
        case ValidationRule.NotNull n -> {
          if (n.maxNullRate() != null && !(n.maxNullRate() >= 0 && n.maxNullRate() <= 1)) {
            v.problem(at, what + ": the null rate must be between 0 and 1, not " + n.maxNullRate());
          }
        }
        default -> { }
      }
    }
  }

  private void numeric(String at, String what, ValueType type) {
    if (!type.isNumeric()) {
      v.problem(at, what + " compares numbers, but the feature is " + type.spelling()
          + "; use allowed, pattern or an expr rule");
    }
  }
}
