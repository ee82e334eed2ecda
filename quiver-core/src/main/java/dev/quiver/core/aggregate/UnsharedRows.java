package dev.quiver.core.aggregate;

import java.util.Map;
import java.util.TreeMap;

/**
 * Rows written before sum/avg and variance/stddev shared a family of tiles ({@link
 * TileLayout#unshared()}), turned into rows of the shared layout when decoded: the tiles are the
 * same rows in the same kernel state, so the result is the row the shared layout would have written.
 */
final class UnsharedRows {
  private UnsharedRows() {}

  /**
   * A row of {@code layout}'s {@link TileLayout#unshared()} layout in {@code layout}: each family
   * takes the tiles, coarse blocks and head states of the unshared family that kept the same tiles
   * (the same rows in the same kernel state); the others' duplicates go.
   */
  static EntityTiles shared(TileLayout layout, EntityTiles old) {
    EntityTiles row = new EntityTiles(layout);
    row.maxEvent = old.maxEvent;
    row.boundary = old.boundary;
    for (int f = 0; f < row.tiles.length; f++) {
      int u = layout.unsharedSource(f);
      Aggregator from = old.layout().families().get(u).aggregator();
      boolean sameTag = from.function() == layout.families().get(f).aggregator().function();
      row.tiles[f] = sameTag ? old.tiles[u] : decoded(old.tiles[u], from);
      row.coarse[f] = sameTag ? old.coarse[u] : decoded(old.coarse[u], from);
    }
    for (Map.Entry<Long, AggregateState[]> e : old.head.entrySet()) {
      AggregateState[] states = new AggregateState[row.tiles.length];
      for (int f = 0; f < states.length; f++) {
        states[f] = e.getValue()[layout.unsharedSource(f)];
      }
      row.head.put(e.getKey(), states);
    }
    row.applied.mergeFrom(old.applied);
    return row;
  }

  /** The states decoded, so they are written again after the function byte of the family that takes them. */
  private static TreeMap<Long, TileState> decoded(TreeMap<Long, TileState> states, Aggregator agg) {
    TreeMap<Long, TileState> out = new TreeMap<>();
    states.forEach((index, state) -> out.put(index, TileState.of(state.state(agg))));
    return out;
  }
}
