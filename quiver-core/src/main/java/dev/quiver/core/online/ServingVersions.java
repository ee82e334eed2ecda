package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.registry.Watermark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The online serving rule for view versions, in one place. Every online read (the Java API, the
 * server over HTTP and gRPC, the CLI) resolves through it, so an apply never silently turns a read
 * NOT_FOUND:
 *
 * <ul>
 *   <li>A view version is <em>materialized</em> once it has a watermark.
 *   <li>An unpinned ref ({@code user_txn:amount}; a feature-service ref or an on-demand view's input
 *       written without a version) reads the view's newest version once that is materialized. Until
 *       then it keeps reading the newest older version that is online and materialized and has the
 *       feature with the same type; without one it reads the newest version (NOT_FOUND). A pinned
 *       ref ({@code user_txn@v2:amount}) always reads exactly its version.
 *   <li>A column or window-aggregate feature that a materialized view version gained, or changed in
 *       place ({@code apply --force}), after the definitions it was last materialized under reads
 *       NOT_FOUND until the next {@code materialize} or {@code materialize-incremental} fills it.
 *       Features the stored rows still hold are read from them (tile rows written for the earlier
 *       aggregates are decoded with the earlier layout).
 * </ul>
 *
 * <p>Immutable and thread-safe. Two instances are equal when they answer alike (the same fallback
 * versions, unfilled features and definitions the stored rows were written under, compared by
 * value), so compiled plans are shared between them.
 */
public final class ServingVersions implements FeatureResolver.Latest {
  /** Every unpinned ref reads the newest version and every feature counts as filled (no watermarks considered). */
  public static final ServingVersions NEWEST = new ServingVersions(Map.of(), Map.of(), Map.of(), Map.of(), Set.of(), List.of());

  /**
   * A view version that online serving cannot answer in full yet: the newest version of a view that
   * is not materialized, or a materialized version with features not filled yet.
   *
   * @param view the view version, {@code name@vN}
   * @param materialized whether it has a watermark
   * @param servedInstead when not materialized: the older version unpinned refs keep reading
   *     ({@code name@vN}), or null when there is none (they read NOT_FOUND)
   * @param unfilled when materialized: the features that read NOT_FOUND until the next materialization
   * @param changedInPlace some of {@code unfilled} existed before and changed ({@code apply --force});
   *     false when they were all added
   */
  public record Pending(String view, boolean materialized, String servedInstead, List<String> unfilled,
      boolean changedInPlace) {
    public Pending {
      Objects.requireNonNull(view, "view");
      unfilled = List.copyOf(unfilled);
    }

    /** One line saying what serving does, e.g. for {@code quiver apply}'s output. */
    public String describe() {
      if (materialized) {
        return view + (changedInPlace ? " has features added or changed since it was last materialized ("
                + String.join(", ", unfilled) + "): they read"
                : " gained " + String.join(", ", unfilled) + " since it was last materialized: "
                    + (unfilled.size() == 1 ? "it reads" : "they read"))
            + " NOT_FOUND until `quiver materialize` or `quiver materialize-incremental` runs";
      }
      if (servedInstead != null) {
        return view + " is not materialized yet; unpinned reads keep serving " + servedInstead
            + " until `quiver materialize` runs (refs pinned to " + view + " read NOT_FOUND meanwhile)";
      }
      return view + " is not materialized yet; its features read NOT_FOUND until `quiver materialize` runs";
    }
  }

  /** View name to the older version its unpinned refs read. */
  private final Map<String, FeatureView> fallback;
  /** View name to the newest version the fallback stands in for. */
  private final Map<String, Integer> fallbackFor;
  /** {@code name@vN} to the features its online rows do not hold yet. */
  private final Map<String, Set<String>> unfilled;
  /** {@code name@vN} to the definition its online rows were materialized under, where its tile rows differ. */
  private final Map<String, FeatureView> written;
  /** {@code name@vN} of the view versions whose tile rows were last rebuilt for the tile families they have now. */
  private final Set<String> tilesRebuilt;
  private final List<Pending> pending;

