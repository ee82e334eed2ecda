package dev.quiver.core.security;

import dev.quiver.core.InvalidRequestException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A stored API token: everything but the secret, which is shown once at creation and kept only as
 * its hash.
 *
 * @param id a short public identifier (part of the token itself, so a lookup needs no scan): 1 to 64
 *     lower-case ASCII letters and digits, so that every store keeps it as it is (a case-insensitive
 *     file system cannot fold two ids together)
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
  private static final Pattern ID = Pattern.compile("[a-z0-9]{1,64}");

  /**
   * @throws InvalidRequestException when {@code id} is not 1 to 64 lower-case letters and digits
   */
  public ApiToken {
    Objects.requireNonNull(id, "id");
    if (!isValidId(id)) {
      throw new InvalidRequestException("'" + id + "' is not a valid API token id: an id is 1 to 64 lower-case"
          + " letters (a-z) and digits (0-9), as quiver tokens create makes them; use such an id");
    }
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(revoked, "revoked");
    roles = Set.copyOf(roles);
  }

  /** Whether {@code id} may be an API token's id: 1 to 64 lower-case ASCII letters and digits. */
  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** Whether it can be used at {@code now}: not revoked and not expired. */
  public boolean activeAt(Instant now) {
    return revoked.isEmpty() && expires.map(now::isBefore).orElse(true);
  }
}
