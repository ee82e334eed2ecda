package dev.quiver.offline.duckdb;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.OfflineEngineContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The DuckDB engine against the offline contract. Test tables are written the way users' files
 * usually are: a DuckDB table with the Quiver types' natural DuckDB types, filled with an appender,
 * copied to Parquet.
 */
class DuckDbOfflineEngineTest extends OfflineEngineContract {

  @Override
  protected OfflineEngine engine() {
    return new DuckDbEngineProvider().open(Map.of());
  }

  @Override
  protected List<Object[]> arrowRows(OfflineEngine engine, dev.quiver.core.offline.PointInTimePlan plan, Path repoRoot) {
    return ArrowCells.read(engine, plan, repoRoot);
  }

  @Override
  protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    StringBuilder create = new StringBuilder("CREATE TABLE t (");
    for (int i = 0; i < columns.size(); i++) {
      create.append(i == 0 ? "" : ", ").append(Scans.id(columns.get(i).name())).append(' ').append(DuckDbValues.type(columns.get(i).type()));
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(create.append(')').toString());
      try (DuckDBAppender appender = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t")) {
        for (Object[] row : rows) {
          appender.beginRow();
          for (Object value : row) {
            DuckDbValues.append(appender, value);
          }
          appender.endRow();
        }
      }
      s.execute("COPY t TO " + Scans.literal(file.toString()) + " (FORMAT parquet)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
