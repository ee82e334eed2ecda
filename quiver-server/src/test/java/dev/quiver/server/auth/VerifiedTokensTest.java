package dev.quiver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache of verified JWTs: a token sent again is not verified again, yet an expired token, a token
 * checked against a stale JWKS, and any other token (another audience, a changed signature) are
 * checked in full. Verifications are counted at the key source, which every full check consults.
 */
class VerifiedTokensTest {
  static RSAKey rsa;
  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    rsa = Jwts.rsa("rsa-1");
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final MovingClock clock = new MovingClock();
  private final AtomicInteger keyLookups = new AtomicInteger();

  private JwtCheck check(long keysFetched) {
    JWKSource<SecurityContext> keys = new ImmutableJWKSet<>(new JWKSet(rsa.toPublicJWK()));
    JWKSource<SecurityContext> counted = (selector, context) -> {
      keyLookups.incrementAndGet();
      return keys.get(selector, context);
    };
    AuthSettings settings = AuthSettings.of(Map.of("auth", "oidc", "oidc_jwks", "jwks.json", "oidc_issuer", Jwts.ISSUER,
        "oidc_audience", Jwts.AUDIENCE), dir);
    return new JwtCheck(counted, () -> keysFetched, settings, clock);
  }

  private String token(Duration life) {
    Instant now = clock.instant();
    return Jwts.sign(rsa, b -> b.issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5)))
        .expirationTime(Date.from(now.plus(life))));
  }

  @Test
  void aTokenSentAgainIsNotVerifiedAgain() {
    JwtCheck check = check(Long.MAX_VALUE);
    String t = token(Duration.ofMinutes(10));
    Principal first = check.check(t);
    for (int i = 0; i < 50; i++) {
      assertThat(check.check(t)).isEqualTo(first);
    }
    assertThat(keyLookups).hasValue(1);
    assertThat(first).isEqualTo(new Principal("alice", Set.of("reader", "risk-team"), "jwt"));
  }

  @Test
  void anExpiredTokenIsRefusedEvenThoughItsEarlierUseWasCached() {
    JwtCheck check = check(Long.MAX_VALUE);
    String t = token(Duration.ofMinutes(2));
    check.check(t);
    clock.advance(Duration.ofSeconds(119));
    check.check(t);
    assertThat(keyLookups).as("a hit until just before exp").hasValue(1);
    // at exp the entry is gone: the token is checked in full again (the clock skew, 60 s, still forgives it) and not kept
    clock.advance(Duration.ofSeconds(1));
    assertThat(check.check(t).name()).isEqualTo("alice");
    check.check(t);
    assertThat(keyLookups).hasValue(3);
    // past exp and the skew: refused, whatever was cached before
    clock.advance(Duration.ofSeconds(61));
    assertThatThrownBy(() -> check.check(t)).isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
  }

  @Test
  void anotherTokenNeverHitsTheEntryOfACachedOne() {
    JwtCheck check = check(Long.MAX_VALUE);
    String good = token(Duration.ofMinutes(10));
    check.check(good);
    Instant now = clock.instant();
    String otherAudience = Jwts.sign(rsa, b -> b.audience("someone-else").issueTime(Date.from(now))
        .notBeforeTime(Date.from(now.minusSeconds(5))).expirationTime(Date.from(now.plusSeconds(600))));
    assertThatThrownBy(() -> check.check(otherAudience)).hasMessageContaining("wrong audience");
    // the cached token's header and claims with another signature (its last character changed)
    char last = good.charAt(good.length() - 1);
    String forged = good.substring(0, good.length() - 1) + (last == 'A' ? 'Q' : 'A');
    assertThatThrownBy(() -> check.check(forged)).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("signature is not valid");
    assertThatThrownBy(() -> check.check(forged)).hasMessageContaining("signature is not valid"); // failures are not cached
    assertThat(check.check(good).name()).isEqualTo("alice");
  }

  @Test
  void aTokenCheckedAgainstAJwksIsKeptNoLongerThanTheJwksCacheTimeAfterItsFetch() {
    long fetched = clock.millis() - Duration.ofMinutes(4).toMillis(); // the JWKS in use is 4 minutes old
    JwtCheck check = check(fetched);
    String t = token(Duration.ofHours(1));
    check.check(t);
    clock.advance(Duration.ofSeconds(59));
    check.check(t);
    assertThat(keyLookups).hasValue(1);
    clock.advance(Duration.ofSeconds(1)); // 5 minutes after the JWKS was fetched: checked against the keys again
    check.check(t);
    assertThat(keyLookups).hasValue(2);
  }

  @Test
  void beforeTheFirstJwksFetchNothingIsKept() {
    JwtCheck check = check(0);
    String t = token(Duration.ofHours(1));
    check.check(t);
    check.check(t);
    assertThat(keyLookups).hasValue(2);
    assertThat(check.remembered()).isZero();
  }

  @Test
  void theCacheIsBounded() {
    VerifiedTokens cache = new VerifiedTokens(clock, 100);
    Principal p = new Principal("alice", Set.of(), "jwt");
    for (int i = 0; i < 1_000; i++) {
      cache.put("token-" + i, p, clock.instant().plusSeconds(60));
    }
    assertThat(cache.size()).isLessThanOrEqualTo(100);
    long hits = 0;
    for (int i = 0; i < 1_000; i++) {
      hits += cache.get("token-" + i) == null ? 0 : 1;
    }
    assertThat(hits).isBetween(1L, 100L);
    cache.put("past", p, clock.instant());
    assertThat(cache.get("past")).isNull();
    assertThat(JwtCheck.MAX_VERIFIED).isEqualTo(10_000);
  }

  @Test
  void entriesAreDroppedAtTheirTime() {
    VerifiedTokens cache = new VerifiedTokens(clock, 100);
    Principal p = new Principal("alice", Set.of(), "jwt");
    cache.put("a", p, clock.instant().plusSeconds(10));
    cache.put("b", p, clock.instant().plusSeconds(30));
    clock.advance(Duration.ofSeconds(10));
    assertThat(cache.get("a")).isNull();
    assertThat(cache.get("b")).isEqualTo(p);
    clock.advance(Duration.ofSeconds(20));
    assertThat(cache.get("b")).isNull();
    assertThat(cache.size()).isZero();
  }
}
