package dev.quiver.server.auth;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The authentication settings of quiver.yaml's flat {@code server:} section:
 *
 * <pre>{@code
 * server:
 *   auth: tokens,oidc            # none (default) | tokens | oidc | tokens,oidc
 *   oidc_jwks: https://idp.example.com/.well-known/jwks.json   # or a file path, relative to the repo
 *   oidc_issuer: https://idp.example.com/
 *   oidc_audience: quiver
 *   oidc_roles_claim: roles      # default roles; a list or a space-separated string; a.b reads a nested claim
 *   oidc_name_claim: sub         # default sub
 *   oidc_clock_skew: 60s         # default 60s
 *   token_cache: 2s              # how long an API token lookup is reused (default 2s, at most 60s)
 * }</pre>
 *
 * @param tokens whether API tokens are accepted
 * @param oidc whether OIDC JWTs are accepted
 * @param jwks the JWKS: an {@code https} URL ({@code http} only on loopback), or a file; null without oidc
 * @param issuer the required {@code iss}; null without oidc
 * @param audience the required {@code aud}; null without oidc
 * @param rolesClaim the claim holding the roles
 * @param nameClaim the claim naming the principal
 * @param clockSkew how far {@code exp} and {@code nbf} may be off
 * @param tokenCache how long a token lookup is reused: a revocation takes effect within it
 */
public record AuthSettings(boolean tokens, boolean oidc, JwksLocation jwks, String issuer, String audience,
    String rolesClaim, String nameClaim, Duration clockSkew, Duration tokenCache) {
  /** No authentication. */
  public static final AuthSettings NONE =
      new AuthSettings(false, false, null, null, null, "roles", "sub", Duration.ofSeconds(60), Duration.ofSeconds(2));

  private static final Duration MAX_TOKEN_CACHE = Duration.ofSeconds(60);

  /** Where the JWKS comes from: exactly one of {@code url} and {@code file}. */
  public record JwksLocation(URI url, Path file) {
    public JwksLocation {
      if ((url == null) == (file == null)) {
        throw new IllegalArgumentException("a JWKS location is a URL or a file");
      }
    }

    @Override
    public String toString() {
      return url != null ? url.toString() : file.toString();
    }
  }

  public AuthSettings {
    Objects.requireNonNull(rolesClaim, "rolesClaim");
    Objects.requireNonNull(nameClaim, "nameClaim");
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(tokenCache, "tokenCache");
    if (oidc && (jwks == null || issuer == null || audience == null)) {
      throw new IllegalArgumentException("OIDC needs a JWKS, an issuer and an audience");
    }
  }

  /** Whether requests need credentials. */
  public boolean enabled() {
    return tokens || oidc;
  }

  /**
   * The settings in a {@code server:} section ({@link dev.quiver.core.load.RepoConfig#server()}); keys
   * of other settings (TLS, listening) are left alone.
   *
   * @param repoRoot what a relative {@code oidc_jwks} file is relative to
   * @throws QuiverException naming the key in quiver.yaml and the fix when a value is wrong
   */
  public static AuthSettings of(Map<String, Object> server, Path repoRoot) {
    Set<String> modes = modes(server.get("auth"));
    boolean tokens = modes.contains("tokens");
    boolean oidc = modes.contains("oidc");
    String rolesClaim = text(server, "oidc_roles_claim").orElse("roles");
    String nameClaim = text(server, "oidc_name_claim").orElse("sub");
    Duration skew = duration(server, "oidc_clock_skew", Duration.ofSeconds(60), Duration.ofMinutes(10));
    Duration cache = duration(server, "token_cache", NONE.tokenCache(), MAX_TOKEN_CACHE);
    if (!oidc) {
      for (String key : List.of("oidc_jwks", "oidc_issuer", "oidc_audience")) {
        if (server.containsKey(key)) {
          throw problem("server." + key + " is set but server.auth does not include oidc; write auth: oidc (or tokens,oidc),"
              + " or remove " + key);
        }
      }
      return new AuthSettings(tokens, false, null, null, null, rolesClaim, nameClaim, skew, cache);
    }
    JwksLocation jwks = jwks(required(server, "oidc_jwks", "the identity provider's JWKS: an https URL or a file"),
        repoRoot);
    String issuer = required(server, "oidc_issuer", "the iss claim your identity provider puts in its tokens");
    String audience = required(server, "oidc_audience", "the aud claim tokens for this server carry");
    return new AuthSettings(tokens, true, jwks, issuer, audience, rolesClaim, nameClaim, skew, cache);
  }

  private static Set<String> modes(Object value) {
    if (value == null) {
      return Set.of();
    }
    List<?> parts = value instanceof List<?> l ? l : List.of(String.valueOf(value).split(","));
    Set<String> modes = new LinkedHashSet<>();
    for (Object part : parts) {
      String m = String.valueOf(part).strip().toLowerCase(Locale.ROOT);
      switch (m) {
        case "tokens", "oidc" -> modes.add(m);
        case "none" -> {
          if (parts.size() > 1) {
            throw problem("server.auth '" + value + "' lists none with other kinds; write none alone, or tokens, oidc or tokens,oidc");
          }
        }
        default -> throw problem("server.auth '" + value + "' is not none, tokens, oidc or tokens,oidc; write e.g. auth: tokens");
      }
    }
    return modes;
  }

  private static JwksLocation jwks(String value, Path repoRoot) {
    if (value.contains("://")) {
      URI uri;
      try {
        uri = URI.create(value);
      } catch (IllegalArgumentException e) {
        throw problem("server.oidc_jwks '" + value + "' is not a URL: " + e.getMessage());
      }
      String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
      boolean loopback = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
      if (uri.getHost() == null || !(scheme.equals("https") || (scheme.equals("http") && loopback))) {
        throw problem("server.oidc_jwks '" + value + "' must be an https URL (http only on localhost), or a file");
      }
      return new JwksLocation(uri, null);
    }
    return new JwksLocation(null, repoRoot.resolve(value).normalize());
  }

  private static String required(Map<String, Object> server, String key, String what) {
    return text(server, key).orElseThrow(() -> problem("server.auth includes oidc but server." + key
        + " is missing; set it to " + what));
  }

  private static Optional<String> text(Map<String, Object> server, String key) {
    Object v = server.get(key);
    if (v == null) {
      return Optional.empty();
    }
    String s = String.valueOf(v).strip();
    if (s.isEmpty()) {
      throw problem("server." + key + " is empty; set a value or remove the key");
    }
    return Optional.of(s);
  }

  private static Duration duration(Map<String, Object> server, String key, Duration dflt, Duration max) {
    Optional<String> text = text(server, key);
    if (text.isEmpty()) {
      return dflt;
    }
    Duration d = Durations.parse(text.get()).orElseThrow(() ->
        problem("server." + key + " '" + text.get() + "' is not a duration; write e.g. 30s or 2m"));
    if (d.isNegative() || d.compareTo(max) > 0) {
      throw problem("server." + key + " '" + text.get() + "' must be between 0s and " + max.toSeconds() + "s");
    }
    return d;
  }

  private static QuiverException problem(String message) {
    return new QuiverException("quiver.yaml: " + message);
  }
}
