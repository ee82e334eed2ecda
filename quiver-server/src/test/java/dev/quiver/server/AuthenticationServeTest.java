package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import dev.quiver.client.FeatureClient;
import dev.quiver.client.FeatureServerException;
import dev.quiver.client.GrpcFeatureClient;
import dev.quiver.client.HttpFeatureClient;
import dev.quiver.client.OnlineFeaturesRequest;
import dev.quiver.core.QuiverException;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.auth.ApiTokens;
import dev.quiver.server.auth.Jwts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with {@code auth: tokens,oidc}: every route but the probes and every gRPC call needs a
 * valid API token or JWT; without one the answer is 401 with {@code WWW-Authenticate: Bearer} (gRPC
 * {@code UNAUTHENTICATED}) and a message saying what is wrong, never the token; the principal reaches
 * the routes ({@code /whoami}).
 */
class AuthenticationServeTest {
  @TempDir static Path dir;
  static FeatureRepo repo;
  static QuiverServer server;
  static RSAKey key;
  static String token;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String READ = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1, 2]}}";

  @BeforeAll
  static void start() throws Exception {
    key = Jwts.rsa("idp-1");
    Path root = dir.resolve("repo");
    Files.createDirectories(root);
    Files.writeString(root.resolve("jwks.json"), Jwts.jwks(key));
    TestRepo.create(root, """
        online: {type: rocksdb, path: .quiver/online}
        server: {auth: "tokens,oidc", oidc_jwks: jwks.json, oidc_issuer: "%s", oidc_audience: %s, token_cache: 1s}"""
        .formatted(Jwts.ISSUER, Jwts.AUDIENCE));
    repo = FeatureRepo.open(root);
    ApiTokens.Issued issued = ApiTokens.issue("ci-bot", Set.of("reader"), Optional.of(Duration.ofDays(1)), Clock.systemUTC());
    repo.registry().tokens().create(issued.record());
    token = issued.token();
    server = QuiverServer.start(repo, ServerOptions.loopback());
  }

  @AfterAll
  static void stop() {
    server.close();
    repo.close();
  }

  record Reply(int status, String body, Optional<String> challenge) {}

  static Reply send(String method, String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().firstValue("WWW-Authenticate"));
  }

  @Test
  void withoutCredentialsEveryRouteButTheProbesIs401WithAChallengeAndAJsonMessage() throws Exception {
    for (String[] route : List.of(new String[] {"POST", "/get-online-features"}, new String[] {"POST", "/push"},
        new String[] {"POST", "/materialize"}, new String[] {"GET", "/metrics"}, new String[] {"GET", "/whoami"},
        new String[] {"GET", "/api/v1/feature-views"}, new String[] {"GET", "/materialize/status"},
        new String[] {"GET", "/no-such-route"})) {
      Reply r = send(route[0], route[1], route[0].equals("POST") ? READ : null, null);
      assertThat(r.status()).as(route[1]).isEqualTo(401);
      assertThat(r.challenge()).as(route[1]).contains("Bearer realm=\"quiver\"");
      assertThat(r.body()).as(route[1]).contains("no credentials").contains("Authorization: Bearer").contains("unauthenticated");
    }
    assertThat(send("GET", "/health", null, null).status()).isEqualTo(200);
    assertThat(send("GET", "/ready", null, null).status()).isEqualTo(200);
  }

  @Test
  void anApiTokenReadsAndTheRoutesSeeItsPrincipal() throws Exception {
    Reply who = send("GET", "/whoami", null, "Bearer " + token);
    assertThat(who.status()).isEqualTo(200);
    assertThat(Http.JSON.readTree(who.body()).path("name").asText()).isEqualTo("ci-bot");
    assertThat(Http.JSON.readTree(who.body()).path("roles").toString()).isEqualTo("[\"reader\"]");
    assertThat(Http.JSON.readTree(who.body()).path("method").asText()).isEqualTo("token");
    Reply read = send("POST", "/get-online-features", READ, "Bearer " + token);
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    assertThat(read.body()).contains("\"values\":[1.5,3.0]");
    assertThat(send("GET", "/metrics", null, "Bearer " + token).status()).isEqualTo(200);
  }

  @Test
  void aWrongSecretOrAMangledTokenIsRefusedWithoutEchoingIt() throws Exception {
    String wrong = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    Reply r = send("POST", "/get-online-features", READ, "Bearer " + wrong);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.challenge()).contains("Bearer realm=\"quiver\", error=\"invalid_token\"");
    assertThat(r.body()).contains("unknown API token").doesNotContain(wrong.substring(17)).doesNotContain(token.substring(17));
    Reply bare = send("GET", "/whoami", null, token); // the token without 'Bearer '
    assertThat(bare.status()).isEqualTo(401);
    assertThat(bare.body()).contains("does not start with 'Bearer '").doesNotContain(token.substring(17));
  }

  @Test
  void aJwtReadsWithItsSubjectAndRolesAndAnExpiredOneIsTold() throws Exception {
    Reply who = send("GET", "/whoami", null, "Bearer " + Jwts.sign(key));
    assertThat(who.status()).as(who.body()).isEqualTo(200);
    assertThat(who.body()).contains("\"name\":\"alice\"").contains("\"roles\":[\"reader\",\"risk-team\"]")
        .contains("\"method\":\"jwt\"");
    String expired = Jwts.sign(key, b -> b.expirationTime(Date.from(Instant.now().minusSeconds(3600))));
    Reply r = send("POST", "/get-online-features", READ, "Bearer " + expired);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("expired").doesNotContain(expired.split("\\.")[2]);
    Reply wrongAudience = send("GET", "/whoami", null, "Bearer " + Jwts.sign(key, b -> b.audience("other")));
    assertThat(wrongAudience.body()).contains("wrong audience");
  }

  @Test
  void aRevokedTokenIsRefusedWithinTheCacheTime() throws Exception {
    ApiTokens.Issued issued = ApiTokens.issue("short-lived", Set.of(), Optional.empty(), Clock.systemUTC());
    repo.registry().tokens().create(issued.record());
    assertThat(send("GET", "/whoami", null, "Bearer " + issued.token()).status()).isEqualTo(200);
    repo.registry().tokens().revoke(issued.record().id(), Instant.now());
    long revoked = System.nanoTime();
    Reply r;
    do {
      r = send("GET", "/whoami", null, "Bearer " + issued.token());
    } while (r.status() == 200 && System.nanoTime() - revoked < Duration.ofSeconds(5).toNanos());
    double seconds = (System.nanoTime() - revoked) / 1e9;
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("was revoked at");
    assertThat(seconds).as("refused %.2f s after the revocation (token_cache: 1s)", seconds).isLessThan(1.5);
  }

  @Test
  void theJavaClientsSendABearerTokenOverHttpAndGrpc() {
    OnlineFeaturesRequest request = OnlineFeaturesRequest.features("user_stats:amount").entity("user_id", 1L, 2L);
    try (HttpFeatureClient http = FeatureClient.http("http://127.0.0.1:" + server.httpPort());
         GrpcFeatureClient grpc = FeatureClient.grpc("127.0.0.1", server.grpcPort())) {
      assertThatThrownBy(() -> http.getOnlineFeatures(request)).isInstanceOf(FeatureServerException.class)
          .hasMessageContaining("no credentials");
      assertThatThrownBy(() -> grpc.getOnlineFeatures(request)).isInstanceOf(FeatureServerException.class)
          .hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("no credentials");
      assertThat(http.bearerToken(token).getOnlineFeatures(request).column("amount").values()).containsExactly(1.5, 3.0);
      assertThat(grpc.bearerToken(token).getOnlineFeatures(request).column("amount").values()).containsExactly(1.5, 3.0);
      assertThat(grpc.bearerToken(Jwts.sign(key)).serverVersion()).isEqualTo(QuiverServer.VERSION);
      String wrongAudience = Jwts.sign(key, b -> b.audience("other"));
      assertThatThrownBy(() -> grpc.bearerToken(wrongAudience).getOnlineFeatures(request))
          .hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("wrong audience");
      assertThatThrownBy(() -> http.bearerToken("two words")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("two words");
    }
  }

  @Test
  void withoutAuthenticationTheCallerIsAnonymous(@TempDir Path other) throws Exception {
    Path root = TestRepo.rocksdb(other.resolve("open"));
    try (FeatureRepo open = FeatureRepo.open(root); QuiverServer s = QuiverServer.start(open, ServerOptions.loopback())) {
      assertThat(s.authenticates()).isFalse();
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/whoami"))
          .header("Authorization", "Bearer whatever").GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"name\":\"anonymous\"").contains("\"method\":\"none\"");
    }
  }

  @Test
  void aBadAuthSettingStopsTheServerFromStartingWithTheKeyAndFix(@TempDir Path other) throws Exception {
    Path root = other.resolve("bad");
    Files.createDirectories(root);
    TestRepo.create(root, """
        online: {type: rocksdb, path: .quiver/online}
        server: {auth: oidc, oidc_jwks: jwks.json, oidc_audience: quiver}""");
    try (FeatureRepo bad = FeatureRepo.open(root)) {
      assertThatThrownBy(() -> QuiverServer.start(bad, ServerOptions.loopback())).isInstanceOf(QuiverException.class)
          .hasMessageContaining("server.oidc_issuer is missing");
    }
  }
}
