package dev.quiver.core.diff;

import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.VersionedName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a feature means, as field to value: everything that determines its values (its definition,
 * the source columns and keys it reads, and what its inputs mean). Two features mean the same when
 * these maps are equal; {@link #reasons} lists how they differ. Stateless.
 */
final class Meanings {
  private Meanings() {}

  /** Everything that determines a view feature's values, as field to value. */
  static Map<String, String> of(Definitions defs, FeatureView view, String featureName) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("source", view.source());
    m.put("entities", String.join(", ", view.entities()));
    for (String e : view.entities()) {
      for (JoinKey k : defs.entity(e).map(Entity::joinKeys).orElse(List.of())) {
        m.put("key." + k.name(), k.type().spelling());
      }
    }
    Source source = defs.source(view.source()).orElse(null);
    if (source != null) {
      m.put("source.timestamp", source.timestampColumn());
      m.put("source.created", String.valueOf(source.createdColumn()));
    }
    addFeature(m, "", defs, view, source, featureName, new HashSet<>());
    return m;
  }

  private static void addFeature(Map<String, String> m, String prefix, Definitions defs, FeatureView view,
      Source source, String featureName, Set<String> visited) {
    Feature f = view.feature(featureName).orElse(null);
    if (f == null || !visited.add(featureName)) {
      return;
    }
    putDefinition(m, prefix, f);
    String column = switch (f) {
      case ColumnFeature c -> c.column();
      case AggregateFeature a -> a.aggregation().column();
      case DerivedFeature d -> null;
    };
    if (column != null && source != null) {
      source.fieldMapping().forEach((raw, mapped) -> {
        if (mapped.equals(column)) {
          m.put(prefix + "source.field_mapping." + raw, mapped);
        }
      });
    }
    if (f instanceof DerivedFeature d) {
      for (String ref : references(d)) { // a transform's arguments; its display text is no expression
        addFeature(m, "input " + ref + ".", defs, view, source, ref, visited);
      }
    }
  }

  /**
   * Everything that determines an on-demand feature's values: its own definition, the request fields
   * and features of its view it reads, and the meaning of the view features it reads from the inputs
   * in {@code stable} (inputs that read the same view version before and after; one that moves to
   * another version is a {@link Plan.Move}, not a change in place).
   */
  static Map<String, String> of(Definitions defs, OnDemandView o, String featureName, Set<String> stable) {
    Map<String, String> m = new LinkedHashMap<>();
    addOdvFeature(m, "", defs, o, featureName, stable, new HashSet<>());
    return m;
  }

  private static void addOdvFeature(Map<String, String> m, String prefix, Definitions defs, OnDemandView o,
      String featureName, Set<String> stable, Set<String> visited) {
    DerivedFeature f = o.feature(featureName).orElse(null);
    if (f == null || !visited.add(featureName)) {
      return;
    }
    putDefinition(m, prefix, f);
    for (String ref : references(f)) {
      int dot = ref.indexOf('.');
      if (dot < 0) {
        addOdvFeature(m, "input " + ref + ".", defs, o, ref, stable, visited);
        continue;
      }
      String head = ref.substring(0, dot);
      String rest = ref.substring(dot + 1);
      if (head.equals("request")) {
        o.requestFields().stream().filter(r -> r.name().equals(rest)).findFirst()
            .ifPresent(r -> m.put("input " + ref, r.type().spelling()));
      } else if (stable.contains(head)) {
        FeatureView v = inputView(defs, o, head);
        if (v != null) {
          of(defs, v, rest).forEach((k, val) -> m.put("input " + ref + "." + k, val));
        }
      }
    }
  }

  /** The fields of a feature's own definition that determine its values, under {@code prefix}. */
  private static void putDefinition(Map<String, String> m, String prefix, Feature f) {
    Flattened.feature(f).forEach((k, v) -> {
      if (Flattened.isMeaning(k)) {
        m.put(prefix + k, v);
      }
    });
  }

  /** The version an on-demand view's input reads in {@code defs}: pinned, or the newest. */
  static FeatureView inputView(Definitions defs, OnDemandView o, String viewName) {
    for (String input : o.inputs()) {
      VersionedName n = VersionedName.parse(input).orElse(null);
      if (n != null && n.name().equals(viewName)) {
        return defs.view(n.name(), n.version()).orElse(null);
      }
    }
    return null;
  }

  /** The input views of an on-demand view that read the same version before and after. */
  static Set<String> stableInputs(Definitions before, OnDemandView old, Definitions after, OnDemandView now) {
    Set<String> out = new HashSet<>();
    for (String input : now.inputs()) {
      VersionedName n = VersionedName.parse(input).orElse(null);
      if (n == null) {
        continue;
      }
      FeatureView b = inputView(before, old, n.name());
      FeatureView a = inputView(after, now, n.name());
      if (b != null && a != null && b.version() == a.version()) {
        out.add(n.name());
      }
    }
    return out;
  }

  static Set<String> references(DerivedFeature f) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (String e : f.expressions()) {
      out.addAll(references(e));
    }
    return out;
  }

  private static Set<String> references(String expression) {
    try {
      return ExpressionParser.parse(expression).references();
    } catch (ExpressionException e) {
      return Set.of();
    }
  }

  static List<String> reasons(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    for (Change.FieldChange c : Planner.fieldChanges(before, after)) {
      out.add(c.path() + ": " + (c.before() == null ? "(none)" : c.before()) + " -> "
          + (c.after() == null ? "(none)" : c.after()));
    }
    return out;
  }

}
