package dev.quiver.cli;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import dev.quiver.core.security.Principal;
import java.io.PrintWriter;
import java.time.Instant;

/**
 * What the CLI records in the registry store's audit log: applies, materializations, online
 * deletions and saved datasets, as {@link Principal#local()} (the operating-system user, method
 * {@code local}) from client {@code cli}. The CLI is trusted: whoever can run it against a registry
 * can write the registry store directly (its files, its database credentials), so the store's own
 * access control is the gate, and the CLI checks no permission itself. A store without an audit log
 * records nothing; a failure to record is a warning, never a failed command.
 */
final class CliAudit {
  static final String CLIENT = "cli";

  private CliAudit() {}

  /**
   * @param author who the command acts for ({@code --author}, {@code $QUIVER_AUTHOR}); named in the
   *     detail when it is not the operating-system user
   */
  static void record(FeatureRepo repo, PrintWriter err, String author, String action, String resource, String outcome,
      String detail) {
    Principal local = Principal.local();
    String d = author != null && !author.equals(local.name()) ? "as " + author + "; " + detail : detail;
    AuditLog log;
    try {
      log = repo.registry().audit();
    } catch (UnsupportedOperationException e) {
      return;
    }
    try {
      log.append(new AuditEvent(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS), local.name(), local.method(), action, resource, CLIENT, outcome,
          d.replace('\n', ' ')));
    } catch (RuntimeException e) {
      err.println("warning: not recorded in the audit log: " + e.getMessage());
      err.flush();
    }
  }
}
