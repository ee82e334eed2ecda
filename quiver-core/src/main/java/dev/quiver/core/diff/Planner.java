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
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.VersionedName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Plans an apply: carries superseded versions over from the registry, then diffs the result against
 * the registry head, finds breaking changes and the refs that move to a new view version. Stateless
 * and thread-safe.
 *
 * <p>Versioning works like a package registry: once {@code user_txn@v1} (or {@code fraud_model@v1})
 * is applied it stays in the registry when the definitions move on to {@code version: 2}, so callers
 * and services that pin it keep working; a superseded service or on-demand view is kept with its
 * refs pinned to the versions they read when it was superseded. A version goes away when its name
 * is removed from the definitions altogether, or with {@code prune}.
 *
 * <p>A ref written without a version (a service's {@code user_txn:amount}, an on-demand view's input
 * {@code user_txn}) follows the newest version: when that changes, the plan lists it as a {@link
 * Plan.Move}, with what the feature's meaning changes, and it is not breaking. Breaking is changing
 * what an existing online feature means within its version.
 */
public final class Planner {
  private Planner() {}

  /**
   * The definitions to validate: {@code desired} plus the versions of {@code head} that a newer
   * version replaced (feature views, on-demand views, feature services).
   *
   * @param head the registry head's definitions, or null when the registry is empty
   * @param prune drop superseded feature services, and superseded view and on-demand view versions
   *     that nothing left pins ({@code view@vN:feature} in a service, {@code view@vN} as an input)
   */
  public static Retained retain(Definitions desired, Definitions head, boolean prune) {
    if (head == null) {
      return new Retained(desired, Set.of(), List.of());
    }
    List<Plan.Kept> kept = new ArrayList<>();
    List<FeatureService> services = new ArrayList<>(desired.services());
    if (!prune) {
      for (FeatureService s : head.services()) {
        if (keep(desired.services(), s.name(), s.version(), FeatureService::name, FeatureService::version)) {
          services.add(pinned(s, head));
          kept.add(new Plan.Kept("feature service", s.qualifiedName()));
        }
      }
    }
    Set<String> pins = new HashSet<>();
    for (FeatureService s : services) {
      for (FeatureRef r : s.features()) {
        if (r.pinned()) {
          pins.add(r.view() + "@v" + r.version());
        }
      }
    }
    desired.onDemandViews().forEach(o -> pinnedInputs(o, pins));
    List<OnDemandView> odvs = new ArrayList<>(desired.onDemandViews());
    Set<String> frozen = new TreeSet<>();
    for (OnDemandView o : head.onDemandViews()) {
      if (keep(desired.onDemandViews(), o.name(), o.version(), OnDemandView::name, OnDemandView::version)
          && (!prune || pins.contains(o.qualifiedName()))) {
        OnDemandView p = pinned(o, head);
        odvs.add(p);
        pinnedInputs(p, pins);
        frozen.add(o.qualifiedName());
        kept.add(new Plan.Kept("on-demand view", o.qualifiedName()));
      }
    }
    List<FeatureView> views = new ArrayList<>(desired.views());
    for (FeatureView v : head.views()) {
      if (keep(desired.views(), v.name(), v.version(), FeatureView::name, FeatureView::version)
          && (!prune || pins.contains(v.qualifiedName()))) {
        views.add(v);
        frozen.add(v.qualifiedName());
        kept.add(new Plan.Kept("feature view", v.qualifiedName()));
      }
    }
    kept.sort(Comparator.comparing(Plan.Kept::name));
    Definitions merged = new Definitions(desired.project(), desired.entities(), desired.sources(),
        views, odvs, services);
    return new Retained(merged, frozen, kept);
  }

  /** A superseded version is kept when its name still exists but not at that version. */
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

  /** The service with every ref pinned to the version it reads in {@code defs}. */
  private static FeatureService pinned(FeatureService s, Definitions defs) {
    List<FeatureRef> refs = new ArrayList<>();
    for (FeatureRef r : s.features()) {
      refs.add(r.pinned() ? r : r.withVersion(Math.max(FeatureResolver.versionRead(defs, r), 0)));
    }
    return new FeatureService(s.name(), s.version(), refs, s.metadata());
  }

  /** The on-demand view with every input pinned to the version it reads in {@code defs}. */
  private static OnDemandView pinned(OnDemandView o, Definitions defs) {
    List<String> inputs = new ArrayList<>();
    for (String input : o.inputs()) {
      VersionedName n = VersionedName.parse(input).orElse(null);
      FeatureView v = n == null || n.version() > 0 ? null : defs.view(n.name(), 0).orElse(null);
      inputs.add(v == null ? input : v.qualifiedName());
    }
    return new OnDemandView(o.name(), o.version(), inputs, o.requestFields(), o.features(), o.metadata());
  }

  private static void pinnedInputs(OnDemandView o, Set<String> pins) {
    for (String input : o.inputs()) {
      VersionedName.parse(input).filter(n -> n.version() > 0).ifPresent(n -> pins.add(n.name() + "@v" + n.version()));
    }
  }

  /**
   * The result of {@link #retain}.
   *
   * @param definitions what to validate
   * @param frozen the carried-over view and on-demand view versions ({@code name@vN}); feature views
   *     among them are validated only for references
   * @param kept every carried-over version, for display
   */
  public record Retained(Definitions definitions, Set<String> frozen, List<Plan.Kept> kept) {}

