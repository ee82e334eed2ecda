package dev.quiver.core.load;

import dev.quiver.core.Names;
import dev.quiver.core.Origin;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.OnFail;
import dev.quiver.core.model.ValidationRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads {@code validation:} blocks (docs/validation.md): a feature's ({@code not_null}, {@code
 * min}, {@code max}, {@code allowed}, {@code pattern}, {@code expr}) and a view's ({@code
 * row_count}, {@code freshness}), each rule written as its value or as {@code {value: ..., on_fail:
 * ...}}, with the block's {@code on_fail} as the default. Reports shape problems with file and line;
 * whether the feature exists, its type fits and an {@code expr} type-checks is the validator's part.
 */
final class ValidationReader {
  static final List<String> FEATURE_RULES = List.of("not_null", "min", "max", "allowed", "pattern", "expr", "on_fail");
  static final List<String> VIEW_RULES = List.of("row_count", "freshness", "on_fail");
  private static final String ON_FAIL_HELP = "one of warn (the default), skip_row, fail";

  private final Origins origins;

  ValidationReader(Origins origins) {
    this.origins = origins;
  }

  /** The origin path of a rule, for the validator's messages. */
  static String rulePath(String elementKey, String kind) {
    return elementKey + "/validation:" + kind;
  }

  /** The rules of a feature's {@code validation:} block; {@code featureKey} is its origin path. */
  List<ValidationRule> feature(YamlMap block, String featureKey, String feature) {
    block.allowOnly("the validation rules of feature '" + feature + "'", FEATURE_RULES);
    OnFail defaultOnFail = onFail(block, "on_fail", OnFail.WARN);
    List<ValidationRule> out = new ArrayList<>();
    Rule min = null;
    for (String kind : block.keys()) {
      if (kind.equals("on_fail") || !FEATURE_RULES.contains(kind)) {
        continue;
      }
      origins.put(rulePath(featureKey, kind), block.origin(kind));
      Rule r = rule(block, kind, defaultOnFail);
      if (r == null) {
        continue;
      }
      String what = "feature '" + feature + "': validation rule '" + kind + "'";
      ValidationRule rule = switch (kind) {
        case "not_null" -> notNull(r, feature, what);
        case "min", "max" -> {
          BigDecimal bound = number(r, what);
          if (bound == null) {
            yield null;
          }
          if (kind.equals("min")) {
            min = r;
            yield new ValidationRule.Min(feature, bound, r.onFail);
          }
          yield new ValidationRule.Max(feature, bound, r.onFail);
        }
        case "allowed" -> allowed(r, feature, what);
        case "pattern" -> pattern(r, feature, what);
        case "expr" -> {
          String e = scalar(r, what, "a condition over the view's column features, e.g. expr: \"amount >= 0\"");
          yield e == null ? null : new ValidationRule.Expr(feature, e, r.onFail);
        }
        default -> null;
      };
      if (rule != null) {
        out.add(rule);
      }
    }
    BigDecimal lo = out.stream().filter(x -> x instanceof ValidationRule.Min).map(x -> ((ValidationRule.Min) x).value())
        .findFirst().orElse(null);
    BigDecimal hi = out.stream().filter(x -> x instanceof ValidationRule.Max).map(x -> ((ValidationRule.Max) x).value())
        .findFirst().orElse(null);
    if (lo != null && hi != null && lo.compareTo(hi) > 0) {
      block.problem(min.at, "feature '" + feature + "': validation min " + lo.toPlainString() + " is greater than max "
          + hi.toPlainString() + "; no value could pass: swap them or fix one");
    }
    return out;
  }

