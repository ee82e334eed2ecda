package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.ConflictException;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.TokenStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every registry store's {@link TokenStore} ({@link RegistryStore#tokens()}) must have,
 * whatever keeps it. A store's test extends this class and says how to open one:
 *
 * <pre>{@code
 * class FileTokenStoreTest extends TokenStoreContract {
 *   @TempDir Path dir;
 *   @Override protected RegistryStore newStore() { return new FileRegistryStore(dir); }
 *   @Override protected RegistryStore reopen() { return new FileRegistryStore(dir); }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #newStore()} once, first, then {@link #reopen()} any number of times while
 * earlier instances are open (as other processes would). Token ids are lower-case letters and digits,
 * as {@code quiver tokens create} makes them; {@link ApiToken} refuses any other, so no store ever
 * receives one. Every store is closed after the test.
 */
public abstract class TokenStoreContract {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final int THREADS = 8;

  private final List<RegistryStore> opened = new ArrayList<>();

  /** A new, empty store. */
  protected abstract RegistryStore newStore();

  /** Another instance over the store {@link #newStore()} made, as another process would open it. */
  protected abstract RegistryStore reopen();

  private TokenStore fresh() {
    RegistryStore s = newStore();
    opened.add(s);
    return s.tokens();
  }

  private TokenStore again() {
    RegistryStore s = reopen();
    opened.add(s);
    return s.tokens();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RegistryStore::close);
  }

  /** A token record as {@code quiver tokens create} writes one (the hash of a made-up token). */
  protected static ApiToken token(String id, String name, Instant created, Optional<Instant> expires, String... roles) {
    byte[] hash = new byte[32];
    for (int i = 0; i < hash.length; i++) {
      hash[i] = (byte) (id.hashCode() * 31 + i);
    }
    return new ApiToken(id, name, Set.of(roles), HexFormat.of().formatHex(hash), created, expires, Optional.empty());
  }

  @Test
  void anEmptyStoreHasNoTokens() {
    TokenStore tokens = fresh();
    assertThat(tokens.list()).isEmpty();
    assertThat(tokens.find("abc123")).isEmpty();
    assertThat(tokens.revoke("abc123", T0)).isFalse();
  }

  @Test
  void aTokenIdOtherThanOneToSixtyFourLowerCaseLettersAndDigitsIsRefused() {
    TokenStore tokens = fresh();
    List<String> bad = List.of("", "Abc", "q_none", "ci-bot", "k3y 1", "caf\u00e9", "a".repeat(65), "../x", "x.json");
    for (String id : bad) {
      assertThatThrownBy(() -> tokens.create(token(id, "bot", T0, Optional.empty(), "reader")))
          .as("id '%s'", id)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("'" + id + "' is not a valid API token id")
          .hasMessageContaining("lower-case letters (a-z) and digits (0-9)");
      assertThat(tokens.find(id)).as("find '%s'", id).isEmpty();
      assertThat(again().revoke(id, T0)).as("revoke '%s'", id).isFalse();
    }
    assertThat(again().list()).isEmpty();

    ApiToken longest = token("z9".repeat(32), "bot", T0, Optional.empty(), "reader");
    ApiToken shortest = token("7", "bot", T0.plusSeconds(1), Optional.empty(), "reader");
    tokens.create(longest);
    tokens.create(shortest);
    assertThat(again().list()).containsExactly(longest, shortest);
  }

  @Test
  void aCreatedTokenIsFoundWithEveryFieldAlsoByAnotherInstance() {
    TokenStore tokens = fresh();
    ApiToken t = token("k3y1d0", "ci-bot", T0, Optional.of(T0.plusSeconds(86_400 * 90)), "reader", "risk-team");
    tokens.create(t);
    assertThat(tokens.find("k3y1d0")).contains(t);
    assertThat(again().find("k3y1d0")).contains(t);
    assertThat(again().list()).containsExactly(t);
  }

  @Test
  void aTokenWithoutExpiryOrRolesRoundTrips() {
    TokenStore tokens = fresh();
    ApiToken t = token("noexp", "svc", T0, Optional.empty());
    tokens.create(t);
    ApiToken found = again().find("noexp").orElseThrow();
    assertThat(found).isEqualTo(t);
    assertThat(found.expires()).isEmpty();
    assertThat(found.roles()).isEmpty();
    assertThat(found.activeAt(T0.plusSeconds(86_400L * 3650))).isTrue();
  }

  @Test
  void theListIsOldestFirstAndHoldsRevokedTokens() {
    TokenStore tokens = fresh();
    tokens.create(token("bbb", "second", T0.plusSeconds(10), Optional.empty(), "r"));
    tokens.create(token("ccc", "third", T0.plusSeconds(20), Optional.empty(), "r"));
    tokens.create(token("aaa", "first", T0, Optional.empty(), "r"));
    assertThat(tokens.revoke("bbb", T0.plusSeconds(30))).isTrue();
    assertThat(again().list()).extracting(ApiToken::id).containsExactly("aaa", "bbb", "ccc");
    assertThat(again().list().get(1).revoked()).contains(T0.plusSeconds(30));
  }

  @Test
  void aSecondTokenOfOneIdIsRefusedAndTheFirstStays() {
    TokenStore tokens = fresh();
    ApiToken first = token("dup", "first", T0, Optional.empty(), "a");
    tokens.create(first);
    assertThatThrownBy(() -> again().create(token("dup", "second", T0.plusSeconds(1), Optional.empty(), "b")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("dup");
    assertThat(tokens.find("dup")).contains(first);
  }

  @Test
  void aRevokedTokenIsInactiveEverywhereAndKeepsItsFirstRevocationTime() {
    TokenStore tokens = fresh();
    ApiToken t = token("rev", "bot", T0, Optional.empty(), "reader");
    tokens.create(t);
    assertThat(tokens.find("rev").orElseThrow().activeAt(T0.plusSeconds(5))).isTrue();
    assertThat(again().revoke("rev", T0.plusSeconds(60))).isTrue();
    ApiToken revoked = tokens.find("rev").orElseThrow();
    assertThat(revoked.revoked()).contains(T0.plusSeconds(60));
    assertThat(revoked.activeAt(T0.plusSeconds(61))).isFalse();
    assertThat(revoked.hash()).isEqualTo(t.hash());
    assertThat(tokens.revoke("rev", T0.plusSeconds(120))).isTrue();
    assertThat(again().find("rev").orElseThrow().revoked()).contains(T0.plusSeconds(60));
  }

  @Test
  void anExpiredTokenIsStoredButInactive() {
    TokenStore tokens = fresh();
    tokens.create(token("exp", "bot", T0, Optional.of(T0.plusSeconds(3600)), "reader"));
    ApiToken t = again().find("exp").orElseThrow();
    assertThat(t.activeAt(T0.plusSeconds(3599))).isTrue();
    assertThat(t.activeAt(T0.plusSeconds(3600))).isFalse();
  }

  @Test
  @Timeout(60)
  void racingCreatorsOfOneIdHaveExactlyOneWinner() throws Exception {
    fresh();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        TokenStore mine = again();
        ApiToken t = token("race", "writer" + i, T0.plusSeconds(i), Optional.empty(), "r" + i);
        Callable<Boolean> create = () -> {
          start.await(10, TimeUnit.SECONDS);
          try {
            mine.create(t);
            return true;
          } catch (ConflictException lost) {
            return false;
          }
        };
        results.add(pool.submit(create));
      }
      int winners = 0;
      for (Future<Boolean> f : results) {
        winners += f.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
      assertThat(again().list()).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(60)
  void racingRevocationsLeaveOneRevocationTime() throws Exception {
    fresh().create(token("many", "bot", T0, Optional.empty(), "r"));
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        TokenStore mine = again();
        Instant at = T0.plusSeconds(100 + i);
        results.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return mine.revoke("many", at);
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
      Instant first = again().find("many").orElseThrow().revoked().orElseThrow();
      assertThat(first).isBetween(T0.plusSeconds(100), T0.plusSeconds(100 + THREADS - 1));
      for (int i = 0; i < 3; i++) {
        assertThat(again().find("many").orElseThrow().revoked()).contains(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
