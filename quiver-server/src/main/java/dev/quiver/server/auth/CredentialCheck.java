package dev.quiver.server.auth;

import dev.quiver.core.security.Principal;

/** One kind of bearer credential (API tokens, JWTs). Thread-safe. */
interface CredentialCheck {
  /** Whether {@code token} has this kind's shape (it may still be invalid). */
  boolean recognizes(String token);

  /**
   * The principal {@code token} stands for.
   *
   * @throws dev.quiver.core.security.AuthenticationException saying what is wrong, never the token
   */
  Principal check(String token);

  /** What this kind is called in messages ({@code API tokens}, {@code OIDC JWTs}). */
  String kind();
}