  private ServingVersions(Map<String, FeatureView> fallback, Map<String, Integer> fallbackFor,
      Map<String, Set<String>> unfilled, Map<String, FeatureView> written, Set<String> tilesRebuilt, List<Pending> pending) {
    this.fallback = Map.copyOf(fallback);
    this.fallbackFor = Map.copyOf(fallbackFor);
    this.unfilled = Map.copyOf(unfilled);
    this.written = Map.copyOf(written);
    this.tilesRebuilt = Set.copyOf(tilesRebuilt);
    this.pending = List.copyOf(pending);
  }

  /**
   * The rule for one registry version.
   *
   * @param defs the registry version's definitions
   * @param watermarks every view version's watermark ({@link dev.quiver.core.registry.RegistryStore#watermarks()})
   * @param definitionsAt the definitions of an earlier registry version (the one a watermark was
   *     written under); may throw a {@link QuiverException}, which counts as "unchanged since"
   */
  public static ServingVersions of(Definitions defs, Collection<Watermark> watermarks, LongFunction<Definitions> definitionsAt) {
    Map<String, Watermark> marks = new HashMap<>();
    watermarks.forEach(w -> marks.put(w.view(), w));
    Map<String, FeatureView> fallback = new HashMap<>();
    Map<String, Integer> fallbackFor = new HashMap<>();
    Map<String, Set<String>> unfilled = new HashMap<>();
    Map<String, FeatureView> written = new HashMap<>();
    Set<String> tilesRebuilt = new java.util.HashSet<>();
    List<Pending> pending = new ArrayList<>();
    Map<Long, Definitions> earlier = new HashMap<>();
    for (FeatureView v : defs.views()) {
      if (!v.online()) {
        continue;
      }
      Watermark w = marks.get(v.qualifiedName());
      if (w == null) {
        FeatureView newest = defs.view(v.name(), 0).orElseThrow();
        if (newest == v) {
          FeatureView older = newestMaterializedBefore(defs, v, marks);
          if (older != null) {
            fallback.put(v.name(), older);
            fallbackFor.put(v.name(), v.version());
          }
          pending.add(new Pending(v.qualifiedName(), false, older == null ? null : older.qualifiedName(), List.of(), false));
        }
        continue;
      }
      FeatureView then = writtenUnder(v, w, earlier, definitionsAt);
      if (TileLayout.hasTiles(v) && then != null && sameRows(then, v) && TileLayout.sameFamilies(then, v)) {
        tilesRebuilt.add(v.qualifiedName());
      }
      if (then == null || then.equals(v)) {
        continue;
      }
      Set<String> missing = unfilled(then, v);
      if (!missing.isEmpty()) {
        unfilled.put(v.qualifiedName(), missing);
        boolean changed = missing.stream().anyMatch(f -> then.feature(f).isPresent());
        pending.add(new Pending(v.qualifiedName(), true, null, List.copyOf(missing), changed));
      }
      if (TileLayout.hasTiles(then) && !TileLayout.sameFamilies(then, v)) {
        written.put(v.qualifiedName(), then);
      }
    }
    pending.sort(java.util.Comparator.comparing(Pending::view));
    return new ServingVersions(fallback, fallbackFor, unfilled, written, tilesRebuilt, pending);
  }

  private static boolean sameRows(FeatureView a, FeatureView b) {
    return a.source().equals(b.source()) && a.entities().equals(b.entities());
  }

  private static FeatureView newestMaterializedBefore(Definitions defs, FeatureView newest, Map<String, Watermark> marks) {
    FeatureView best = null;
    for (FeatureView o : defs.views()) {
      if (o.name().equals(newest.name()) && o.version() < newest.version() && o.online()
          && marks.containsKey(o.qualifiedName()) && (best == null || o.version() > best.version())) {
        best = o;
      }
    }
    return best;
  }