  /**
   * Diffs validated definitions against the registry head.
   *
   * @param base the head version number (0 when empty)
   * @param before the head's definitions, or null when the registry is empty
   * @param after the validated definitions to apply
   */
  public static Plan plan(long base, Definitions before, Definitions after, List<Plan.Kept> kept) {
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
    return new Plan(base, after, changes, breaking(b, after), moves(b, after), kept);
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
      Set<String> stable = stableInputs(before, old, after, now);
      for (DerivedFeature f : old.features()) {
        if (now.feature(f.name()).isEmpty()) {
          continue;
        }
        List<String> reasons = reasons(odvMeaning(before, old, f.name(), stable), odvMeaning(after, now, f.name(), stable));
        if (!reasons.isEmpty()) {
          out.add(new BreakingChange(old.qualifiedName(), f.name(), reasons,
              consumers(before, after, old.name(), old.version(), f.name())));
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

  /**
   * Everything that determines an on-demand feature's values: its own definition, the request fields
   * and features of its view it reads, and the meaning of the view features it reads from the inputs
   * in {@code stable} (inputs that read the same view version before and after; one that moves to
   * another version is a {@link Plan.Move}, not a change in place).
   */
  private static Map<String, String> odvMeaning(Definitions defs, OnDemandView o, String featureName, Set<String> stable) {
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
    Flattened.feature(f).forEach((k, v) -> {
      if (Flattened.isMeaning(k)) {
        m.put(prefix + k, v);
      }
    });
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
          meaning(defs, v, rest).forEach((k, val) -> m.put("input " + ref + "." + k, val));
        }
      }
    }
  }

  /** The version an on-demand view's input reads in {@code defs}: pinned, or the newest. */
  private static FeatureView inputView(Definitions defs, OnDemandView o, String viewName) {
    for (String input : o.inputs()) {
      VersionedName n = VersionedName.parse(input).orElse(null);
      if (n != null && n.name().equals(viewName)) {
        return defs.view(n.name(), n.version()).orElse(null);
      }
    }
    return null;
  }

  /** The input views of an on-demand view that read the same version before and after. */
  private static Set<String> stableInputs(Definitions before, OnDemandView old, Definitions after, OnDemandView now) {
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

  // ---- moves ------------------------------------------------------------------------------

  private static List<Plan.Move> moves(Definitions before, Definitions after) {
    List<Plan.Move> out = new ArrayList<>();
    for (FeatureService now : after.services()) {
      FeatureService old = before.service(now.name(), now.version()).orElse(null);
      if (old == null || old.version() != now.version()) {
        continue;
      }
      for (FeatureRef r : now.features()) {
        int to = FeatureResolver.versionRead(after, r);
        for (FeatureRef was : old.features()) {
          if (!was.view().equals(r.view()) || !was.feature().equals(r.feature())) {
            continue;
          }
          int from = FeatureResolver.versionRead(before, was);
          if (from > 0 && to > 0 && from != to) {
            out.add(new Plan.Move("feature service " + now.qualifiedName(), r.toString(), r.view() + "@v" + from,
                r.view() + "@v" + to, featureChanges(before, after, r.view(), from, to, List.of(r.feature()))));
          }
          break;
        }
      }
    }
    for (OnDemandView now : after.onDemandViews()) {
      OnDemandView old = before.onDemandView(now.name(), now.version()).orElse(null);
      if (old == null || old.version() != now.version()) {
        continue;
      }
      for (String input : now.inputs()) {
        VersionedName n = VersionedName.parse(input).orElse(null);
        FeatureView b = n == null ? null : inputView(before, old, n.name());
        FeatureView a = n == null ? null : inputView(after, now, n.name());
        if (b != null && a != null && b.version() != a.version()) {
          List<String> read = new ArrayList<>();
          for (DerivedFeature f : now.features()) {
            for (String ref : references(f)) {
              if (ref.startsWith(n.name() + ".") && !read.contains(ref.substring(n.name().length() + 1))) {
                read.add(ref.substring(n.name().length() + 1));
              }
            }
          }
          out.add(new Plan.Move("on-demand view " + now.qualifiedName(), input, b.qualifiedName(), a.qualifiedName(),
              featureChanges(before, after, n.name(), b.version(), a.version(), read)));
        }
      }
    }
    return out;
  }

  /** How each feature's meaning differs between two versions of a view, {@code feature: reason}. */
  private static List<String> featureChanges(Definitions before, Definitions after, String view, int from, int to,
      List<String> features) {
    List<String> out = new ArrayList<>();
    FeatureView b = before.view(view, from).orElse(null);
    FeatureView a = after.view(view, to).orElse(null);
    OnDemandView ob = before.onDemandView(view, from).orElse(null);
    OnDemandView oa = after.onDemandView(view, to).orElse(null);
    for (String f : features) {
      List<String> reasons;
      if (b != null && a != null) {
        reasons = reasons(meaning(before, b, f), meaning(after, a, f));
      } else if (ob != null && oa != null) {
        Set<String> none = Set.of();
        reasons = reasons(odvMeaning(before, ob, f, none), odvMeaning(after, oa, f, none));
      } else {
        reasons = List.of();
      }
      reasons.forEach(r -> out.add(f + ": " + r));
    }
    return out;
  }

  private static Set<String> references(DerivedFeature f) {
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
          if (r.view().equals(view) && FeatureResolver.versionRead(d, r) == version && (r.feature().equals(feature) || r.wildcard())) {
            out.add(s.qualifiedName());
          }
        }
      }
    }
    return List.copyOf(out);
  }
}
