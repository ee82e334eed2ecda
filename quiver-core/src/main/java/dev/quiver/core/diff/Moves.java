package dev.quiver.core.diff;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.VersionedName;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The refs an apply moves to another view version ({@link Plan.Move}): feature-service refs and
 * on-demand inputs, usually written without a version. Stateless.
 */
final class Moves {
  private Moves() {}

  /** The moves from {@code before} (the registry head) to {@code after}, services first. */
  static List<Plan.Move> of(Definitions before, Definitions after) {
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
        FeatureView b = n == null ? null : Meanings.inputView(before, old, n.name());
        FeatureView a = n == null ? null : Meanings.inputView(after, now, n.name());
        if (b != null && a != null && b.version() != a.version()) {
          List<String> read = new ArrayList<>();
          for (DerivedFeature f : now.features()) {
            for (String ref : Meanings.references(f)) {
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
        reasons = Meanings.reasons(Meanings.of(before, b, f), Meanings.of(after, a, f));
      } else if (ob != null && oa != null) {
        Set<String> none = Set.of();
        reasons = Meanings.reasons(Meanings.of(before, ob, f, none), Meanings.of(after, oa, f, none));
      } else {
        reasons = List.of();
      }
      reasons.forEach(r -> out.add(f + ": " + r));
    }
    return out;
  }
}
