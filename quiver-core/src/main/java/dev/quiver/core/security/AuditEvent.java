package dev.quiver.core.security;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log.
 *
 * @param time when it happened
 * @param principal who ({@link Principal#name()})
 * @param method how they were authenticated ({@link Principal#method()})
 * @param action what: an {@link Action#wireName()}, or an event such as {@code token_use}, {@code
 *     token_create}, {@code denied}
 * @param resource on what ({@link Resource#toString()}, or a registry version, a dataset name)
 * @param client from where: the client address, or {@code cli} for the CLI on this machine
 * @param outcome {@code ok}, {@code denied}, {@code failed}
 * @param detail one line of detail (rows pushed, the version applied, the deciding rule); never a
 *     secret; may be empty
 */
public record AuditEvent(
    Instant time, String principal, String method, String action, String resource, String client, String outcome,
    String detail) {
  public AuditEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(outcome, "outcome");
    detail = detail == null ? "" : detail;
  }
}
