package dev.quiver.server.auth;

import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import java.util.List;
import java.util.stream.Collectors;

/** Reads {@code Bearer <token>} and hands the token to the check that recognizes its shape. Thread-safe. */
final class BearerAuthenticator implements Authenticator {
  private static final String SCHEME = "bearer";
  private static final java.util.Set<String> KNOWN_SCHEMES =
      java.util.Set.of("basic", "digest", "negotiate", "token", "apikey", "hoba", "mutual", "ntlm", "aws4-hmac-sha256");
  private final List<CredentialCheck> checks;
  private final String kinds;

  BearerAuthenticator(List<CredentialCheck> checks) {
    this.checks = List.copyOf(checks);
    this.kinds = checks.stream().map(CredentialCheck::kind).collect(Collectors.joining(" or "));
  }

  @Override
  public Principal authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new AuthenticationException("no credentials: this server needs 'Authorization: Bearer <token>' with " + kinds);
    }
    String value = authorization.strip();
    int space = value.indexOf(' ');
    String scheme = space < 0 ? value : value.substring(0, space);
    if (!scheme.equalsIgnoreCase(SCHEME)) {
      // named only when it is a known scheme: a bare token sent without 'Bearer ' must not be echoed
      String named = KNOWN_SCHEMES.contains(scheme.toLowerCase(java.util.Locale.ROOT))
          ? "uses the scheme '" + scheme + "'" : "does not start with 'Bearer '";
      throw new AuthenticationException("the Authorization header " + named
          + "; send 'Authorization: Bearer <token>' with " + kinds);
    }
    String token = space < 0 ? "" : value.substring(space + 1).strip();
    if (token.isEmpty()) {
      throw new AuthenticationException("the Authorization header has no token after 'Bearer'");
    }
    for (CredentialCheck c : checks) {
      if (c.recognizes(token)) {
        return c.check(token);
      }
    }
    throw new AuthenticationException("the bearer token is neither " + kinds.replace(" or ", " nor ")
        + (kinds.contains(" or ") ? "" : " (the only kind this server takes; see quiver.yaml's server.auth)"));
  }

  @Override
  public boolean enabled() {
    return true;
  }

}
