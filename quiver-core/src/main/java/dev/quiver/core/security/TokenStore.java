package dev.quiver.core.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where a registry store keeps API tokens (hashed). Thread-safe and safe from several processes. */
public interface TokenStore {

  /**
   * Records a new token.
   *
   * @throws dev.quiver.core.ConflictException when a token with that id exists; nothing is written
   */
  void create(ApiToken token);

  /** Every token, revoked ones included, oldest first. */
  List<ApiToken> list();

  /** The token of that id, if any. */
  Optional<ApiToken> find(String id);

  /**
   * Revokes a token; revoking a revoked one keeps its first revocation time.
   *
   * @return false when there is no token of that id
   */
  boolean revoke(String id, Instant at);
}
