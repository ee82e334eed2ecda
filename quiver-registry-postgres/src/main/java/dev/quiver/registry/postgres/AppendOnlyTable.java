package dev.quiver.registry.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.QuiverException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One of the registry's append-only log tables (audit_log, validation_results, skew_results): rows
 * in append order ({@code seq}), each with its time exactly as nanoseconds since the epoch ({@code
 * at_nanos}) and, for SQL readers, as a timestamp ({@code at}); a trigger refuses every UPDATE,
 * DELETE and TRUNCATE. The three logs share this: a batch of rows inserted in one transaction (all
 * or none), and a read of the rows at or after a time, oldest first, at most a limit.
 * Thread-safe; safe from many processes.
 */
final class AppendOnlyTable {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  /** Sets one record's columns after {@code at_nanos} and {@code at}, from parameter 3 on. */
  @FunctionalInterface
  interface Binder<T> {
    void bind(T record, PreparedStatement s) throws SQLException;
  }

  /** Makes one record of a row whose column 1 is {@code at_nanos} and the rest as the read selected them. */
  @FunctionalInterface
  interface Reader<T> {
    T read(Instant time, ResultSet rs) throws SQLException;
  }

  private final RegistryDatabase db;
  private final String table;
  private final String what;
  private final String one;
  private final String insert;

  /**
   * @param what the records' name in messages ({@code skew results})
   * @param one one record's name in messages ({@code a skew result})
   * @param columns the columns after {@code at_nanos, at}, as the binder sets them
   */
  AppendOnlyTable(RegistryDatabase db, String table, String what, String one, List<String> columns) {
    this.db = db;
    this.table = table;
    this.what = what;
    this.one = one;
    this.insert = "INSERT INTO " + db.table(table) + " (at_nanos, at, " + String.join(", ", columns) + ") VALUES (?, ?"
        + ", ?".repeat(columns.size()) + ")";
  }

  /** Appends {@code records} in one transaction, in their order. */
  <T> void append(List<T> records, java.util.function.Function<T, Instant> time, Binder<T> binder) {
    if (records.isEmpty()) {
      return;
    }
    try (Connection c = db.connection()) {
      c.setAutoCommit(records.size() == 1); // one row is one statement: atomic without a transaction
      if (c.getAutoCommit()) {
        try (PreparedStatement s = c.prepareStatement(insert)) {
          bind(s, records.getFirst(), time, binder);
          s.executeUpdate();
        }
        return;
      }
      try (PreparedStatement s = c.prepareStatement(insert)) {
        for (T r : records) {
          bind(s, r, time, binder);
          s.addBatch();
        }
        s.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw db.failure("append to " + what, e);
    }
  }

  private <T> void bind(PreparedStatement s, T r, java.util.function.Function<T, Instant> time, Binder<T> binder)
      throws SQLException {
    Instant t = time.apply(r);
    s.setLong(1, nanos(t));
    s.setTimestamp(2, Timestamp.from(t));
    binder.bind(r, s);
  }

  /**
   * The rows at or after {@code since} that match {@code where} (an SQL condition, or empty), oldest
   * first by {@code order}, at most {@code limit}.
   *
   * @param columns the columns after {@code at_nanos}, as {@code reader} reads them
   * @param parameters the values of {@code where}'s placeholders
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  <T> List<T> read(Instant since, int limit, String columns, String where, List<Object> parameters, String order,
      Reader<T> reader) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more: " + limit);
    }
    List<T> out = new ArrayList<>();
    if (limit == 0) {
      return out;
    }
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT at_nanos, " + columns + " FROM " + db.table(table)
            + " WHERE at_nanos >= ?" + (where.isEmpty() ? "" : " AND " + where) + " ORDER BY " + order + " LIMIT ?")) {
      int p = 1;
      s.setLong(p++, nanosClamped(since));
      for (Object value : parameters) {
        s.setObject(p++, value);
      }
      s.setInt(p, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(reader.read(instant(rs.getLong(1)), rs));
        }
      }
    } catch (SQLException e) {
      throw db.failure("read " + what, e);
    }
    return out;
  }

  /** Nanoseconds since the epoch; records happen between 1678 and 2262, which that covers. */
  long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      throw new QuiverException(one + "'s time must lie between the years 1678 and 2262, not " + t);
    }
  }

  /** Nanoseconds since the epoch, or the nearest end of the range: for bounds of a read. */
  static long nanosClamped(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /** Sets a nullable time column as clamped nanoseconds. */
  static void setNanos(PreparedStatement s, int at, Instant t) throws SQLException {
    if (t == null) {
      s.setNull(at, Types.BIGINT);
    } else {
      s.setLong(at, nanosClamped(t));
    }
  }

  /** A nullable time column kept as nanoseconds. */
  static Instant instantOrNull(ResultSet rs, int column) throws SQLException {
    long n = rs.getLong(column);
    return rs.wasNull() ? null : instant(n);
  }

  /** A list of texts (samples, examples) as the JSON array kept in a TEXT column. */
  static String strings(List<String> texts) {
    try {
      return JSON.writeValueAsString(texts);
    } catch (JsonProcessingException e) {
      throw new QuiverException("cannot encode " + texts.size() + " texts as JSON: " + e.getMessage(), e);
    }
  }

  /** The list of texts kept by {@link #strings}; {@code what} names the column in the message. */
  static List<String> strings(String json, String what) {
    try {
      return JSON.readValue(json, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new QuiverException("damaged " + what + " in the registry database: " + e.getMessage(), e);
    }
  }
}
