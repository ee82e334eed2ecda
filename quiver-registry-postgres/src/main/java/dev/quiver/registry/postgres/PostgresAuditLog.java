package dev.quiver.registry.postgres;

import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The audit log in the {@code audit_log} table ({@link AppendOnlyTable}): one row per event, read
 * in time order, then append order. Thread-safe; safe from many processes.
 */
final class PostgresAuditLog implements AuditLog {
  private final AppendOnlyTable table;

  PostgresAuditLog(RegistryDatabase db) {
    this.table = new AppendOnlyTable(db, "audit_log", "the audit log", "an audit event",
        List.of("principal", "method", "action", "resource", "client", "outcome", "detail"));
  }

  @Override
  public void append(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    appendAll(List.of(event));
  }

  @Override
  public void appendAll(List<AuditEvent> events) {
    Objects.requireNonNull(events, "events");
    table.append(events, AuditEvent::time, (e, s) -> {
      s.setString(3, e.principal());
      s.setString(4, e.method());
      s.setString(5, e.action());
      s.setString(6, e.resource());
      s.setString(7, e.client());
      s.setString(8, e.outcome());
      s.setString(9, e.detail());
    });
  }

  @Override
  public List<AuditEvent> read(Instant since, int limit) {
    Objects.requireNonNull(since, "since");
    return table.read(since, limit, "principal, method, action, resource, client, outcome, detail", "", List.of(),
        "at_nanos, seq", (time, rs) -> new AuditEvent(time, rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
  }
}
