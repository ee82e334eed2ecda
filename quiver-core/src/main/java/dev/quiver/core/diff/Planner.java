package dev.quiver.core.diff;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.security.Permission;
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
        views, odvs, services, desired.permissions());
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
    return s.withFeatures(refs);
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
    // a permission loosened or tightened changes who may do what, never what a feature means: not breaking
    diff(changes, "permission", b.permissions(), after.permissions(), Permission::name, Flattened::of);
    if (!b.project().equals(after.project())) {
      changes.addFirst(new Change(Change.Action.CHANGED, "project", after.project(),
          List.of(new Change.FieldChange("name", b.project(), after.project()))));
    }
    return new Plan(base, after, changes, breaking(b, after), Moves.of(b, after), kept);
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
        List<String> reasons = Meanings.reasons(Meanings.of(before, old, f.name()), Meanings.of(after, now, f.name()));
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
      Set<String> stable = Meanings.stableInputs(before, old, after, now);
      for (DerivedFeature f : old.features()) {
        if (now.feature(f.name()).isEmpty()) {
          continue;
        }
        List<String> reasons = Meanings.reasons(Meanings.of(before, old, f.name(), stable), Meanings.of(after, now, f.name(), stable));
        if (!reasons.isEmpty()) {
          out.add(new BreakingChange(old.qualifiedName(), f.name(), reasons,
              consumers(before, after, old.name(), old.version(), f.name())));
        }
      }
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
