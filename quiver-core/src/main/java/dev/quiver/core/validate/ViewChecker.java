package dev.quiver.core.validate;

import dev.quiver.core.Names;
import dev.quiver.core.load.Origins;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks one feature view against its entities, source and data, and types its features. */
final class ViewChecker {
  private static final Duration DAY = Duration.ofDays(1);
  private static final Duration MAX_WINDOW = Duration.ofDays(3660);

  private final DefinitionValidator v;
  private final Definitions defs;
  private final FeatureView view;
  private final String key;

  ViewChecker(DefinitionValidator validator, Definitions defs, FeatureView view) {
    this.v = validator;
    this.defs = defs;
    this.view = view;
    this.key = Origins.view(view.name(), view.version());
  }

  FeatureView check() {
    List<String> joinKeys = checkEntities();
    Source source = defs.source(view.source()).orElse(null);
    if (source == null) {
      List<String> names = defs.sources().stream().map(Source::name).toList();
      v.problem(key + "/source", "feature view '" + view.name() + "' reads source '" + view.source()
          + "', which is not defined" + Names.didYouMean(view.source(), names)
          + (names.isEmpty() ? "; add it under 'sources'" : " (sources: " + String.join(", ", names) + ")"));
    }
    Map<String, ValueType> columns = source == null ? null : v.columns(source);
    if (columns != null) {
      checkJoinKeys(source, columns);
    }
    if (view.ttl() != null && (view.ttl().isNegative() || view.ttl().isZero())) {
      v.problem(key + "/ttl", "feature view '" + view.name() + "': ttl must be positive; remove it for no limit");
    }
    if (view.ttl() != null && view.ttl().compareTo(Durations.MAX) > 0) {
      v.problem(key + "/ttl", "feature view '" + view.name() + "': ttl " + Durations.format(view.ttl()) + " is longer than "
          + Durations.format(Durations.MAX) + " (about 100 years); remove it for no limit");
    }
    if (view.features().isEmpty()) {
      v.problem(key, "feature view '" + view.name() + "' defines no features");
    }
    Map<String, Feature> typed = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Feature f : view.features()) {
      String fk = Origins.feature(key, f.name());
      if (!Names.isValid(f.name())) {
        v.problem(fk, "feature name '" + f.name() + "' is invalid: " + Names.rule());
      }
      if (!seen.add(f.name())) {
        v.problem(fk, "feature view '" + view.name() + "' defines feature '" + f.name() + "' twice");
        continue;
      }
      if (joinKeys.contains(f.name())) {
        v.problem(fk, "feature '" + f.name() + "' has the name of a join key of view '" + view.name() + "'; rename the feature");
      }
      switch (f) {
        case ColumnFeature c -> typed.put(c.name(), column(c, fk, source, columns));
        case AggregateFeature a -> typed.put(a.name(), aggregate(a, fk, source, columns));
        case DerivedFeature d -> typed.put(d.name(), d);
      }
    }
    typeDerived(typed);
    List<Feature> out = new ArrayList<>();
    for (Feature f : view.features()) {
      out.add(typed.getOrDefault(f.name(), f));
    }
    FeatureView result = view.withFeatures(out);
    new RuleChecker(v, result, key).check();
    return result;
  }

  private List<String> checkEntities() {
    List<String> joinKeys = new ArrayList<>();
    if (view.entities().isEmpty()) {
      v.problem(key + "/entities", "feature view '" + view.name() + "' needs at least one entity in 'entities'");
    }
    List<String> names = defs.entities().stream().map(Entity::name).toList();
    for (String e : view.entities()) {
      var entity = defs.entity(e);
      if (entity.isEmpty()) {
        v.problem(key + "/entities", "feature view '" + view.name() + "' uses entity '" + e
            + "', which is not defined" + Names.didYouMean(e, names));
        continue;
      }
      for (JoinKey k : entity.get().joinKeys()) {
        if (joinKeys.contains(k.name())) {
          v.problem(key + "/entities", "feature view '" + view.name() + "': join key '" + k.name()
              + "' comes from two entities; a view's join keys must be distinct");
        }
        joinKeys.add(k.name());
      }
    }
    return joinKeys;
  }

  private void checkJoinKeys(Source source, Map<String, ValueType> columns) {
    for (String e : view.entities()) {
      for (JoinKey k : defs.entity(e).map(Entity::joinKeys).orElse(List.of())) {
        ValueType actual = columns.get(k.name());
        if (!columns.containsKey(k.name())) {
          v.problem(key + "/entities", "feature view '" + view.name() + "': source '" + source.name()
              + "' has no column '" + k.name() + "' for join key of entity '" + e + "'"
              + Names.didYouMean(k.name(), columns.keySet()) + "; map one with field_mapping");
        } else if (actual != k.type()) {
          v.problem(key + "/entities", "feature view '" + view.name() + "': join key '" + k.name()
              + "' is " + k.type().spelling() + " in entity '" + e + "' but "
              + (actual == null ? "an unsupported type" : actual.spelling()) + " in source '"
              + source.name() + "'; make the types match");
        }
      }
    }
  }

  private Feature column(ColumnFeature c, String fk, Source source, Map<String, ValueType> columns) {
    if (columns == null) {
      return c;
    }
    if (!columns.containsKey(c.column())) {
      v.problem(c.column().equals(c.name()) ? fk : fk + "/column", "feature '" + c.name() + "' of view '"
          + view.name() + "' reads column '" + c.column() + "', which source '" + source.name()
          + "' does not have" + Names.didYouMean(c.column(), columns.keySet())
          + " (columns: " + String.join(", ", columns.keySet()) + ")");
      return c;
    }
    ValueType actual = columns.get(c.column());
    if (actual == null) {
      v.problem(fk, "feature '" + c.name() + "': column '" + c.column() + "' has a type Quiver cannot read; cast it in the source data");
      return c;
    }
    if (c.type() != null && !c.type().equals(actual)) {
      v.problem(fk + "/type", "feature '" + c.name() + "' is declared " + c.type().spelling()
          + " but column '" + c.column() + "' of source '" + source.name() + "' is "
          + actual.spelling() + "; declare type: " + actual.spelling() + " or remove 'type'");
      return c;
    }
    return c.withType(actual);
  }

  private Feature aggregate(AggregateFeature a, String fk, Source source, Map<String, ValueType> columns) {
    Aggregation agg = a.aggregation();
    AggregateFunction fn = agg.function();
    String what = "aggregate '" + a.name() + "' (" + fn.spelling() + ")";
    checkWindow(agg, fk, what);
    if (fn == AggregateFunction.LAST_K && (agg.k() < 1 || agg.k() > 10_000)) {
      v.problem(fk + "/k", what + " needs k between 1 and 10000, e.g. k: 5");
    } else if (fn != AggregateFunction.LAST_K && agg.k() != 0) {
      v.problem(fk + "/k", what + ": 'k' only applies to last_k; remove it");
    }
    if (fn == AggregateFunction.APPROX_PERCENTILE && !(agg.percentile() > 0 && agg.percentile() < 1)) {
      v.problem(fk + "/percentile", what + " needs a percentile between 0 and 1 (exclusive), e.g. percentile: 0.95");
    } else if (fn != AggregateFunction.APPROX_PERCENTILE && agg.percentile() != 0) {
      v.problem(fk + "/percentile", what + ": 'percentile' only applies to approx_percentile; remove it");
    }
    if (columns != null && agg.where() != null) {
      ValueType t = v.parseAndType(fk + "/where", what + ": 'where' filter", agg.where(), columns);
      if (t != null && t != ScalarType.BOOL) {
        v.problem(fk + "/where", what + ": 'where' must be a condition (bool), but it is " + t.spelling());
      }
    }
    if (agg.column() == null) {
      if (fn.needsColumn()) {
        v.problem(fk, what + " needs 'column': the source column to aggregate");
        return a;
      }
      return a.withType(fn.resultType(null));
    }
    if (columns == null) {
      return a;
    }
    if (!columns.containsKey(agg.column())) {
      v.problem(fk + "/column", what + " reads column '" + agg.column() + "', which source '"
          + source.name() + "' does not have" + Names.didYouMean(agg.column(), columns.keySet())
          + " (columns: " + String.join(", ", columns.keySet()) + ")");
      return a;
    }
    ValueType in = columns.get(agg.column());
    if (in == null) {
      v.problem(fk + "/column", what + ": column '" + agg.column() + "' has a type Quiver cannot read");
      return a;
    }
    if (fn.needsNumeric() && !in.isNumeric()) {
      v.problem(fk + "/fn", what + " needs a numeric column, but '" + agg.column() + "' is "
          + in.spelling() + "; use count, count_distinct, first, last or last_k for " + in.spelling() + " columns");
      return a;
    }
    if (fn.needsOrderable() && !in.isOrderable()) {
      v.problem(fk + "/fn", what + " needs a column whose values can be ordered, but '" + agg.column()
          + "' is " + in.spelling());
      return a;
    }
    if (fn == AggregateFunction.LAST_K || fn == AggregateFunction.COUNT_DISTINCT
        || fn == AggregateFunction.APPROX_COUNT_DISTINCT) {
      if (!(in instanceof ScalarType)) {
        v.problem(fk + "/fn", what + " needs a scalar column, but '" + agg.column() + "' is " + in.spelling());
        return a;
      }
    }
    return a.withType(fn.resultType(in));
  }

  private void checkWindow(Aggregation agg, String fk, String what) {
    Duration hop = agg.effectiveHop();
    if (hop.compareTo(Duration.ofSeconds(1)) < 0) {
      v.problem(fk + "/hop", what + ": hop must be at least 1s");
      return;
    }
    if (agg.window() instanceof Window.Fixed f) {
      Duration w = f.length();
      if (w.isZero() || w.isNegative()) {
        v.problem(fk + "/window", what + ": window must be positive, e.g. 30d; use 'lifetime' for all history");
        return;
      }
      if (w.compareTo(MAX_WINDOW) > 0) {
        v.problem(fk + "/window", what + ": window " + Durations.format(w) + " is longer than 10 years; use 'lifetime'");
        return;
      }
      if (hop.compareTo(w) > 0) {
        v.problem(fk + "/hop", what + ": hop " + Durations.format(hop) + " is longer than the window "
            + Durations.format(w) + DefinitionValidatorHints.hopHint(agg) + "; use a hop no longer than the window");
        return;
      }
      if (w.toMillis() % hop.toMillis() != 0) {
        v.problem(agg.hop() == null ? fk + "/window" : fk + "/hop", what + ": window " + Durations.format(w)
            + " is not a whole number of hops of " + Durations.format(hop) + DefinitionValidatorHints.hopHint(agg)
            + "; choose a window that is a multiple of the hop, or set 'hop'");
        return;
      }
    }
    if (DAY.toMillis() % hop.toMillis() != 0 && hop.toMillis() % DAY.toMillis() != 0) {
      v.problem(fk + "/hop", what + ": hop " + Durations.format(hop)
          + " must divide a day (e.g. 5m, 1h, 6h) or be whole days, so windows align the same everywhere");
    }
  }

  private void typeDerived(Map<String, Feature> typed) {
    Map<String, Set<String>> deps = new LinkedHashMap<>();
    for (Feature f : typed.values()) {
      if (f instanceof DerivedFeature d) {
        try {
          deps.put(d.name(), ExpressionTyping.references(d));
        } catch (dev.quiver.core.expr.ExpressionException ex) {
          v.problem(Origins.feature(key, d.name()) + (d.isTransform() ? "/args" : "/expr"), "derived feature '" + d.name() + "': " + ex.getMessage());
        }
      }
    }
    DerivedOrder order = new DerivedOrder(deps);
    Set<String> onCycle = new HashSet<>();
    for (List<String> cycle : order.cycles()) {
      onCycle.addAll(cycle);
      v.problem(Origins.feature(key, cycle.getFirst()) + "/expr", "derived features of view '" + view.name()
          + "' form a cycle: " + String.join(" -> ", cycle) + "; break it by computing one from source features");
    }
    for (String name : order.order()) {
      if (onCycle.contains(name)) {
        continue;
      }
      DerivedFeature d = (DerivedFeature) typed.get(name);
      Map<String, ValueType> scope = new LinkedHashMap<>();
      boolean inputsKnown = true;
      for (Feature other : typed.values()) {
        if (!other.name().equals(name)) {
          scope.put(other.name(), other.type());
          if (other.type() == null && deps.get(name).contains(other.name())) {
            inputsKnown = false;
          }
        }
      }
      scope.values().removeIf(java.util.Objects::isNull);
      if (!inputsKnown) {
        continue; // an input already has a reported problem
      }
      String fk = Origins.feature(key, name);
      ValueType t = v.typeDerived(fk, "derived feature '" + name + "'", d, scope);
      if (t == null) {
        continue;
      }
      if (d.type() != null && !d.type().equals(t)) {
        v.problem(fk + "/type", "derived feature '" + name + "' is declared " + d.type().spelling()
            + " but its expression gives " + t.spelling() + "; declare type: " + t.spelling()
            + (d.isTransform() ? "" : " or wrap the expression in cast(... as " + d.type().spelling() + ")"));
        continue;
      }
      typed.put(name, d.withType(t));
    }
  }
}
