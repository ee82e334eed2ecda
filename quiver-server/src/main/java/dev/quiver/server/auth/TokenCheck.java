package dev.quiver.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import dev.quiver.core.security.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks API tokens against the registry's {@link TokenStore}. A lookup by id (found or not) is
 * reused for the cache time, so a busy server reads the registry about once per token per cache time,
 * and a revocation, or a token created since a miss, takes effect within it. Expiry is checked on
 * every request against the clock. Thread-safe.
 */
final class TokenCheck implements CredentialCheck {
  private static final int MAX_CACHED = 100_000;

  private final TokenStore store;
  private final Clock clock;
  private final Cache<String, Optional<ApiToken>> lookups;

  TokenCheck(TokenStore store, Duration cacheTime, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.lookups = Caffeine.newBuilder()
        .expireAfterWrite(cacheTime)
        .maximumSize(MAX_CACHED)
        .ticker(Ticker.systemTicker())
        .build();
  }

  @Override
  public boolean recognizes(String token) {
    return token.startsWith(ApiTokens.PREFIX);
  }

  @Override
  public Principal check(String token) {
    String id = ApiTokens.idOf(token).orElseThrow(() -> new AuthenticationException(
        "malformed API token: it starts with " + ApiTokens.PREFIX + " but is not qvr_<12 letters or digits>_<43 characters>;"
            + " copy the whole token 'quiver tokens create' printed"));
    Optional<ApiToken> found;
    try {
      found = lookups.get(id, store::find);
    } catch (QuiverException e) {
      throw new QuiverException("cannot check API tokens: " + e.getMessage(), e);
    }
    if (found.isEmpty() || !ApiTokens.matches(token, found.get())) {
      throw new AuthenticationException("unknown API token (id " + id + "); check 'quiver tokens list', or create one"
          + " with 'quiver tokens create'");
    }
    ApiToken t = found.get();
    if (t.revoked().isPresent()) {
      throw new AuthenticationException("API token " + id + " (" + t.name() + ") was revoked at " + t.revoked().get());
    }
    if (!t.activeAt(clock.instant())) {
      throw new AuthenticationException("API token " + id + " (" + t.name() + ") expired at " + t.expires().orElseThrow()
          + "; create a new one with 'quiver tokens create'");
    }
    return new Principal(t.name(), t.roles(), "token");
  }

  @Override
  public String kind() {
    return "an API token";
  }
}
