package dev.quiver.server;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * One feature service's log rows not yet in a file, through DuckDB's appender into an in-memory
 * table of the writer's connection (105 appender calls per row of 50 features): what the writer uses
 * when Arrow's C data interface cannot run in this JVM (it needs {@code
 * --add-opens=java.base/java.nio=ALL-UNNAMED}, which the {@code quiver} command passes). The same
 * columns and files as {@link FeatureLogBatches}. Used by the writer thread alone.
 */
final class FeatureLogAppenderRows implements FeatureLogRows {
  private final FeatureLogSchema schema;
  private final Connection connection;
  private final String table;
  private DuckDBAppender appender;
  private long rows;

  FeatureLogAppenderRows(FeatureLogSchema schema, Connection connection, String table) throws SQLException {
    this.schema = schema;
    this.connection = connection;
    this.table = table;
    try (Statement st = connection.createStatement()) {
      st.execute(createTable(schema, table));
    }
    appender = connection.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, table);
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int append(FeatureLog.Served served, byte[] requestId) throws SQLException {
    DuckDBAppender a = appender;
    int n = served.rows();
    long servedAt = Timestamps.toMicros(served.servedAt());
    String id = new String(requestId, StandardCharsets.US_ASCII);
    List<String> keys = schema.keys();
    List<List<Object>> keyValues = new ArrayList<>(keys.size());
    for (String k : keys) {
      keyValues.add(served.entities().get(k));
    }
    List<RequestField> fields = schema.requestFields();
    List<List<Object>> fieldValues = new ArrayList<>(fields.size());
    for (RequestField f : fields) {
      List<Object> v = served.request().requestContext().get(f.name());
      fieldValues.add(v != null ? v : served.request().entities().get(f.name()));
    }
    int features = served.refs().length;
    for (int r = 0; r < n; r++) {
      a.beginRow();
      a.append(id);
      a.appendEpochMicros(servedAt);
      a.append((int) served.registryVersion());
      a.append(served.service());
      a.append(served.definition().version());
      for (int k = 0; k < keys.size(); k++) {
        List<Object> col = keyValues.get(k);
        value(a, schema.keyTypes().get(k), col == null || r >= col.size() ? null : col.get(r));
      }
      for (int f = 0; f < fields.size(); f++) {
        List<Object> col = fieldValues.get(f);
        ValueType type = fields.get(f).type();
        value(a, type, FeatureLogSchema.requestValue(type, col == null || r >= col.size() ? null : col.get(r)));
      }
      for (int f = 0; f < features; f++) {
        value(a, schema.featureTypes().get(f), served.value(f, r));
        int status = served.status(f, r);
        if (status < 0) {
          a.appendNull();
        } else {
          a.append((byte) status);
        }
      }
      a.endRow();
      rows++;
    }
    return n;
  }

  @Override
  public void copy(Connection ignored, String file) throws SQLException { // the connection is the one of the table
    try {
      appender.close(); // flushes the appended rows into the table
      appender = null;
      try (Statement st = connection.createStatement()) {
        st.execute(schema.copy(table, file, true));
      }
    } finally {
      close();
    }
  }

  /** Drops the table (the connection is closed when that fails: a fresh in-memory database next time). */
  @Override
  public void close() {
    rows = 0;
    try {
      if (appender != null) {
        appender.close();
        appender = null;
      }
      try (Statement st = connection.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + table);
      }
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // in-memory: nothing is lost
      }
    }
  }

  /**
   * {@code CREATE TABLE name (...)}: the file's columns, except that each status is buffered as its
   * ordinal (a UTINYINT: one byte appended instead of a string) and named by {@link FeatureLogSchema#copy}.
   */
  private static String createTable(FeatureLogSchema schema, String table) {
    List<String> cols = new ArrayList<>(List.of("request_id VARCHAR", "served_at TIMESTAMP", "registry_version INTEGER",
        "service VARCHAR", "service_version INTEGER"));
    for (int i = 0; i < schema.keys().size(); i++) {
      cols.add(FeatureLogSchema.quote(schema.keys().get(i)) + " " + FeatureLogSchema.sql(schema.keyTypes().get(i)));
    }
    for (RequestField f : schema.requestFields()) {
      cols.add(FeatureLogSchema.quote(f.name()) + " " + FeatureLogSchema.sql(f.type()));
    }
    for (int i = 0; i < schema.featureNames().size(); i++) {
      String name = schema.featureNames().get(i);
      cols.add(FeatureLogSchema.quote(name) + " " + FeatureLogSchema.sql(schema.featureTypes().get(i)));
      cols.add(FeatureLogSchema.quote(name + "__status") + " UTINYINT");
    }
    return "CREATE TABLE " + table + " (" + String.join(", ", cols) + ")";
  }

  private static void value(DuckDBAppender a, ValueType type, Object v) throws SQLException {
    if (v == null) {
      a.appendNull();
      return;
    }
    switch (type) {
      case ScalarType s -> scalar(a, s, v);
      case ListType l -> {
        List<Object> items = new ArrayList<>();
        for (Object item : (List<?>) v) {
          items.add(item == null ? null : switch (l.element()) {
            case TIMESTAMP -> LocalDateTime.ofInstant((Instant) item, ZoneOffset.UTC);
            case INT32 -> ((Number) item).intValue();
            case INT64 -> ((Number) item).longValue();
            case FLOAT32 -> ((Number) item).floatValue();
            case FLOAT64 -> ((Number) item).doubleValue();
            default -> item;
          });
        }
        a.append(items);
      }
    }
  }

  private static void scalar(DuckDBAppender a, ScalarType type, Object v) throws SQLException {
    switch (type) {
      case INT32 -> a.append(((Number) v).intValue());
      case INT64 -> a.append(((Number) v).longValue());
      case FLOAT32 -> a.append(((Number) v).floatValue());
      case FLOAT64 -> a.append(((Number) v).doubleValue());
      case BOOL -> a.append((boolean) (Boolean) v);
      case STRING -> a.append(String.valueOf(v));
      case BYTES -> a.append((byte[]) v);
      case TIMESTAMP -> a.appendEpochMicros(Timestamps.toMicros((Instant) v));
    }
  }
}
