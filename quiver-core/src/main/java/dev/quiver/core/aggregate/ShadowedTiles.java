package dev.quiver.core.aggregate;

import dev.quiver.core.model.AggregateFunction;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tiles no read can see, dropped before a row is written: in a {@code last} family with fixed
 * windows only, every tile (and coarse block) older than the newest tile that holds a value. A window
 * read at a time at or after the boundary takes whole tiles from its first one on, so one that
 * includes an older tile includes that newest one too, whose row is later (a later tile, later event
 * times) and wins the merge; the older ones change no answer. A late row for such a tile makes it
 * again and is dropped again the same way. Lifetime families keep theirs (their rest is merged).
 */
final class ShadowedTiles {
  private ShadowedTiles() {}

  /** Drops family f's shadowed tiles and coarse blocks from {@code row}, when f is a fixed-window last. */
  static void drop(EntityTiles row, int f) {
    TileLayout.Family fam = row.layout().families().get(f);
    Aggregator agg = fam.aggregator();
    if (fam.lifetime() || agg.function() != AggregateFunction.LAST) {
      return;
    }
    TreeMap<Long, TileState> tiles = row.tiles[f];
    for (Map.Entry<Long, TileState> e : tiles.descendingMap().entrySet()) {
      if (agg.finish(e.getValue().state(agg)) != null) { // nulls are skipped: a value means a row
        long newest = e.getKey();
        tiles.headMap(newest, false).clear();
        int m = fam.coarseSpan();
        if (m > 0) {
          row.coarse[f].headMap(Math.floorDiv(newest, m), false).clear();
        }
        return;
      }
    }
  }
}
