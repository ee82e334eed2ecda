package dev.quiver.core.online;

import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.Watermark;
import java.util.Optional;

/**
 * What a view version's stored rows lack because the view changed since the definitions they were
 * written under (its watermark's registry version; see {@link ServingVersions}).
 *
 * @param columns column features were added or changed: rows are written again over equal ones
 *     ({@link OnlineStore#multiPutIfNotOlder}), and an incremental run starts where a first run does
 * @param tilesFromBeginning the tile families changed: every entity's tile row is rebuilt from all
 *     its source rows, so only keys without source rows keep a row in the earlier layout
 */
record Refill(boolean columns, boolean tilesFromBeginning) {
  static final Refill NONE = new Refill(false, false);

  /** What {@code view}'s stored rows lack, from its watermark {@code mark} in {@code registry}, against {@code snapshot}. */
  static Refill of(RegistrySnapshot snapshot, RegistryStore registry, FeatureView view, Optional<Watermark> mark) {
    if (mark.isEmpty() || mark.get().registryVersion() == snapshot.info().version()) {
      return Refill.NONE;
    }
    FeatureView then = registry.read(mark.get().registryVersion()).definitions()
        .view(view.name(), view.version()).orElse(null);
    if (then == null || then.equals(view)) {
      return Refill.NONE;
    }
    java.util.Set<String> unfilled = ServingVersions.unfilled(then, view);
    boolean columns = view.features().stream().anyMatch(f -> f instanceof ColumnFeature && unfilled.contains(f.name()));
    boolean sameRows = then.source().equals(view.source()) && then.entities().equals(view.entities());
    boolean tiles = TileLayout.hasTiles(view) && (!sameRows || !TileLayout.sameFamilies(then, view));
    return new Refill(columns, tiles);
  }
}
