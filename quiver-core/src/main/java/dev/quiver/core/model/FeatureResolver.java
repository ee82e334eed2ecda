package dev.quiver.core.model;

import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves feature refs (or a feature service) against definitions: picks view versions (latest
 * when unpinned), expands {@code view:*}, and reports unknown names with a suggestion. Stateless.
 */
public final class FeatureResolver {
  private FeatureResolver() {}

  /** A resolved ref: a feature of a feature view, or of an on-demand view. */
  public sealed interface Resolved permits ViewFeature, OnDemandFeature {
    /** The pinned ref. */
    FeatureRef ref();
  }

  public record ViewFeature(FeatureView view, Feature feature) implements Resolved {
    @Override
    public FeatureRef ref() {
      return new FeatureRef(view.name(), view.version(), feature.name());
    }
  }

  public record OnDemandFeature(OnDemandView view, DerivedFeature feature) implements Resolved {
    @Override
    public FeatureRef ref() {
      return new FeatureRef(view.name(), view.version(), feature.name());
    }
  }

  /** The pinned refs of a feature service; version 0 means the latest service version. */
  public static List<FeatureRef> service(Definitions defs, String name, int version) {
    return defs.service(name, version).orElseThrow(() -> new NotFoundException(NotFoundException.Kind.FEATURE_SERVICE,
        "no feature service '" + name + "'" + (version > 0 ? " version " + version : "") + " in the registry"
            + Names.didYouMean(name, defs.services().stream().map(FeatureService::name).toList()))).features();
  }

  /** Resolves refs in order; a wildcard expands to every feature of its view. */
  public static List<Resolved> resolve(Definitions defs, List<FeatureRef> refs) {
    List<Resolved> out = new ArrayList<>();
    for (FeatureRef ref : refs) {
      var view = defs.view(ref.view(), ref.version());
      if (view.isPresent()) {
        FeatureView v = view.get();
        if (ref.wildcard()) {
          v.features().forEach(f -> out.add(new ViewFeature(v, f)));
        } else {
          out.add(new ViewFeature(v, v.feature(ref.feature()).orElseThrow(() -> missingFeature(v.qualifiedName(), ref,
              v.features().stream().map(Feature::name).toList()))));
        }
        continue;
      }
      var odv = defs.onDemandView(ref.view(), ref.version());
      if (odv.isPresent()) {
        OnDemandView o = odv.get();
        if (ref.wildcard()) {
          o.features().forEach(f -> out.add(new OnDemandFeature(o, f)));
        } else {
          out.add(new OnDemandFeature(o, o.feature(ref.feature()).orElseThrow(() -> missingFeature(o.qualifiedName(), ref,
              o.features().stream().map(DerivedFeature::name).toList()))));
        }
        continue;
      }
      boolean exists = defs.view(ref.view(), 0).isPresent() || defs.onDemandView(ref.view(), 0).isPresent();
      List<String> names = new ArrayList<>();
      defs.views().forEach(v -> names.add(v.name()));
      defs.onDemandViews().forEach(v -> names.add(v.name()));
      throw new NotFoundException(exists ? NotFoundException.Kind.VIEW_VERSION : NotFoundException.Kind.FEATURE_VIEW,
          exists ? "view '" + ref.view() + "' has no version " + ref.version()
          : "no feature view '" + ref.view() + "' in the registry" + Names.didYouMean(ref.view(), names.stream().distinct().toList()));
    }
    return out;
  }

  private static NotFoundException missingFeature(String view, FeatureRef ref, List<String> names) {
    return new NotFoundException(NotFoundException.Kind.FEATURE, "view " + view + " has no feature '" + ref.feature() + "'" + Names.didYouMean(ref.feature(), names));
  }
}
