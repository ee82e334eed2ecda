package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.ArrowRows;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.duckdb.DuckDBResultSet;

/**
 * A training set handed over as Arrow batches by DuckDB itself ({@code DuckDBResultSet.arrowExportStream},
 * imported through Arrow's C data interface): the steps of the write path run on a connection that
 * streams its result, then the training set's select, with the timestamp conversion of the Parquet
 * output ({@link TrainingSetFile}) and every column cast to the DuckDB type of its Quiver type, so the
 * batches carry the types {@link ArrowRows} promises and the values {@code quiver historical} writes.
 * Owns (and closes) the connection. {@link #cancel()} interrupts the running statement, or the thread
 * running a Java step.
 */
final class DuckDbArrowRows implements ArrowRows {
  /** Opens the connection, runs the setup and returns the select to read; may run steps itself. */
  interface Work {
    String run(DuckDbArrowRows rows, Connection c) throws SQLException;
  }

  private final List<Column> columns;
  private final Supplier<Connection> connect;
  private final Work work;
  private final Function<SQLException, QuiverException> failure;
  private final Object allocator;
  private final int batchRows;
  private Connection connection;
  private Statement statement;
  private ResultSet result;
  private AutoCloseable reader;
  private volatile boolean cancelled;
  private volatile Statement running;
  private volatile Thread worker;
  private final Object workerLock = new Object();

  DuckDbArrowRows(List<Column> columns, Supplier<Connection> connect, Work work, Function<SQLException, QuiverException> failure,
      Object allocator, int batchRows) {
    this.columns = List.copyOf(columns);
    this.connect = connect;
    this.work = work;
    this.failure = failure;
    this.allocator = allocator;
    this.batchRows = batchRows;
  }

  /** True when every column has a Quiver type, so the batches' types are known before anything runs. */
  static boolean typed(List<Column> columns) {
    return columns.stream().allMatch(c -> c.type() != null);
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public synchronized Object reader() {
    if (reader != null) {
      return reader;
    }
    worker = Thread.currentThread();
    try {
      connection = connect.get();
      String select = work.run(this, connection);
      checkCancelled();
      String typed = castSelect(TrainingSetFile.select(connection, select, FileFormat.PARQUET));
      statement = connection.createStatement();
      running = statement;
      checkCancelled();
      result = statement.executeQuery(typed);
      reader = (AutoCloseable) result.unwrap(DuckDBResultSet.class).arrowExportStream(allocator, batchRows);
      return reader;
    } catch (SQLException e) {
      if (cancelled) {
        throw cancelledException();
      }
      throw failure.apply(e);
    } finally {
      synchronized (workerLock) {
        worker = null;
        if (cancelled) {
          Thread.interrupted(); // a cancel's interrupt must not reach the caller's next work on this thread
        }
      }
    }
  }

  /** Runs one SQL statement of the work so that {@link #cancel()} can interrupt it. */
  void execute(String sql) throws SQLException {
    checkCancelled();
    try (Statement s = connection.createStatement()) {
      running = s;
      try {
        s.execute(sql);
      } finally {
        running = null;
      }
    }
    checkCancelled();
  }

  void checkCancelled() {
    if (cancelled) {
      throw cancelledException();
    }
  }

  private static QuiverException cancelledException() {
    return new QuiverException("the training set was cancelled");
  }

  /** {@code select} with each column cast to the DuckDB type of its Quiver type (timestamps UTC-zoned). */
  private String castSelect(String select) {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      String id = Scans.id(columns.get(i).name());
      sql.append(i == 0 ? "" : ", ").append("CAST(").append(id).append(" AS ").append(type(columns.get(i).type()))
          .append(") AS ").append(id);
    }
    return sql.append(" FROM (").append(select).append(") __quiver_arrow").toString();
  }

  private static String type(ValueType type) {
    return switch (type) {
      case ListType l -> type(l.element()) + "[]";
      case ScalarType s when s == ScalarType.TIMESTAMP -> "TIMESTAMPTZ";
      case ScalarType s -> DuckDbValues.type(s);
    };
  }

  @Override
  public void cancel() {
    cancelled = true;
    Statement s = running;
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException | RuntimeException e) {
        // the statement ended between the read and the cancel
      }
    }
    synchronized (workerLock) {
      Thread t = worker;
      if (t != null && s == null) {
        t.interrupt(); // a Java step (matching rows) waits on its readers' queues
      }
    }
  }

  @Override
  public synchronized void close() {
    try (Connection c = connection; Statement s = statement; ResultSet r = result; AutoCloseable batches = reader) {
      // closed in reverse order
    } catch (Exception e) {
      throw new QuiverException("closing the training set failed: " + e.getMessage(), e);
    }
  }
}
