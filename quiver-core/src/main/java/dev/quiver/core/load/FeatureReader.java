package dev.quiver.core.load;

import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.List;

/**
 * Reads one feature of a feature view: a column, an expression ({@code expr}), a custom transform
 * ({@code transform} with {@code args}) or a window aggregate ({@code aggregate}), exactly one of
 * them. Not thread-safe (one per load).
 */
final class FeatureReader {
  private static final List<String> FEATURE_KEYS =
      List.of("name", "column", "type", "aggregate", "expr", "transform", "args", "description", "validation");
  private static final List<String> AGG_KEYS =
      List.of("fn", "column", "window", "hop", "where", "k", "percentile");

  private final DefinitionFields fields;

  FeatureReader(DefinitionFields fields) {
    this.fields = fields;
  }

  /** The feature, its origins recorded under {@code viewKey}; null (and a problem) when it is wrong. */
  Feature feature(YamlMap f, String viewKey) {
    f.allowOnly("feature", FEATURE_KEYS);
    String name = f.required("name", "a feature");
    if (name == null) {
      return null;
    }
    String key = Origins.feature(viewKey, name);
    if (!fields.declare(key, f, "feature '" + name + "'")) {
      return null;
    }
    fields.record(key, "type", f, "type");
    fields.record(key, "column", f, "column");
    fields.record(key, "expr", f, "expr");
    fields.record(key, "transform", f, "transform");
    fields.record(key, "args", f, "args");
    ValueType type = f.has("type") ? fields.type(f, f.origin("type"), f.string("type")) : null;
    String description = f.string("description");
    int kinds = (f.has("aggregate") ? 1 : 0) + (f.has("expr") ? 1 : 0) + (f.has("column") ? 1 : 0)
        + (f.has("transform") ? 1 : 0);
    if (kinds > 1) {
      f.problem(f.origin(), "feature '" + name + "' has more than one of column, aggregate, expr and transform; a feature is exactly one kind");
      return null;
    }
    if (f.has("args") && !f.has("transform")) {
      f.problem(f.origin("args"), "feature '" + name + "': 'args' are the arguments of a custom transform; add 'transform: <class>' or remove 'args'");
      return null;
    }
    if (f.has("transform")) {
      return transform(f, name, type, description);
    }
    if (f.has("expr")) {
      return new DerivedFeature(name, f.string("expr"), type, description);
    }
    if (f.has("aggregate")) {
      YamlMap a = f.map("aggregate");
      if (a == null) {
        return null;
      }
      if (type != null) {
        f.problem(f.origin("type"), "aggregate feature '" + name + "' takes its type from the function; remove 'type'");
      }
      return aggregate(a, key, name, description);
    }
    return new ColumnFeature(name, f.string("column"), type, description);
  }

  private Feature aggregate(YamlMap a, String key, String name, String description) {
    a.allowOnly("aggregate", AGG_KEYS);
    for (String k : AGG_KEYS) {
      fields.record(key, k, a, k);
    }
    String fnText = a.required("fn", "aggregate feature '" + name + "'");
    String windowText = a.required("window", "aggregate feature '" + name + "' (e.g. window: 30d, or lifetime)");
    if (fnText == null || windowText == null) {
      return null;
    }
    AggregateFunction fn = AggregateFunction.parse(fnText).orElse(null);
    if (fn == null) {
      a.problem(a.origin("fn"), "unknown aggregate function '" + fnText + "'"
          + dev.quiver.core.Names.didYouMean(fnText, List.of(AggregateFunction.spellings().split(", ")))
          + " (one of: " + AggregateFunction.spellings() + ")");
      return null;
    }
    Window window;
    if (windowText.strip().equalsIgnoreCase("lifetime")) {
      window = Window.lifetime();
    } else {
      Duration d = fields.duration(a, "window");
      if (d == null) {
        return null;
      }
      window = Window.of(d);
    }
    Duration hop = a.has("hop") ? fields.duration(a, "hop") : null;
    Aggregation agg = new Aggregation(fn, a.string("column"), window, hop, a.string("where"),
        a.integer("k", 0), a.decimal("percentile", 0));
    return new AggregateFeature(name, agg, null, description);
  }

  /** {@code transform: com.acme.Class} with {@code args: [expression, ...]}. */
  DerivedFeature transform(YamlMap f, String name, ValueType type, String description) {
    String className = f.string("transform");
    if (className == null || className.isBlank()) {
      f.problem(f.origin("transform"), "feature '" + name + "': 'transform' names a class, e.g. transform: com.acme.RiskScore");
      return null;
    }
    List<String> args = f.has("args") ? f.strings("args") : List.of();
    return DerivedFeature.ofTransform(name, className.strip(), args, type, description);
  }
}
