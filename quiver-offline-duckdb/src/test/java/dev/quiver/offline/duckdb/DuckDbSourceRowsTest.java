package dev.quiver.offline.duckdb;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.SourceRowsContract;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Materialization's source reads on DuckDB: the {@link SourceRowsContract}. */
class DuckDbSourceRowsTest extends SourceRowsContract {
  @Override
  protected OfflineEngine engine() {
    return new DuckDbEngineProvider().open(Map.of());
  }

  @Override
  protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    new DuckDbOfflineEngineTest().writeTable(file, columns, rows);
  }
}
