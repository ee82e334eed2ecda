package dev.quiver.core.online;

import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.online.TileRebuild.KeyRows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link TileRowsJob}: the scan {@link TileRebuild} would read, and its {@link TileMerge} rules for each part. */
final class TileJob implements TileRowsJob {
  private static final long serialVersionUID = 1L;

  private final TileMerge merge;
  private final LatestRowsPlan scan;
  private final boolean positions;

  TileJob(TileMerge merge, LatestRowsPlan scan, boolean positions) {
    this.merge = merge;
    this.scan = scan;
    this.positions = positions;
  }

  @Override
  public LatestRowsPlan scan() {
    return scan;
  }

  @Override
  public boolean positions() {
    return positions;
  }

  @Override
  public Part part(List<ValueType> types, OnlineStore store, String table) {
    List<ScalarType> keyTypes = scan.keys().stream().map(KeyBinding::type).toList();
    List<String> columns = merge.columns();
    Map<String, ValueType> byName = new HashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      byName.put(columns.get(c), types.get(keyTypes.size() + 2 + c));
    }
    TileLayout layout = merge.layout(byName::get);
    TileMerge.Fold fold = merge.new Fold(layout, keyTypes, positions);
    return new Part() {
      private List<KeyRows> batch = new ArrayList<>(Materializer.BATCH);
      private long written;
      private long skipped;

      @Override
      public void add(Object[] row) {
        KeyRows done = fold.add(row);
        if (done != null) {
          batch.add(done);
          if (batch.size() == Materializer.BATCH) {
            flush();
          }
        }
      }

      @Override
      public Counts finish() {
        KeyRows done = fold.finish();
        if (done != null) {
          batch.add(done);
        }
        flush();
        return new Counts(written, skipped);
      }

      private void flush() {
        if (!batch.isEmpty()) {
          TileMerge.Written w = merge.write(store, table, batch);
          written += w.written();
          skipped += w.skipped();
          batch = new ArrayList<>(Materializer.BATCH);
        }
      }
    };
  }
}
