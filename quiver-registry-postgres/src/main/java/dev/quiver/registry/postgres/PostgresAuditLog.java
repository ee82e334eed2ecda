package dev.quiver.registry.postgres;

import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit log in the {@code audit_log} table: one row per event, in append order ({@code seq}); a
 * trigger refuses every UPDATE, DELETE and TRUNCATE, so rows are never changed or removed. Times are
 * kept exactly, as nanoseconds since the epoch (and, for SQL readers, as a timestamp).
 * Thread-safe; safe from many processes.
 */
final class PostgresAuditLog implements AuditLog {
  private final RegistryDatabase db;

  PostgresAuditLog(RegistryDatabase db) {
    this.db = db;
  }

  @Override
  public void append(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("INSERT INTO " + db.table("audit_log")
            + " (at_nanos, at, principal, method, action, resource, client, outcome, detail)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setLong(1, nanos(event.time()));
      s.setTimestamp(2, Timestamp.from(event.time()));
      s.setString(3, event.principal());
      s.setString(4, event.method());
      s.setString(5, event.action());
      s.setString(6, event.resource());
      s.setString(7, event.client());
      s.setString(8, event.outcome());
      s.setString(9, event.detail());
      s.executeUpdate();
    } catch (SQLException e) {
      throw db.failure("append to the audit log", e);
    }
  }

  @Override
  public List<AuditEvent> read(Instant since, int limit) {
    Objects.requireNonNull(since, "since");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more: " + limit);
    }
    List<AuditEvent> events = new ArrayList<>();
    if (limit == 0) {
      return events;
    }
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT at_nanos, principal, method, action, resource, client,"
            + " outcome, detail FROM " + db.table("audit_log") + " WHERE at_nanos >= ? ORDER BY at_nanos, seq LIMIT ?")) {
      s.setLong(1, nanosClamped(since));
      s.setInt(2, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long n = rs.getLong(1);
          events.add(new AuditEvent(Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L)),
              rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
              rs.getString(8)));
        }
      }
    } catch (SQLException e) {
      throw db.failure("read the audit log", e);
    }
    return events;
  }

  /** Nanoseconds since the epoch; events happen between 1678 and 2262, which that covers. */
  private static long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      throw new QuiverException("an audit event's time must lie between the years 1678 and 2262, not " + t);
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
