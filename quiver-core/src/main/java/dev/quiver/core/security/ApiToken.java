package dev.quiver.core.security;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stored API token: everything but the secret, which is shown once at creation and kept only as
 * its hash.
 *
 * @param id a short public identifier (part of the token itself, so a lookup needs no scan)
 * @param name who or what uses it (becomes the {@link Principal#name()})
 * @param roles the roles it grants
 * @param hash the hex SHA-256 of the whole token string
 * @param created when it was created
 * @param expires when it stops working, if ever
 * @param revoked when it was revoked, if it was
 */
public record ApiToken(
    String id, String name, Set<String> roles, String hash, Instant created, Optional<Instant> expires,
    Optional<Instant> revoked) {
  public ApiToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(revoked, "revoked");
    roles = Set.copyOf(roles);
  }

  /** Whether it can be used at {@code now}: not revoked and not expired. */
  public boolean activeAt(Instant now) {
    return revoked.isEmpty() && expires.map(now::isBefore).orElse(true);
  }
}
