package dev.quiver.server;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One feature service's log rows not yet in a file, in the columns of its {@link FeatureLogSchema}:
 * as Arrow vectors ({@link FeatureLogBatches}) or, where Arrow's C data interface cannot run, in a
 * DuckDB table through its appender ({@link FeatureLogAppenderRows}). Used by one thread at a time
 * (the writer, then the thread that writes its file).
 */
interface FeatureLogRows extends AutoCloseable {

  /** Rows appended and not yet written. */
  long rows();

  /** Appends one row per entity row of {@code served}, with {@code requestId} (ASCII); returns the number of rows. */
  int append(FeatureLog.Served served, byte[] requestId) throws SQLException;

  /** Writes every row to the Parquet file {@code file} with {@link FeatureLogSchema#copy}; afterwards this holds no rows. */
  void copy(Connection connection, String file) throws SQLException;

  /** Releases the rows' memory. */
  @Override
  void close();
}
