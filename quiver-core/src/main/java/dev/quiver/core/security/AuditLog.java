package dev.quiver.core.security;

import java.time.Instant;
import java.util.List;

/**
 * The append-only audit log a registry store keeps. Thread-safe and safe from several processes;
 * an appended event is durable when {@link #append} returns and is never changed or removed.
 */
public interface AuditLog {

  /**
   * Appends one event.
   *
   * @throws dev.quiver.core.QuiverException when it cannot be recorded
   */
  void append(AuditEvent event);

  /**
   * Appends events in their order, all or none where the store can (the file and PostgreSQL
   * registries do: one write, one transaction); the default appends them one by one.
   *
   * @throws dev.quiver.core.QuiverException when they cannot be recorded
   */
  default void appendAll(List<AuditEvent> events) {
    events.forEach(this::append);
  }

  /**
   * Events at or after {@code since}, oldest first, at most {@code limit} of them (the oldest ones).
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  List<AuditEvent> read(Instant since, int limit);
}
