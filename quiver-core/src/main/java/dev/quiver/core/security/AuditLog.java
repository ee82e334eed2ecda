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
   * Events at or after {@code since}, oldest first, at most {@code limit} of them (the oldest ones).
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  List<AuditEvent> read(Instant since, int limit);
}
