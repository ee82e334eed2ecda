package dev.quiver.core.security;

import java.util.Objects;
import java.util.Set;

/**
 * Who a request acts for: a name (an API token's name, a JWT's subject, a certificate's subject, the
 * operating-system user of the CLI) and the roles permissions are granted to.
 *
 * @param name never null or blank
 * @param roles the principal's roles; never null
 * @param method how the principal was established: {@code token}, {@code jwt}, {@code mtls},
 *     {@code local} (the CLI on this machine) or {@code none} (no authentication configured)
 */
public record Principal(String name, Set<String> roles, String method) {
  /** The caller of a server without authentication. */
  public static final Principal ANONYMOUS = new Principal("anonymous", Set.of(), "none");

  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(method, "method");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a principal needs a name");
    }
    roles = Set.copyOf(roles);
  }

  /** The operating-system user running the CLI on this machine, without roles. */
  public static Principal local() {
    String user = System.getProperty("user.name");
    return new Principal(user == null || user.isBlank() ? "local" : user, Set.of(), "local");
  }

  /** {@code name (method)}, for messages and the audit log. */
  @Override
  public String toString() {
    return name + " (" + method + ")";
  }
}
