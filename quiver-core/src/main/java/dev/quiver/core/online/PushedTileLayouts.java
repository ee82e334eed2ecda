package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tile layouts a push folds its rows into ({@link Pusher}): a view's, with the input types of
 * its source's files as materialization sees them (read once per process from the offline store),
 * and the one its tile rows were last materialized under, when that differs.
 */
final class PushedTileLayouts {
  private final OfflineEngine offline;
  private final Path repoRoot;
  private final ServingVersions serving;

  PushedTileLayouts(OfflineEngine offline, Path repoRoot, ServingVersions serving) {
    this.offline = offline;
    this.repoRoot = repoRoot;
    this.serving = serving;
  }

  /** The view's tile layout, with the input types of the source's files (as materialization sees them). */
  TileLayout layout(FeatureView view, FileSource file) {
    return TILE_LAYOUTS.computeIfAbsent(new LayoutKey(view, repoRoot), k -> tileLayout(view, file));
  }

  /**
   * The layout of the definition {@code view} was last materialized under, when its tile families
   * differ from the view's (rows not rebuilt since have it); null when they do not, when it read
   * another source or other entities (its rows are refused then), or when its columns are gone.
   */
  TileLayout earlierLayout(FeatureView view, FileSource file) {
    FeatureView then = serving.tilesWrittenFor(view);
    if (then == null || !then.source().equals(view.source()) || !then.entities().equals(view.entities())) {
      return null;
    }
    try {
      return layout(then, file);
    } catch (dev.quiver.core.QuiverException e) {
      return null; // a column it read is no longer in the source: its rows are refused, materialize rebuilds them
    }
  }

  private record LayoutKey(FeatureView view, Path repoRoot) {}

  /** Tile layouts by view and repository: the source's column types are read once per process. */
  private static final Map<LayoutKey, TileLayout> TILE_LAYOUTS = new java.util.concurrent.ConcurrentHashMap<>();

  /** The view's tile layout, with the input types of the source's files (as materialization sees them). */
  private TileLayout tileLayout(FeatureView view, FileSource file) {
    if (offline == null) {
      throw new InvalidRequestException("view " + view.qualifiedName() + " has window aggregates, whose online tiles need the"
          + " source's column types from the offline store, which this pusher has no access to");
    }
    Map<String, ValueType> raw = new LinkedHashMap<>();
    for (SourceColumn c : offline.describe(new QueryInput.Sql("SELECT * FROM " + offline.quoteIdentifier(file.name())), List.of(file), repoRoot)) {
      raw.put(c.name(), c.type());
    }
    return TileLayout.of(view, c -> raw.get(file.rawColumn(c)));
  }
}
