package dev.quiver.server.auth;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request's {@code Authorization} value ({@code Bearer <token>}) into the {@link Principal} it
 * acts for. Built once per server from quiver.yaml's {@code server:} section ({@link #of}); {@link
 * #NONE} when {@code auth: none}. Thread-safe; {@link #authenticate} may block briefly (a registry
 * read for an API token not in its short cache, a JWKS fetch for an unknown key id), so callers run it
 * off event loops.
 */
public interface Authenticator {
  /** No authentication: every caller is {@link Principal#ANONYMOUS}. */
  Authenticator NONE = new Authenticator() {
    @Override
    public Principal authenticate(String authorization) {
      return Principal.ANONYMOUS;
    }

    @Override
    public boolean enabled() {
      return false;
    }
  };

  /**
   * The principal of a request.
   *
   * @param authorization the {@code Authorization} header or gRPC {@code authorization} metadata;
   *     null when absent
   * @throws AuthenticationException when authentication is on and the credentials are missing,
   *     malformed, unknown, expired or revoked; the message says which, never the token
   */
  Principal authenticate(String authorization);

  /** Whether requests need credentials ({@code auth} is not {@code none}). */
  boolean enabled();

  /**
   * The authenticator {@code settings} describe.
   *
   * @param registry where API tokens are kept (its {@link RegistryStore#tokens()})
   * @throws dev.quiver.core.QuiverException when the JWKS file cannot be read, naming the setting
   */
  static Authenticator of(AuthSettings settings, RegistryStore registry, Clock clock) {
    if (!settings.enabled()) {
      return NONE;
    }
    List<CredentialCheck> checks = new ArrayList<>();
    if (settings.tokens()) {
      checks.add(new TokenCheck(registry.tokens(), settings.tokenCache(), clock));
    }
    if (settings.oidc()) {
      checks.add(JwtCheck.of(settings));
    }
    return new BearerAuthenticator(checks);
  }
}