  /** The rules of a view's {@code validation:} block; {@code viewKey} is its origin path. */
  List<ValidationRule> view(YamlMap block, String viewKey, String view) {
    block.allowOnly("the validation rules of feature view '" + view + "' (feature rules go under a feature's"
        + " own 'validation:')", VIEW_RULES);
    OnFail defaultOnFail = onFail(block, "on_fail", OnFail.WARN);
    List<ValidationRule> out = new ArrayList<>();
    if (block.has("row_count")) {
      origins.put(rulePath(viewKey, "row_count"), block.origin("row_count"));
      YamlMap m = block.map("row_count");
      if (m != null) {
        m.allowOnly("row_count (e.g. row_count: {min: 1000, max: 5000000, on_fail: fail})", List.of("min", "max", "on_fail"));
        Long lo = count(m, "min");
        Long hi = count(m, "max");
        OnFail f = runOnFail(m, defaultOnFail, "row_count");
        if (!m.has("min") && !m.has("max")) {
          m.problem(m.origin(), "feature view '" + view + "': row_count needs min, max or both, e.g. row_count: {min: 1000}");
        } else if (lo != null && hi != null && lo > hi) {
          m.problem(m.origin("min"), "feature view '" + view + "': row_count min " + lo + " is greater than max " + hi
              + "; swap them or fix one");
        } else if (f != null) {
          out.add(new ValidationRule.RowCount(lo, hi, f));
        }
      }
    }
    if (block.has("freshness")) {
      origins.put(rulePath(viewKey, "freshness"), block.origin("freshness"));
      Node n = block.raw("freshness");
      String text;
      OnFail f;
      Origin at = block.origin(n);
      if (n instanceof MappingNode) {
        YamlMap m = new YamlMap(block.file(), n, block.problems());
        m.allowOnly("freshness (e.g. freshness: {max_age: 2h, on_fail: fail})", List.of("max_age", "on_fail"));
        text = m.required("max_age", "freshness");
        f = runOnFail(m, defaultOnFail, "freshness");
      } else {
        text = block.string("freshness");
        f = defaultOnFail == OnFail.SKIP_ROW ? null : defaultOnFail;
        if (f == null) {
          block.problem(block.origin("on_fail"), skipRowProblem("freshness"));
        }
      }
      Duration d = text == null ? null : Durations.parse(text).orElse(null);
      if (text != null && (d == null || d.isZero())) {
        block.problem(at, "feature view '" + view + "': freshness must be a positive duration such as 15m, 2h or 1d"
            + " (the newest event time may be at most that old), not '" + text + "'");
      } else if (d != null && f != null) {
        out.add(new ValidationRule.Freshness(d, f));
      }
    }
    return out;
  }

  /** One rule as written: its value node, its outcome and where it is. */
  private record Rule(Node value, OnFail onFail, Origin at, YamlMap owner) {}

  private Rule rule(YamlMap block, String kind, OnFail defaultOnFail) {
    Node n = block.raw(kind);
    Origin at = block.origin(kind);
    if (n instanceof MappingNode) {
      YamlMap m = new YamlMap(block.file(), n, block.problems());
      m.allowOnly("validation rule '" + kind + "' (written as {value: ..., on_fail: ...})", List.of("value", "on_fail"));
      if (!m.has("value")) {
        m.problem(m.origin(), "validation rule '" + kind + "' needs 'value', e.g. " + kind + ": {value: "
            + example(kind) + ", on_fail: fail}");
        return null;
      }
      OnFail f = onFail(m, "on_fail", defaultOnFail);
      return new Rule(m.raw("value"), f, at, m);
    }
    return new Rule(n, defaultOnFail, at, block);
  }

  private static String example(String kind) {
    return switch (kind) {
      case "not_null" -> "true";
      case "min" -> "0";
      case "max" -> "10000";
      case "allowed" -> "[US, FR]";
      case "pattern" -> "\"^[A-Z]{2}$\"";
      default -> "\"amount >= 0\"";
    };
  }

