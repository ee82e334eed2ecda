package dev.quiver.core.diff;

import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Plans an apply: carries superseded view versions over from the registry, then diffs the result
 * against the registry head and finds breaking changes. Stateless and thread-safe.
 *
 * <p>Versioning works like a package registry: once {@code user_txn@v1} is applied it stays in the
 * registry when the definitions move on to {@code version: 2}, so services that pin {@code
 * user_txn@v1:...} keep working. A version goes away when its view is removed from the definitions
 * altogether, or with {@code prune} when no service pins it.
 */
public final class Planner {
  private Planner() {}

  /**
   * The definitions to validate: {@code desired} plus the view versions of {@code head} that a
   * newer version replaced.
   *
   * @param head the registry head's definitions, or null when the registry is empty
   * @param prune drop superseded versions that no service in {@code desired} pins explicitly
   */
  public static Retained retain(Definitions desired, Definitions head, boolean prune) {
    if (head == null) {
      return new Retained(desired, Set.of(), List.of());
    }
    Set<String> pinned = new HashSet<>();
    for (FeatureService s : desired.services()) {
      for (FeatureRef r : s.features()) {
        if (r.pinned()) {
          pinned.add(r.view() + "@v" + r.version());
        }
      }
    }
    List<FeatureView> views = new ArrayList<>(desired.views());
    List<OnDemandView> odvs = new ArrayList<>(desired.onDemandViews());
    Set<String> frozen = new TreeSet<>();
    for (FeatureView v : head.views()) {
      if (keep(desired.views(), v.name(), v.version(), FeatureView::name, FeatureView::version)
          && (!prune || pinned.contains(v.qualifiedName()))) {
        views.add(v);
        frozen.add(v.qualifiedName());
      }
    }
    for (OnDemandView o : head.onDemandViews()) {
      if (keep(desired.onDemandViews(), o.name(), o.version(), OnDemandView::name, OnDemandView::version)
          && (!prune || pinned.contains(o.qualifiedName()))) {
        odvs.add(o);
        frozen.add(o.qualifiedName());
      }
    }
    Definitions merged = new Definitions(desired.project(), desired.entities(), desired.sources(),
        views, odvs, desired.services());
    return new Retained(merged, frozen, List.copyOf(frozen));
  }

  /** A superseded version is kept when the view still exists but not at that version. */
  private static <T> boolean keep(List<T> desired, String name, int version,
      Function<T, String> nameOf, java.util.function.ToIntFunction<T> versionOf) {
    boolean nameExists = false;
    for (T d : desired) {
      if (nameOf.apply(d).equals(name)) {
        nameExists = true;
        if (versionOf.applyAsInt(d) == version) {
          return false;
        }
      }
    }
    return nameExists;
  }

  /**
   * The result of {@link #retain}.
   *
   * @param definitions what to validate
   * @param frozen the carried-over versions ({@code name@vN}), validated only for references
   * @param kept the same names, for display
   */
  public record Retained(Definitions definitions, Set<String> frozen, List<String> kept) {}

  /**
   * Diffs validated definitions against the registry head.
   *
   * @param base the head version number (0 when empty)
   * @param before the head's definitions, or null when the registry is empty
   * @param after the validated definitions to apply
   */
  public static Plan plan(long base, Definitions before, Definitions after, List<String> kept) {
    Definitions b = before == null ? Definitions.empty(after.project()) : before;
    List<Change> changes = new ArrayList<>();
    diff(changes, "entity", b.entities(), after.entities(), Entity::name, Flattened::of);
    diff(changes, "source", b.sources(), after.sources(), Source::name, Flattened::of);
    diff(changes, "feature view", b.views(), after.views(), FeatureView::qualifiedName, Flattened::of);
    diff(changes, "on-demand view", b.onDemandViews(), after.onDemandViews(), OnDemandView::qualifiedName, Flattened::of);
    diff(changes, "feature service", b.services(), after.services(), FeatureService::qualifiedName, Flattened::of);
    if (!b.project().equals(after.project())) {
      changes.addFirst(new Change(Change.Action.CHANGED, "project", after.project(),
          List.of(new Change.FieldChange("name", b.project(), after.project()))));
    }
    return new Plan(base, after, changes, breaking(b, after), kept);
  }

  private static <T> void diff(List<Change> out, String kind, List<T> before, List<T> after,
      Function<T, String> name, Function<T, Map<String, String>> flatten) {
    Map<String, T> old = new LinkedHashMap<>();
    before.forEach(t -> old.put(name.apply(t), t));
    Map<String, T> now = new LinkedHashMap<>();
    after.forEach(t -> now.put(name.apply(t), t));
    for (var e : now.entrySet()) {
      T prev = old.get(e.getKey());
      if (prev == null) {
        out.add(new Change(Change.Action.ADDED, kind, e.getKey(), List.of()));
      } else if (!prev.equals(e.getValue())) {
        List<Change.FieldChange> fields = fieldChanges(flatten.apply(prev), flatten.apply(e.getValue()));
        if (!fields.isEmpty()) {
          out.add(new Change(Change.Action.CHANGED, kind, e.getKey(), fields));
        }
      }
    }
    for (String n : old.keySet()) {
      if (!now.containsKey(n)) {
        out.add(new Change(Change.Action.REMOVED, kind, n, List.of()));
      }
    }
  }

