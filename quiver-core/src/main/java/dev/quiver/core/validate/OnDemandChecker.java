package dev.quiver.core.validate;

import dev.quiver.core.Names;
import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.load.Origins;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one on-demand view: it reads at least one feature view or one request field (request data
 * alone is fine), its inputs resolve to feature views, its request fields are well formed, and its
 * expressions type-check over {@code view.feature}, {@code request.field} and the view's own earlier
 * features.
 */
final class OnDemandChecker {

  private final DefinitionValidator v;
  private final Definitions defs;
  private final OnDemandView odv;
  private final String key;

  OnDemandChecker(DefinitionValidator validator, Definitions typedViews, OnDemandView odv) {
    this.v = validator;
    this.defs = typedViews;
    this.odv = odv;
    this.key = Origins.onDemandView(odv.name(), odv.version());
  }

  OnDemandView check() {
    Map<String, ValueType> scope = new LinkedHashMap<>();
    boolean complete = resolveInputs(scope);
    Set<String> fields = new HashSet<>();
    for (RequestField r : odv.requestFields()) {
      if (!Names.isValid(r.name())) {
        v.problem(key + "/request", "request field name '" + r.name() + "' is invalid: " + Names.rule());
      }
      if (!fields.add(r.name())) {
        v.problem(key + "/request", "request field '" + r.name() + "' is declared twice");
      }
      scope.put("request." + r.name(), r.type());
    }
    if (odv.features().isEmpty()) {
      v.problem(key, "on-demand view '" + odv.name() + "' defines no features");
    }
    Map<String, DerivedFeature> byName = new LinkedHashMap<>();
    Map<String, Set<String>> deps = new LinkedHashMap<>();
    for (DerivedFeature f : odv.features()) {
      String fk = Origins.feature(key, f.name());
      if (!Names.isValid(f.name())) {
        v.problem(fk, "feature name '" + f.name() + "' is invalid: " + Names.rule());
      }
      if (byName.putIfAbsent(f.name(), f) != null) {
        v.problem(fk, "on-demand view '" + odv.name() + "' defines feature '" + f.name() + "' twice");
        continue;
      }
      try {
        deps.put(f.name(), ExpressionTyping.references(f));
      } catch (ExpressionException e) {
        v.problem(fk + (f.isTransform() ? "/args" : "/expr"), "on-demand feature '" + f.name() + "': " + e.getMessage());
      }
    }
    DerivedOrder order = new DerivedOrder(deps);
    Set<String> onCycle = new HashSet<>();
    for (List<String> cycle : order.cycles()) {
      onCycle.addAll(cycle);
      v.problem(Origins.feature(key, cycle.getFirst()) + "/expr", "features of on-demand view '"
          + odv.name() + "' form a cycle: " + String.join(" -> ", cycle));
    }
    Map<String, DerivedFeature> typed = new LinkedHashMap<>(byName);
    for (String name : order.order()) {
      if (onCycle.contains(name) || !complete) {
        continue;
      }
      DerivedFeature f = byName.get(name);
      Map<String, ValueType> local = new LinkedHashMap<>(scope);
      boolean inputsKnown = true;
      for (DerivedFeature other : typed.values()) {
        if (!other.name().equals(name) && other.type() != null) {
          local.put(other.name(), other.type());
        } else if (!other.name().equals(name) && deps.get(name).contains(other.name())) {
          inputsKnown = false;
        }
      }
      if (!inputsKnown) {
        continue;
      }
      String fk = Origins.feature(key, name);
      ValueType t = v.typeDerived(fk, "on-demand feature '" + name + "'", f, local);
      if (t == null) {
        continue;
      }
      if (f.type() != null && !f.type().equals(t)) {
        v.problem(fk + "/type", "on-demand feature '" + name + "' is declared " + f.type().spelling()
            + " but its expression gives " + t.spelling() + "; declare type: " + t.spelling()
            + (f.isTransform() ? "" : " or wrap the expression in cast(... as " + f.type().spelling() + ")"));
        continue;
      }
      typed.put(name, f.withType(t));
    }
    List<DerivedFeature> out = new ArrayList<>();
    for (DerivedFeature f : odv.features()) {
      out.add(typed.getOrDefault(f.name(), f));
    }
    return new OnDemandView(odv.name(), odv.version(), odv.inputs(), odv.requestFields(), out, odv.metadata());
  }

  /**
   * Adds {@code view.feature} types of every input (of its pinned version, or of the newest one when
   * unpinned) to scope; false when an input is unusable.
   */
  private boolean resolveInputs(Map<String, ValueType> scope) {
    boolean complete = true;
    if (odv.inputs().isEmpty() && odv.requestFields().isEmpty()) {
      v.problem(key + "/inputs", "on-demand view '" + odv.name() + "' reads neither a feature view nor request data;"
          + " list what it reads in 'inputs', e.g. inputs: [user_txn, request: {amount: float64}] (either alone is fine)");
    }
    List<String> names = defs.views().stream().map(FeatureView::name).distinct().toList();
    for (String input : odv.inputs()) {
      var parsed = dev.quiver.core.model.VersionedName.parse(input);
      if (parsed.isEmpty()) {
        v.problem(key + "/inputs", "input '" + input + "' is not a view name; write a view name or view@v2");
        complete = false;
        continue;
      }
      int version = parsed.get().version();
      var view = defs.view(parsed.get().name(), version);
      if (view.isEmpty()) {
        v.problem(key + "/inputs", "on-demand view '" + odv.name() + "' reads '" + input
            + "', which is not a defined feature view" + Names.didYouMean(parsed.get().name(), names));
        complete = false;
        continue;
      }
      for (Feature f : view.get().features()) {
        if (f.type() == null) {
          complete = false;
        } else {
          scope.put(parsed.get().name() + "." + f.name(), f.type());
        }
      }
    }
    return complete;
  }
}
