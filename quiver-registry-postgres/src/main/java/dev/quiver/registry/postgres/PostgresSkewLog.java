package dev.quiver.registry.postgres;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.QuiverException;
import dev.quiver.core.monitor.SkewLog;
import dev.quiver.core.monitor.SkewResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The skew results in the {@code skew_results} table: one row per feature result, a run's rows
 * inserted in one transaction, in append order ({@code seq}); a trigger refuses every UPDATE, DELETE
 * and TRUNCATE. Thread-safe; safe from many processes.
 */
final class PostgresSkewLog implements SkewLog {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private final RegistryDatabase db;

  PostgresSkewLog(RegistryDatabase db) {
    this.db = db;
  }

  @Override
  public void append(List<SkewResult> results) {
    Objects.requireNonNull(results, "results");
    if (results.isEmpty()) {
      return;
    }
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + db.table("skew_results")
          + " (at_nanos, at, service, feature, since_nanos, until_nanos, rows_compared, mismatches, examples)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (SkewResult r : results) {
          s.setLong(1, nanos(r.time()));
          s.setTimestamp(2, Timestamp.from(r.time()));
          s.setString(3, r.service());
          s.setString(4, r.feature());
          setNanos(s, 5, r.since());
          setNanos(s, 6, r.until());
          s.setLong(7, r.rowsCompared());
          s.setLong(8, r.mismatches());
          s.setString(9, JSON.writeValueAsString(r.examples()));
          s.addBatch();
        }
        s.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw db.failure("append skew results", e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new QuiverException("cannot encode skew examples: " + e.getMessage(), e);
    }
  }

  @Override
  public List<SkewResult> read(Instant since, String service, int limit) {
    Objects.requireNonNull(since, "since");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more: " + limit);
    }
    List<SkewResult> out = new ArrayList<>();
    if (limit == 0) {
      return out;
    }
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT at_nanos, service, feature, since_nanos, until_nanos,"
            + " rows_compared, mismatches, examples FROM " + db.table("skew_results") + " WHERE at_nanos >= ?"
            + (service == null ? "" : " AND service = ?") + " ORDER BY seq LIMIT ?")) {
      int p = 1;
      s.setLong(p++, nanosClamped(since));
      if (service != null) {
        s.setString(p++, service);
      }
      s.setInt(p, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new SkewResult(instant(rs.getLong(1)), rs.getString(2), rs.getString(3), instantOrNull(rs, 4),
              instantOrNull(rs, 5), rs.getLong(6), rs.getLong(7),
              JSON.readValue(rs.getString(8), new TypeReference<List<String>>() {})));
        }
      }
    } catch (SQLException e) {
      throw db.failure("read skew results", e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new QuiverException("damaged skew examples in the registry database: " + e.getMessage(), e);
    }
    return out;
  }

  private static void setNanos(PreparedStatement s, int at, Instant t) throws SQLException {
    if (t == null) {
      s.setNull(at, Types.BIGINT);
    } else {
      s.setLong(at, nanosClamped(t));
    }
  }

  private static Instant instant(long n) {
    return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
  }

  private static Instant instantOrNull(ResultSet rs, int column) throws SQLException {
    long n = rs.getLong(column);
    return rs.wasNull() ? null : instant(n);
  }

  /** Nanoseconds since the epoch; results happen between 1678 and 2262, which that covers. */
  private static long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      throw new QuiverException("a skew result's time must lie between the years 1678 and 2262, not " + t);
    }
  }

  private static long nanosClamped(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
