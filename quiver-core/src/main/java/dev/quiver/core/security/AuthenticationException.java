package dev.quiver.core.security;

import dev.quiver.core.QuiverException;

/**
 * Credentials are missing, malformed, expired or unknown (HTTP 401, gRPC {@code UNAUTHENTICATED}).
 * The message says what is wrong with them, never their value.
 */
public final class AuthenticationException extends QuiverException {
  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