  private static FeatureView writtenUnder(FeatureView v, Watermark w, Map<Long, Definitions> earlier,
      LongFunction<Definitions> definitionsAt) {
    Definitions then = earlier.computeIfAbsent(w.registryVersion(), version -> {
      try {
        return definitionsAt.apply(version);
      } catch (QuiverException e) {
        return null;
      }
    });
    return then == null ? null : then.view(v.name(), v.version()).orElse(null);
  }

  /**
   * The column and aggregate features of {@code now} that online rows written under {@code written}
   * (the same view version, as defined when it was last materialized) do not hold: added since, or
   * changed in place; every one when the source or entities changed. An aggregate the stored tiles
   * still serve exactly (same families, or the same aggregation) counts as held. Derived features
   * are computed at read time and never listed.
   */
  static Set<String> unfilled(FeatureView written, FeatureView now) {
    Set<String> out = new LinkedHashSet<>();
    boolean sameRows = sameRows(written, now);
    boolean sameTiles = sameRows && TileLayout.sameFamilies(written, now);
    for (Feature f : now.features()) {
      Feature before = written.feature(f.name()).orElse(null);
      boolean held = switch (f) {
        case ColumnFeature c -> sameRows && before instanceof ColumnFeature b
            && b.column().equals(c.column()) && Objects.equals(b.type(), c.type());
        case AggregateFeature a -> sameTiles || sameRows && before instanceof AggregateFeature b
            && b.aggregation().equals(a.aggregation()) && Objects.equals(b.type(), a.type());
        case DerivedFeature d -> true;
      };
      if (!held) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** {@inheritDoc} The older, materialized version while the newest is not materialized (see the class rule). */
  @Override
  public FeatureView choose(FeatureView newest, String feature) {
    FeatureView older = fallback.get(newest.name());
    if (older == null || fallbackFor.get(newest.name()) != newest.version()) {
      return newest;
    }
    Feature o = older.feature(feature).orElse(null);
    Feature n = newest.feature(feature).orElse(null);
    return o != null && n != null && Objects.equals(o.type(), n.type()) ? older : newest;
  }

  /** True when online rows of {@code view} do not hold {@code feature} yet: it reads NOT_FOUND. */
  public boolean unfilled(FeatureView view, String feature) {
    Set<String> s = unfilled.isEmpty() ? null : unfilled.get(view.qualifiedName());
    return s != null && s.contains(feature);
  }

  /**
   * The definition {@code view}'s stored tile rows were written under, when they were written for
   * other tile families than the view has now (rows not rebuilt yet decode with it); else null.
   */
  public FeatureView tilesWrittenFor(FeatureView view) {
    return written.isEmpty() ? null : written.get(view.qualifiedName());
  }

  /**
   * True when {@code view} has window aggregates and was last materialized for the tile families
   * (and source and entities) it has now. That run rebuilt the tile row of every key the source
   * had rows for, so a stored tile row with other families is one it had no source rows to rebuild
   * from: rebuilt, it would be empty ({@link Pusher} replaces such a row).
   */
  public boolean tilesRebuilt(FeatureView view) {
    return tilesRebuilt.contains(view.qualifiedName());
  }

  /** The view versions serving cannot answer in full yet, by name; empty when everything is materialized. */
  public List<Pending> pending() {
    return pending;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ServingVersions s)) {
      return false;
    }
    // the views by value, not by name: across registry versions one name may stand for another
    // definition (a view changed in place, rows written under another one), whose rows decode otherwise
    return fallbackFor.equals(s.fallbackFor) && unfilled.equals(s.unfilled) && tilesRebuilt.equals(s.tilesRebuilt)
        && fallback.equals(s.fallback) && written.equals(s.written);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fallbackFor, unfilled, written.keySet());
  }

  @Override
  public String toString() {
    return "ServingVersions" + pending;
  }
}
