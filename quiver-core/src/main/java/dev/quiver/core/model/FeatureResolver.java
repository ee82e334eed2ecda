package dev.quiver.core.model;

import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Resolves feature refs (or a feature service) against definitions: picks view versions, expands
 * {@code view:*}, and reports unknown names with a suggestion. Stateless.
 *
 * <p>A pinned ref ({@code view@v2:feature}) reads exactly that version. An unpinned ref reads the
 * version a {@link Latest} policy picks: the view's newest version ({@link Latest#NEWEST}), except
 * online, where {@code dev.quiver.core.online.ServingVersions} keeps answering from the previous
 * version until the newest one has been materialized.
 *
 * <p>Full feature names ({@link Resolved#outputName}): {@code view__feature} for an unpinned ref or
 * one pinned to the view's newest version, {@code view@vN__feature} for a ref pinned to an older
 * version, so two versions of one feature can be read side by side.
 */
public final class FeatureResolver {
  private FeatureResolver() {}

  /**
   * Which version of a view an unpinned ref reads. Implementations are immutable and thread-safe,
   * and equal when they pick the same versions (resolutions are cached per policy).
   */
  @FunctionalInterface
  public interface Latest {
    /** Every unpinned ref reads the view's newest version: definitions, training sets. */
    Latest NEWEST = (newest, feature) -> newest;

    /**
     * The version an unpinned ref to {@code feature} of {@code newest}'s view reads: {@code newest}
     * itself, or an older version of that view, from the same definitions, that has {@code feature}
     * with the same type.
     *
     * @param newest the view's newest version
     */
    FeatureView choose(FeatureView newest, String feature);
  }

  /** A resolved ref: a feature of a feature view, or of an on-demand view. */
  public sealed interface Resolved permits ViewFeature, OnDemandFeature {
    /** The pinned ref: the version actually read. */
    FeatureRef ref();

    /**
     * The spelling that names the feature's column: {@code view:feature} when the request did not
     * pin a version or pinned the newest, {@code view@vN:feature} when it pinned an older one.
     */
    FeatureRef named();

    /** The column name: {@code feature}, or with full names {@link FeatureRef#outputName} of {@link #named()}. */
    default String outputName(boolean fullFeatureNames) {
      return named().outputName(fullFeatureNames);
    }
  }

  /** A feature of a feature view version; {@code named} as {@link Resolved#named()}. */
  public record ViewFeature(FeatureView view, Feature feature, FeatureRef named) implements Resolved {
    public ViewFeature {
      Objects.requireNonNull(named, "named");
    }

    @Override
    public FeatureRef ref() {
      return new FeatureRef(view.name(), view.version(), feature.name());
    }
  }

  /** A feature of an on-demand view version; {@code named} as {@link Resolved#named()}. */
  public record OnDemandFeature(OnDemandView view, DerivedFeature feature, FeatureRef named) implements Resolved {
    public OnDemandFeature {
      Objects.requireNonNull(named, "named");
    }

    @Override
    public FeatureRef ref() {
      return new FeatureRef(view.name(), view.version(), feature.name());
    }
  }

  /**
   * The refs of a feature service as its definition wrote them (unpinned ones read the newest
   * version, or what the reader's {@link Latest} picks); version 0 means the newest service version.
   *
   * @throws NotFoundException when there is no such service
   */
  public static List<FeatureRef> service(Definitions defs, String name, int version) {
    return defs.service(name, version).orElseThrow(() -> {
      List<Integer> versions = defs.services().stream().filter(s -> s.name().equals(name)).map(FeatureService::version).sorted().toList();
      return new NotFoundException(NotFoundException.Kind.FEATURE_SERVICE, versions.isEmpty()
          ? "no feature service '" + name + "'" + (version > 0 ? " version " + version : "") + " in the registry"
              + Names.didYouMean(name, defs.services().stream().map(FeatureService::name).distinct().toList())
          : "feature service '" + name + "' has no version " + version + " in the registry (it has "
              + versions.stream().map(v -> "v" + v).collect(java.util.stream.Collectors.joining(", "))
              + "; 'apply --prune' drops superseded versions)");
    }).features();
  }

  /**
   * The view version a ref reads in {@code defs} under {@link Latest#NEWEST}: its pinned version,
   * else the newest version of its view or on-demand view; 0 when there is none.
   */
  public static int versionRead(Definitions defs, FeatureRef ref) {
    if (ref.pinned()) {
      return ref.version();
    }
    return defs.view(ref.view(), 0).map(FeatureView::version)
        .or(() -> defs.onDemandView(ref.view(), 0).map(OnDemandView::version)).orElse(0);
  }

  /** Resolves refs in order, unpinned ones to the newest version; a wildcard expands to every feature of its view. */
  public static List<Resolved> resolve(Definitions defs, List<FeatureRef> refs) {
    return resolve(defs, refs, Latest.NEWEST);
  }

  /**
   * Resolves refs in order, unpinned ones to the version {@code latest} picks; a wildcard expands to
   * every feature of its view's newest version (or of the pinned version).
   *
   * @throws NotFoundException for an unknown view, version or feature
   */
  public static List<Resolved> resolve(Definitions defs, List<FeatureRef> refs, Latest latest) {
    List<Resolved> out = new ArrayList<>();
    for (FeatureRef ref : refs) {
      var view = defs.view(ref.view(), ref.version());
      if (view.isPresent()) {
        FeatureView v = view.get();
        boolean older = ref.pinned() && defs.view(ref.view(), 0).orElseThrow().version() != v.version();
        List<String> names = ref.wildcard() ? v.features().stream().map(Feature::name).toList() : List.of(ref.feature());
        for (String name : names) {
          FeatureView chosen = ref.pinned() ? v : latest.choose(v, name);
          FeatureView read = chosen.feature(name).isPresent() ? chosen : v;
          Feature f = read.feature(name).orElseThrow(() -> missingFeature(v.qualifiedName(), ref,
              v.features().stream().map(Feature::name).toList()));
          out.add(new ViewFeature(read, f, new FeatureRef(ref.view(), older ? v.version() : 0, name)));
        }
        continue;
      }
      var odv = defs.onDemandView(ref.view(), ref.version());
      if (odv.isPresent()) {
        OnDemandView o = odv.get();
        boolean older = ref.pinned() && defs.onDemandView(ref.view(), 0).orElseThrow().version() != o.version();
        List<String> names = ref.wildcard() ? o.features().stream().map(DerivedFeature::name).toList() : List.of(ref.feature());
        for (String name : names) {
          DerivedFeature f = o.feature(name).orElseThrow(() -> missingFeature(o.qualifiedName(), ref,
              o.features().stream().map(DerivedFeature::name).toList()));
          out.add(new OnDemandFeature(o, f, new FeatureRef(ref.view(), older ? o.version() : 0, name)));
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