  static List<Change.FieldChange> fieldChanges(Map<String, String> before, Map<String, String> after) {
    List<Change.FieldChange> out = new ArrayList<>();
    for (var e : after.entrySet()) {
      String prev = before.get(e.getKey());
      if (!e.getValue().equals(prev)) {
        out.add(new Change.FieldChange(e.getKey(), prev, e.getValue()));
      }
    }
    for (var e : before.entrySet()) {
      if (!after.containsKey(e.getKey())) {
        out.add(new Change.FieldChange(e.getKey(), e.getValue(), null));
      }
    }
    return out;
  }

  // ---- breaking changes --------------------------------------------------------------------

  private static List<BreakingChange> breaking(Definitions before, Definitions after) {
    List<BreakingChange> out = new ArrayList<>();
    for (FeatureView old : before.views()) {
      FeatureView now = after.view(old.name(), old.version()).orElse(null);
      if (now == null || now.version() != old.version() || !old.online()) {
        continue;
      }
      for (Feature f : old.features()) {
        if (now.feature(f.name()).isEmpty()) {
          continue;
        }
        List<String> reasons = reasons(meaning(before, old, f.name()), meaning(after, now, f.name()));
        if (!reasons.isEmpty()) {
          out.add(new BreakingChange(old.qualifiedName(), f.name(), reasons,
              consumers(before, after, old.name(), old.version(), f.name())));
        }
      }
    }
    for (OnDemandView old : before.onDemandViews()) {
      OnDemandView now = after.onDemandView(old.name(), old.version()).orElse(null);
      if (now == null || now.version() != old.version()) {
        continue;
      }
      for (DerivedFeature f : old.features()) {
        DerivedFeature g = now.feature(f.name()).orElse(null);
        if (g == null) {
          continue;
        }
        Map<String, String> m0 = odvMeaning(old, f);
        Map<String, String> m1 = odvMeaning(now, g);
        List<String> reasons = reasons(m0, m1);
        if (!reasons.isEmpty()) {
          out.add(new BreakingChange(old.qualifiedName(), f.name(), reasons,
              consumers(before, after, old.name(), old.version(), f.name())));
        }
      }
    }
    for (FeatureService old : before.services()) {
      FeatureService now = after.service(old.name(), old.version()).orElse(null);
      if (now == null || now.version() != old.version()) {
        continue;
      }
      for (FeatureRef was : old.features()) {
        for (FeatureRef is : now.features()) {
          if (is.view().equals(was.view()) && is.feature().equals(was.feature()) && is.version() != was.version()) {
            out.add(new BreakingChange(was.view() + "@v" + was.version(), was.feature(),
                List.of(old.qualifiedName() + " would read it from " + is.view() + "@v" + is.version()
                    + " instead; pin " + was + " in the service or give the service a new version"),
                List.of(old.qualifiedName())));
          }
        }
      }
    }
    return out;
  }

  /** Everything that determines a view feature's values, as field to value. */
  static Map<String, String> meaning(Definitions defs, FeatureView view, String featureName) {
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
    Flattened.feature(f).forEach((k, v) -> {
      if (Flattened.isMeaning(k)) {
        m.put(prefix + k, v);
      }
    });
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
      for (String ref : references(d.expression())) {
        addFeature(m, "input " + ref + ".", defs, view, source, ref, visited);
      }
    }
  }

  private static Map<String, String> odvMeaning(OnDemandView o, DerivedFeature f) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("inputs", String.join(", ", o.inputs()));
    o.requestFields().forEach(r -> m.put("request." + r.name(), r.type().spelling()));
    Flattened.feature(f).forEach((k, v) -> {
      if (Flattened.isMeaning(k)) {
        m.put(k, v);
      }
    });
    return m;
  }

  private static Set<String> references(String expression) {
    try {
      return ExpressionParser.parse(expression).references();
    } catch (ExpressionException e) {
      return Set.of();
    }
  }

  private static List<String> reasons(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    for (Change.FieldChange c : fieldChanges(before, after)) {
      out.add(c.path() + ": " + (c.before() == null ? "(none)" : c.before()) + " -> "
          + (c.after() == null ? "(none)" : c.after()));
    }
    return out;
  }

  private static List<String> consumers(Definitions before, Definitions after, String view, int version, String feature) {
    Set<String> out = new TreeSet<>();
    for (Definitions d : List.of(before, after)) {
      for (FeatureService s : d.services()) {
        for (FeatureRef r : s.features()) {
          if (r.view().equals(view) && r.version() == version && (r.feature().equals(feature) || r.wildcard())) {
            out.add(s.qualifiedName());
          }
        }
      }
    }
    return List.copyOf(out);
  }
}
