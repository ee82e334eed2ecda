package dev.quiver.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import java.io.IOException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Checks OIDC JWTs with Nimbus JOSE+JWT: signed with RS256 or ES256 only (never {@code none}, never
 * HS*, so a public key cannot be used as an HMAC secret) by a key of the JWKS, with the configured
 * {@code iss} and {@code aud}, within {@code exp} and {@code nbf} give or take the clock skew. A JWKS
 * URL is fetched on first use and cached for five minutes; a token whose {@code kid} the cache lacks
 * makes it fetch again (at most once every 10 seconds), which is how key rotation is picked up. A JWKS
 * file is read once at start.
 *
 * <p>A token that passed is remembered ({@link VerifiedTokens}, up to {@value #MAX_VERIFIED} tokens), so
 * that a client sending the same token with every request pays for one RS256 or ES256 verification,
 * not one per request. It is remembered until its {@code exp} (never past it: after that it is
 * checked again, clock skew and all), and, with a JWKS URL, for no longer than the JWKS cache time
 * (five minutes) after the start of the fetch of the JWKS it was checked against: a key removed
 * from the provider's JWKS stops being accepted within those five minutes, cached tokens included,
 * as without the cache. Failures are not remembered. Thread-safe.
 */
final class JwtCheck implements CredentialCheck {
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");
  private static final long CACHE_MILLIS = 5 * 60_000;
  private static final long REFRESH_TIMEOUT_MILLIS = 15_000;
  private static final long MIN_REFETCH_MILLIS = 10_000;
  private static final int HTTP_TIMEOUT_MILLIS = 5_000;
  static final int MAX_VERIFIED = 10_000;

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final AuthSettings settings;
  private final Clock clock;
  private final LongSupplier keysFetched;
  private final VerifiedTokens verified;

  /**
   * @param keysFetched when the JWKS in use was fetched (epoch millis; the fetch's start), {@link Long#MAX_VALUE}
   *     for keys that never go stale (a file), 0 before the first fetch
   */
  JwtCheck(JWKSource<SecurityContext> keys, LongSupplier keysFetched, AuthSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.keysFetched = keysFetched;
    this.verified = new VerifiedTokens(clock, MAX_VERIFIED);
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(settings.audience()),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
        Set.of("exp", settings.nameClaim()),
        Set.of()) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** The check of {@code settings}' JWKS, with tokens' times read from {@code clock}; a file is read now. */
  static JwtCheck of(AuthSettings settings, Clock clock) {
    AuthSettings.JwksLocation where = settings.jwks();
    JWKSource<SecurityContext> keys;
    LongSupplier fetched;
    if (where.file() != null) {
      fetched = () -> Long.MAX_VALUE;
      try {
        keys = new ImmutableJWKSet<>(JWKSet.load(where.file().toFile()));
      } catch (IOException | ParseException e) {
        throw new QuiverException("quiver.yaml: server.oidc_jwks: cannot read the JWKS file " + where.file() + ": "
            + e.getMessage() + "; point it at your identity provider's JWKS (a JSON object with \"keys\")", e);
      }
    } else {
      try {
        StampedSource fetches = new StampedSource(new URLBasedJWKSetSource<>(where.url().toURL(),
            new DefaultResourceRetriever(HTTP_TIMEOUT_MILLIS, HTTP_TIMEOUT_MILLIS, 1 << 20)), clock);
        fetched = fetches::fetched;
        keys = JWKSourceBuilder.create(fetches)
            .cache(CACHE_MILLIS, REFRESH_TIMEOUT_MILLIS)
            .rateLimited(MIN_REFETCH_MILLIS)
            .retrying(true)
            .build();
      } catch (MalformedURLException e) {
        throw new QuiverException("quiver.yaml: server.oidc_jwks '" + where.url() + "' is not a URL: " + e.getMessage(), e);
      }
    }
    return new JwtCheck(keys, fetched, settings, clock);
  }

  /** The JWKS fetches from the URL, stamped with the start of the last one that succeeded. */
  private static final class StampedSource implements JWKSetSource<SecurityContext> {
    private final JWKSetSource<SecurityContext> fetch;
    private final Clock clock;
    private final AtomicLong fetched = new AtomicLong();

    StampedSource(JWKSetSource<SecurityContext> fetch, Clock clock) {
      this.fetch = fetch;
      this.clock = clock;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refresh, long currentTime, SecurityContext context)
        throws KeySourceException {
      long started = clock.millis();
      JWKSet set = fetch.getJWKSet(refresh, currentTime, context);
      fetched.accumulateAndGet(started, Math::max);
      return set;
    }

    long fetched() {
      return fetched.get();
    }

    @Override
    public void close() throws IOException {
      fetch.close();
    }
  }

  @Override
  public boolean recognizes(String token) {
    return JWT_SHAPE.matcher(token).matches();
  }

  @Override
  public Principal check(String token) {
    Principal known = verified.get(token);
    if (known != null) {
      return known;
    }
    long keysAt = keysFetched.getAsLong(); // read before checking: the keys used are at least this fresh
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new AuthenticationException("the bearer token is not a signed JWT (" + unsecured(token) + ")");
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(alg)) {
      throw new AuthenticationException("the JWT is signed with " + alg + "; this server takes RS256 and ES256 only");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (BadJWTException e) {
      throw new AuthenticationException("the JWT was refused: " + claimProblem(e.getMessage()));
    } catch (BadJOSEException e) {
      String kid = jwt.getHeader().getKeyID();
      throw new AuthenticationException(e.getMessage().contains("no matching key")
          ? "no key of the JWKS (" + settings.jwks() + ") matches the JWT's key id " + (kid == null ? "(none)" : "'" + kid + "'")
          : e.getMessage().contains("Invalid signature") ? "the JWT's signature is not valid" : "the JWT was refused: " + e.getMessage());
    } catch (JOSEException e) {
      throw new AuthenticationException("the JWT could not be checked: " + e.getMessage());
    }
    Principal principal = new Principal(name(claims), roles(claims), "jwt");
    if (keysAt > 0) { // else the JWKS was fetched for this token: the next one is remembered
      Instant until = claims.getExpirationTime().toInstant();
      if (keysAt != Long.MAX_VALUE) {
        Instant stale = Instant.ofEpochMilli(keysAt).plusMillis(CACHE_MILLIS);
        until = until.isBefore(stale) ? until : stale;
      }
      verified.put(token, principal, until);
    }
    return principal;
  }

  /** Tokens remembered now (for tests). */
  long remembered() {
    return verified.size();
  }

  @Override
  public String kind() {
    return "an OIDC JWT";
  }

  private static String unsecured(String token) {
    return token.endsWith(".") || token.split("\\.").length == 2
        ? "unsigned JWTs, alg none, are refused" : "it cannot be parsed";
  }

  /** Nimbus's claim messages, reworded for the user. */
  private String claimProblem(String message) {
    if (message.startsWith("Expired JWT")) {
      return "it has expired (exp is past, beyond the clock skew of " + settings.clockSkew().toSeconds() + " s)";
    }
    if (message.startsWith("JWT before use time")) {
      return "it is not valid yet (nbf is in the future, beyond the clock skew of " + settings.clockSkew().toSeconds() + " s)";
    }
    if (message.startsWith("JWT audience rejected") || message.startsWith("JWT aud claim rejected")) {
      return "wrong audience: the aud claim does not include '" + settings.audience() + "'";
    }
    if (message.startsWith("JWT missing required audience")) {
      return "it has no aud claim; this server needs '" + settings.audience() + "'";
    }
    if (message.contains("iss claim")) {
      return "wrong issuer: iss is not '" + settings.issuer() + "'";
    }
    if (message.startsWith("JWT missing required claims")) {
      return "it lacks a required claim " + message.substring(message.indexOf('['));
    }
    return message;
  }

  private String name(JWTClaimsSet claims) {
    Object v = claim(claims, settings.nameClaim());
    if (!(v instanceof String s) || s.isBlank()) {
      throw new AuthenticationException("the JWT's " + settings.nameClaim() + " claim (server.oidc_name_claim) is not a"
          + " non-empty string");
    }
    return s;
  }

  private Set<String> roles(JWTClaimsSet claims) {
    Object v = claim(claims, settings.rolesClaim());
    Set<String> roles = new LinkedHashSet<>();
    if (v instanceof String s) {
      for (String r : s.strip().split("\\s+")) {
        if (!r.isEmpty()) {
          roles.add(r);
        }
      }
    } else if (v instanceof Collection<?> c) {
      for (Object r : c) {
        if (r instanceof String s && !s.isBlank()) {
          roles.add(s.strip());
        }
      }
    }
    return roles;
  }

  /** The claim of that name, or, when there is none, the nested claim its dots name ({@code realm_access.roles}). */
  private static Object claim(JWTClaimsSet claims, String name) {
    Object direct = claims.getClaim(name);
    if (direct != null || !name.contains(".")) {
      return direct;
    }
    Object at = claims.getClaims();
    for (String part : name.split("\\.")) {
      if (!(at instanceof Map<?, ?> m)) {
        return null;
      }
      at = m.get(part);
    }
    return at;
  }
}