  private ValidationRule notNull(Rule r, String feature, String what) {
    String text = scalar(r, what, "true, or the highest share of null rows a run may have (0.01)");
    if (text == null) {
      return null;
    }
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("true") || t.equals("yes")) {
      return new ValidationRule.NotNull(feature, null, r.onFail);
    }
    if (t.equals("false") || t.equals("no")) {
      return null; // not_null: false is no rule
    }
    double rate;
    try {
      rate = Double.parseDouble(t);
    } catch (NumberFormatException e) {
      rate = -1;
    }
    if (!(rate >= 0 && rate <= 1)) {
      r.owner.problem(r.at, what + " must be true or a null rate between 0 and 1 (not_null: 0.01 allows 1% null rows"
          + " per run), not '" + text + "'");
      return null;
    }
    if (r.onFail == OnFail.SKIP_ROW) {
      r.owner.problem(r.at, what + ": a null rate judges a whole run, not a row, so skip_row cannot apply;"
          + " use on_fail: warn or fail, or not_null: true to drop each null row");
      return null;
    }
    return new ValidationRule.NotNull(feature, rate, r.onFail);
  }

  private static BigDecimal number(Rule r, String what) {
    String text = r.value instanceof ScalarNode s ? s.getValue().strip() : null;
    try {
      BigDecimal b = text == null ? null : new BigDecimal(text);
      if (b != null) {
        return b;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    r.owner.problem(r.at, what + " must be a number, e.g. " + (what.endsWith("'min'") ? "min: 0" : "max: 10000")
        + ", not " + (text == null ? "a " + YamlMap.kind(r.value) : "'" + text + "'"));
    return null;
  }

  private static ValidationRule allowed(Rule r, String feature, String what) {
    if (!(r.value instanceof SequenceNode seq)) {
      r.owner.problem(r.at, what + " must be a list of values, e.g. allowed: [US, FR, DE]");
      return null;
    }
    List<String> values = new ArrayList<>();
    for (Node item : seq.getValue()) {
      if (item instanceof ScalarNode s) {
        values.add(s.getValue());
      } else {
        r.owner.problem(r.owner.origin(item), what + ": each allowed value must be a single value, not a " + YamlMap.kind(item));
        return null;
      }
    }
    if (values.isEmpty()) {
      r.owner.problem(r.at, what + " lists no value, so no value could pass; list the allowed values or remove the rule");
      return null;
    }
    return new ValidationRule.Allowed(feature, values, r.onFail);
  }

  private static ValidationRule pattern(Rule r, String feature, String what) {
    String regex = scalar(r, what, "a regular expression the whole value must match, e.g. pattern: \"^[A-Z]{2}$\"");
    if (regex == null) {
      return null;
    }
    try {
      java.util.regex.Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      r.owner.problem(r.at, what + ": '" + regex + "' is not a regular expression: " + e.getDescription()
          + " near index " + e.getIndex() + " (Java regex syntax; quote the pattern in YAML)");
      return null;
    }
    return new ValidationRule.Pattern(feature, regex, r.onFail);
  }

  private static String scalar(Rule r, String what, String help) {
    if (r.value instanceof ScalarNode s && !s.getValue().isBlank()) {
      return s.getValue();
    }
    r.owner.problem(r.at, what + " must be a single value: " + help);
    return null;
  }

  private static Long count(YamlMap m, String key) {
    String s = m.string(key);
    if (s == null) {
      return null;
    }
    try {
      long n = Long.parseLong(s.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    m.problem(m.origin(key), "row_count " + key + " must be a whole number of rows, 0 or more, not '" + s + "'");
    return null;
  }

  private static OnFail runOnFail(YamlMap m, OnFail defaultOnFail, String kind) {
    OnFail f = onFail(m, "on_fail", defaultOnFail);
    if (f == OnFail.SKIP_ROW) {
      m.problem(m.has("on_fail") ? m.origin("on_fail") : m.origin(), skipRowProblem(kind));
      return null;
    }
    return f;
  }

  private static String skipRowProblem(String kind) {
    return kind + " judges a whole run, not a row, so on_fail: skip_row cannot apply; use warn or fail";
  }

  private static OnFail onFail(YamlMap m, String key, OnFail defaultValue) {
    String s = m.string(key);
    if (s == null) {
      return defaultValue;
    }
    return OnFail.parse(s).orElseGet(() -> {
      m.problem(m.origin(key), "on_fail must be " + ON_FAIL_HELP + ", not '" + s + "'"
          + Names.didYouMean(s, List.of("warn", "skip_row", "fail")));
      return defaultValue;
    });
  }
}
