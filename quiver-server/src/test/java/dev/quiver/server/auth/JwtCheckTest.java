package dev.quiver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OIDC JWTs against a JWKS file and a JWKS URL (a JDK HttpServer): each way a token can be wrong. */
class JwtCheckTest {
  static RSAKey rsa;
  static ECKey ec;
  static RSAKey stranger;
  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    rsa = Jwts.rsa("rsa-1");
    ec = Jwts.ec("ec-1");
    stranger = Jwts.rsa("rsa-1"); // same kid, other key: a forged signature
  }

  private Authenticator fromFile(Map<String, Object> extra) throws Exception {
    Files.writeString(dir.resolve("jwks.json"), Jwts.jwks(rsa, ec));
    Map<String, Object> server = new java.util.HashMap<>(Map.of("auth", "oidc", "oidc_jwks", "jwks.json",
        "oidc_issuer", Jwts.ISSUER, "oidc_audience", Jwts.AUDIENCE));
    server.putAll(extra);
    return Authenticator.of(AuthSettings.of(server, dir), null, Clock.systemUTC());
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  private static void refused(Authenticator auth, String token, String why) {
    assertThatThrownBy(() -> auth.authenticate(bearer(token)))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token).doesNotContain(token.split("\\.")[1]));
  }

  @Test
  void aGoodRs256OrEs256TokenGivesItsSubjectAndRoles() throws Exception {
    Authenticator auth = fromFile(Map.of());
    assertThat(auth.authenticate(bearer(Jwts.sign(rsa)))).isEqualTo(new Principal("alice", Set.of("reader", "risk-team"), "jwt"));
    assertThat(auth.authenticate("bearer  " + Jwts.sign(ec)).name()).isEqualTo("alice");
  }

  @Test
  void expiredNotYetValidWrongIssuerWrongAudienceAreEachNamed() throws Exception {
    Authenticator auth = fromFile(Map.of());
    Instant now = Instant.now();
    refused(auth, Jwts.sign(rsa, b -> b.expirationTime(Date.from(now.minusSeconds(120)))), "expired");
    refused(auth, Jwts.sign(rsa, b -> b.notBeforeTime(Date.from(now.plusSeconds(600)))), "not valid yet");
    refused(auth, Jwts.sign(rsa, b -> b.issuer("https://evil.test/")), "wrong issuer");
    refused(auth, Jwts.sign(rsa, b -> b.audience("someone-else")), "wrong audience");
    refused(auth, Jwts.sign(rsa, b -> b.expirationTime(null)), "lacks a required claim");
  }

  @Test
  void theClockSkewForgivesASlightlyExpiredToken() throws Exception {
    Instant now = Instant.now();
    String lately = Jwts.sign(rsa, b -> b.expirationTime(Date.from(now.minusSeconds(30))));
    assertThat(fromFile(Map.of()).authenticate(bearer(lately)).name()).isEqualTo("alice"); // 60 s by default
    refused(fromFile(Map.of("oidc_clock_skew", "10s")), lately, "expired");
  }

  @Test
  void unknownKidBadSignatureAlgNoneAndHmacWithThePublicKeyAreRefused() throws Exception {
    Authenticator auth = fromFile(Map.of());
    refused(auth, Jwts.sign(Jwts.rsa("other-kid")), "no key of the JWKS");
    refused(auth, Jwts.sign(stranger), "signature is not valid");
    refused(auth, Jwts.unsigned(), "alg none");
    refused(auth, Jwts.hmacWithPublicKey(rsa), "signed with HS256");
  }

  @Test
  void rolesComeFromAConfiguredClaimAsAListOrSpaceSeparatedAndTheNameFromAnother() throws Exception {
    Authenticator groups = fromFile(Map.of("oidc_roles_claim", "groups", "oidc_name_claim", "email"));
    String spaced = Jwts.sign(rsa, b -> b.claim("groups", "analysts  admins").claim("email", "alice@example.com"));
    assertThat(groups.authenticate(bearer(spaced))).isEqualTo(new Principal("alice@example.com", Set.of("analysts", "admins"), "jwt"));
    Authenticator nested = fromFile(Map.of("oidc_roles_claim", "realm_access.roles"));
    String keycloak = Jwts.sign(rsa, b -> b.claim("realm_access", Map.of("roles", List.of("ops"))));
    assertThat(nested.authenticate(bearer(keycloak)).roles()).containsExactly("ops");
    refused(groups, Jwts.sign(rsa), "lacks a required claim"); // no email claim
  }

  @Test
  void missingOrOtherSchemesSayWhatToSendAndNeverEchoTheValue() throws Exception {
    Authenticator auth = fromFile(Map.of());
    assertThatThrownBy(() -> auth.authenticate(null)).hasMessageContaining("no credentials")
        .hasMessageContaining("Authorization: Bearer");
    assertThatThrownBy(() -> auth.authenticate("Basic YWxpY2U6c2VjcmV0")).hasMessageContaining("scheme 'Basic'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("YWxpY2U6c2VjcmV0"));
    String bare = Jwts.sign(rsa);
    assertThatThrownBy(() -> auth.authenticate(bare)).hasMessageContaining("does not start with 'Bearer '")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(bare.substring(0, 10)));
    assertThatThrownBy(() -> auth.authenticate("Bearer qvr_abcdefabcdef_" + "x".repeat(43)))
        .hasMessageContaining("neither an OIDC JWT").hasMessageContaining("server.auth");
  }

  @Test
  void aJwksUrlIsFetchedOnceCachedAndFetchedAgainForAnUnknownKid() throws Exception {
    RSAKey first = Jwts.rsa("k1");
    RSAKey second = Jwts.rsa("k2");
    AtomicReference<String> published = new AtomicReference<>(Jwts.jwks(first));
    AtomicInteger fetches = new AtomicInteger();
    HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    idp.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    idp.start();
    try {
      String url = "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json";
      Authenticator auth = Authenticator.of(AuthSettings.of(Map.of("auth", "oidc", "oidc_jwks", url,
          "oidc_issuer", Jwts.ISSUER, "oidc_audience", Jwts.AUDIENCE), dir), null, Clock.systemUTC());
      assertThat(fetches).hasValue(0); // fetched on first use, not at start
      for (int i = 0; i < 20; i++) {
        assertThat(auth.authenticate(bearer(Jwts.sign(first))).name()).isEqualTo("alice");
      }
      assertThat(fetches).hasValue(1);
      // the provider rotates to a new key; the first token signed with it makes the server fetch again
      published.set(Jwts.jwks(second));
      Thread.sleep(10_100); // past the minimum time between fetches (10 s)
      assertThat(auth.authenticate(bearer(Jwts.sign(second))).name()).isEqualTo("alice");
      assertThat(fetches).hasValue(2);
      refused(auth, Jwts.sign(Jwts.rsa("k3")), "no key of the JWKS (" + url + ")");
    } finally {
      idp.stop(0);
    }
  }

  @Test
  void badSettingsNameTheKeyAndTheFix() {
    assertThatThrownBy(() -> AuthSettings.of(Map.of("auth", "oidc"), dir)).isInstanceOf(QuiverException.class)
        .hasMessage("quiver.yaml: server.auth includes oidc but server.oidc_jwks is missing; set it to the identity"
            + " provider's JWKS: an https URL or a file");
    assertThatThrownBy(() -> AuthSettings.of(Map.of("auth", "password"), dir)).hasMessageContaining("server.auth 'password'");
    assertThatThrownBy(() -> AuthSettings.of(Map.of("auth", "oidc", "oidc_jwks", "http://idp.example.com/jwks",
        "oidc_issuer", "x", "oidc_audience", "y"), dir)).hasMessageContaining("must be an https URL");
    assertThatThrownBy(() -> AuthSettings.of(Map.of("auth", "tokens", "oidc_issuer", "x"), dir))
        .hasMessageContaining("server.oidc_issuer is set but server.auth does not include oidc");
    assertThatThrownBy(() -> Authenticator.of(AuthSettings.of(Map.of("auth", "oidc", "oidc_jwks", "missing.json",
        "oidc_issuer", "x", "oidc_audience", "y"), dir), null, Clock.systemUTC()))
        .hasMessageContaining("cannot read the JWKS file");
    assertThat(AuthSettings.of(Map.of(), dir).enabled()).isFalse();
    assertThat(AuthSettings.of(Map.of("auth", "none"), dir).enabled()).isFalse();
    assertThat(AuthSettings.of(Map.of("auth", List.of("tokens")), dir).tokens()).isTrue();
  }
}
