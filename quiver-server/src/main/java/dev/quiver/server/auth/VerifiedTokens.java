package dev.quiver.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.quiver.core.security.Principal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * JWTs whose signature and claims were checked, so that a token sent again is not verified again
 * (an RS256 verification costs more than the read it guards). An entry is keyed by the SHA-256 of the
 * whole token (a token differing in any byte, such as another audience, is another entry; the token
 * itself is not kept) and holds the principal and the instant it stops being valid: never later than
 * the token's {@code exp} (without the clock skew), and never later than the caller says (the JWKS
 * it was checked against going stale). Every hit compares that instant with the clock, so an expired
 * token misses even before the cache has dropped its entry. Bounded to {@code maxSize} entries
 * (least recently used go first). Thread-safe.
 */
final class VerifiedTokens {
  private final Clock clock;
  private final Cache<ByteBuffer, Verified> cache;

  private record Verified(Principal principal, Instant until) {}

  VerifiedTokens(Clock clock, int maxSize) {
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxSize)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .expireAfter(Expiry.<ByteBuffer, Verified>creating((k, v) -> {
          Duration left = Duration.between(clock.instant(), v.until());
          return left.isNegative() ? Duration.ZERO : left;
        }))
        .executor(Runnable::run) // evictions on the caller's thread: no background work, and deterministic in tests
        .build();
  }

  /** The principal of {@code token} if it was verified and is still within its validity; null otherwise. */
  Principal get(String token) {
    ByteBuffer key = digest(token);
    Verified v = cache.getIfPresent(key);
    if (v == null) {
      return null;
    }
    if (!clock.instant().isBefore(v.until())) {
      cache.asMap().remove(key, v);
      return null;
    }
    return v.principal();
  }

  /** Remembers that {@code token} stands for {@code principal} until {@code until} (nothing when that is not in the future). */
  void put(String token, Principal principal, Instant until) {
    if (clock.instant().isBefore(until)) {
      cache.put(digest(token), new Verified(principal, until));
    }
  }

  /** Entries held now (after dropping what is due). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  private static ByteBuffer digest(String token) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
