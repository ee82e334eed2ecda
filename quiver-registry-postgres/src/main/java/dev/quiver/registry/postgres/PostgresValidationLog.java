package dev.quiver.registry.postgres;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.QuiverException;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The validation results in the {@code validation_results} table: one row per rule result, a run's
 * rows inserted in one transaction, in append order ({@code seq}); a trigger refuses every UPDATE,
 * DELETE and TRUNCATE. Thread-safe; safe from many processes.
 */
final class PostgresValidationLog implements ValidationLog {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private final RegistryDatabase db;

  PostgresValidationLog(RegistryDatabase db) {
    this.db = db;
  }

  @Override
  public void append(List<RuleResult> results) {
    Objects.requireNonNull(results, "results");
    if (results.isEmpty()) {
      return;
    }
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + db.table("validation_results")
          + " (at_nanos, at, entry, view_name, feature, rule, argument, on_fail, rows_checked, rows_failed, samples, outcome)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (RuleResult r : results) {
          s.setLong(1, nanos(r.time()));
          s.setTimestamp(2, Timestamp.from(r.time()));
          s.setString(3, r.entry());
          s.setString(4, r.view());
          s.setString(5, r.feature());
          s.setString(6, r.rule());
          s.setString(7, r.argument());
          s.setString(8, r.onFail());
          s.setLong(9, r.rowsChecked());
          s.setLong(10, r.rowsFailed());
          s.setString(11, JSON.writeValueAsString(r.samples()));
          s.setString(12, r.outcome().spelling());
          s.addBatch();
        }
        s.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw db.failure("append validation results", e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new QuiverException("cannot encode validation samples: " + e.getMessage(), e);
    }
  }

  @Override
  public List<RuleResult> read(Instant since, String view, int limit) {
    Objects.requireNonNull(since, "since");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more: " + limit);
    }
    List<RuleResult> out = new ArrayList<>();
    if (limit == 0) {
      return out;
    }
    String where = view == null ? "" : view.contains("@v") ? " AND view_name = ?" : " AND (view_name LIKE ? ESCAPE '!')";
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT at_nanos, entry, view_name, feature, rule, argument, on_fail,"
            + " rows_checked, rows_failed, samples, outcome FROM " + db.table("validation_results")
            + " WHERE at_nanos >= ?" + where + " ORDER BY seq LIMIT ?")) {
      int p = 1;
      s.setLong(p++, nanosClamped(since));
      if (view != null) {
        s.setString(p++, view.contains("@v") ? view : view.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "@v%");
      }
      s.setInt(p, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long n = rs.getLong(1);
          RuleResult r = new RuleResult(Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L)),
              rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
              rs.getLong(8), rs.getLong(9), JSON.readValue(rs.getString(10), new TypeReference<List<String>>() {}),
              RuleResult.Outcome.valueOf(rs.getString(11).toUpperCase(Locale.ROOT)));
          if (ValidationLog.matches(r, view)) {
            out.add(r);
          }
        }
      }
    } catch (SQLException e) {
      throw db.failure("read validation results", e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new QuiverException("damaged validation samples in the registry database: " + e.getMessage(), e);
    }
    return out;
  }

  /** Nanoseconds since the epoch; results happen between 1678 and 2262, which that covers. */
  private static long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      throw new QuiverException("a validation result's time must lie between the years 1678 and 2262, not " + t);
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
