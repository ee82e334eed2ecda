package dev.quiver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiTokensTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T10:00:00.5Z"), ZoneOffset.UTC);

  @Test
  void aTokenCarriesItsIdAndARandomSecretAndOnlyItsHashIsStored() {
    ApiTokens.Issued issued = ApiTokens.issue("ci-bot", Set.of("reader"), Optional.of(Duration.ofDays(90)), CLOCK);
    String token = issued.token();
    assertThat(token).matches("qvr_[a-z0-9]{12}_[A-Za-z0-9_-]{43}");
    assertThat(ApiTokens.idOf(token)).contains(issued.record().id());
    assertThat(issued.record().hash()).hasSize(64).isEqualTo(ApiTokens.hash(token)).doesNotContain(token.substring(17));
    assertThat(issued.record().created()).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
    assertThat(issued.record().expires()).contains(Instant.parse("2026-04-01T10:00:00Z"));
    assertThat(issued.toString()).doesNotContain(token);
    assertThat(ApiTokens.matches(token, issued.record())).isTrue();
    char last = token.charAt(token.length() - 1); // one of 16 characters (the last 4 bits of the secret)
    String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'E' : 'A');
    assertThat(ApiTokens.matches(altered, issued.record())).isFalse();
  }

  @Test
  void theKnownSha256OfAString() {
    assertThat(ApiTokens.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void tokensDoNotRepeat() {
    Set<String> ids = new HashSet<>();
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      ApiTokens.Issued t = ApiTokens.issue("x", Set.of(), Optional.empty(), CLOCK);
      ids.add(t.record().id());
      tokens.add(t.token());
    }
    assertThat(ids).hasSize(2000);
    assertThat(tokens).hasSize(2000);
  }

  @Test
  void otherShapesAreNotApiTokens() {
    assertThat(ApiTokens.idOf("qvr_short_x")).isEmpty();
    assertThat(ApiTokens.idOf("eyJhbGciOi.eyJzdWIi.sig")).isEmpty();
  }
}
