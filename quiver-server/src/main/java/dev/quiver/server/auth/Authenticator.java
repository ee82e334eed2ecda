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

  /**
   * {@link #authenticate(String)} for a request from {@code client} ({@code host:port}); the server's
   * authenticator records the token's use and every failure in the audit log (rate-limited). The
   * default ignores the client.
   */
  default Principal authenticate(String authorization, String client) {
    return authenticate(authorization);
  }

  /**
   * A request from {@code client} by a principal its connection established (a verified client
   * certificate under mutual TLS), without an {@code Authorization} header; the server's
   * authenticator records it as a token use. The default does nothing.
   */
  default void connected(Principal principal, String client) {}

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
      checks.add(JwtCheck.of(settings, clock));
    }
    return new BearerAuthenticator(checks);
  }
}
