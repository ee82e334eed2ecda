package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.quiver.testkit.LocalRedis;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret leaks (issue 20's proof): a repo whose quiver.yaml takes a Redis password from {@code
 * ${ENV}}, an OIDC audience from {@code ${file:}}, a PostgreSQL registry password from {@code ${file:}},
 * with a TLS key and API tokens, driven through real {@code quiver} processes (every log line they
 * write: the root handler's console output) and a real HTTPS server: successes and failures (bad
 * tokens, a JWT for another audience, bad requests, Redis stopped, the registry unreachable), describe,
 * plan, /api/v1, /metrics, the audit log. Nothing captured holds a secret; the capture is large enough
 * not to pass vacuously. The one place a token is meant to show, {@code quiver tokens create}'s own
 * output, is the only output left out.
 */
class SecretsNeverLeakTest {
  @TempDir Path tmp;

  final String redisPassword = "redis-pw-" + UUID.randomUUID();
  final String audience = "aud-" + UUID.randomUUID();
  final String registryPassword = "pg-pw-" + UUID.randomUUID();
  final Map<String, String> env = Map.of("QUIVER_TEST_REDIS_PASSWORD", redisPassword);
  final List<String> captured = new ArrayList<>();
  final List<String> secrets = new ArrayList<>();

  record Run(int exit, String output) {}

  private List<String> command(Path repo, String... args) {
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--repo", repo.toString()));
    return cmd;
  }

  private ProcessBuilder process(Path repo, String... args) {
    ProcessBuilder b = new ProcessBuilder(command(repo, args)).redirectErrorStream(true);
    b.environment().putAll(env);
    return b;
  }

  /** Runs one quiver command as a process; its output (log lines included) is captured. */
  private Run quiver(Path repo, String... args) throws Exception {
    Process p = process(repo, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    captured.add("$ quiver " + String.join(" ", args) + "\n" + out);
    return new Run(p.exitValue(), out);
  }

  private static void expect(Run r, boolean ok) {
    if (ok) {
      assertThat(r.exit()).as(r.output()).isZero();
    } else {
      assertThat(r.exit()).as(r.output()).isNotZero();
    }
  }

  @Test
  void noSecretReachesALogLineAnErrorBodyOrCliOutput() throws Exception {
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "2000", "--start", "2026-01-01").exitCode()).isZero();
    LocalRedis redis = LocalRedis.startWithPassword(redisPassword);
    try {
      Instant now = Instant.now();
      X509Bundle ca = new CertificateBuilder().ecp256().subject("CN=Test CA").setIsCertificateAuthority(true)
          .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).buildSelfSigned();
      X509Bundle cert = new CertificateBuilder().ecp256().subject("CN=localhost").addSanIpAddress("127.0.0.1")
          .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).buildIssuedBy(ca);
      Files.createDirectories(repo.resolve("certs"));
      Files.createDirectories(repo.resolve("secrets"));
      Files.writeString(repo.resolve("certs/server.pem"), cert.getCertificatePathPEM());
      String keyPem = cert.getPrivateKeyPEM();
      Files.writeString(repo.resolve("certs/server-key.pem"), keyPem);
      keyPem.lines().filter(l -> !l.startsWith("-----") && l.length() >= 16).forEach(secrets::add);
      Files.writeString(repo.resolve("secrets/oidc-audience"), audience + "\n");
      Files.writeString(repo.resolve("secrets/pg-password"), registryPassword + "\n");
      RSAKey key = new RSAKeyGenerator(2048).keyID("idp-1").generate();
      Files.writeString(repo.resolve("jwks.json"), new JWKSet(key).toPublicJWKSet().toString());
      Path yaml = repo.resolve("quiver.yaml");
      String original = Files.readString(yaml);
      String withSecrets = original.replace("""
          online:
            type: rocksdb              # the embedded online store
            path: .quiver/online
          """, """
          online: {type: redis, url: "redis://127.0.0.1:%d", password: "${QUIVER_TEST_REDIS_PASSWORD}", connect_timeout: 10s, command_timeout: 10s}
          server: {auth: "tokens,oidc", oidc_jwks: jwks.json, oidc_issuer: "https://idp.test/", oidc_audience: "${file:secrets/oidc-audience}",
                   tls_cert: certs/server.pem, tls_key: certs/server-key.pem}
          """.formatted(redis.port()));
      assertThat(withSecrets).isNotEqualTo(original);
      Files.writeString(yaml, withSecrets);
      secrets.addAll(List.of(redisPassword, audience, registryPassword));

      expect(quiver(repo, "apply", "-m", "first"), true);
      expect(quiver(repo, "materialize", "2000-01-01", "2026-04-01"), true);
      Process create = process(repo, "tokens", "create", "--name", "reader-app", "--role", "reader").start();
      String created = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(create.waitFor(120, TimeUnit.SECONDS)).isTrue();
      Matcher t = Pattern.compile("(qvr_[A-Za-z0-9]{12}_[A-Za-z0-9_-]+)").matcher(created);
      assertThat(t.find()).as(created).isTrue();
      String token = t.group(1);
      secrets.add(token.substring(17)); // its secret part (this command's output, where it is meant to show, is not captured)
      expect(quiver(repo, "tokens", "list"), true);
      expect(quiver(repo, "describe", "user_txn"), true);
      expect(quiver(repo, "plan"), true);
      assertThat(quiver(repo, "online", "--features", "user_txn:last_amount", "--entity", "user_id=1,2").output()).isNotBlank();

      serve(repo, ca, key, token, redis);

      expect(quiver(repo, "audit", "log", "--since", "1h", "--output", "json"), true);
      // the registry unreachable, its password from a file: every command says so without it
      Files.writeString(yaml, withSecrets.replace("""
          registry:
            type: file                 # the embedded default; versions live under .quiver/registry
            path: .quiver/registry
          """, """
          registry: {type: postgres, url: "jdbc:postgresql://127.0.0.1:%d/features", user: quiver, password: "${file:secrets/pg-password}"}
          """.formatted(LocalRedis.freePort(false))));
      expect(quiver(repo, "describe", "user_txn"), false);
      expect(quiver(repo, "plan"), false);
      expect(quiver(repo, "audit", "log"), false);
      expect(quiver(repo, "serve", "--port", "0"), false);
    } finally {
      redis.close();
    }

    String all = String.join("\n", captured);
    assertThat(all.lines().count()).as("a capture this small proves nothing:\n" + all).isGreaterThan(60);
    assertThat(all).as("the capture saw the server's log and the failures")
        .contains("WARNING", "request to /get-online-features failed", "unauthenticated", "postgres");
    Files.writeString(Path.of("target", "secrets-never-leak-capture.txt"), all); // to read when this fails
    for (String s : secrets) {
      int at = all.indexOf(s);
      assertThat(at).as("a secret leaked: ..." + (at < 0 ? "" : all.substring(Math.max(0, at - 400), Math.min(all.length(),
          at + 100)).replace(s, "<SECRET>")) + "...").isNegative();
    }
    assertThat(all).contains("***"); // what would have shown them shows the mask instead
  }

  /** A server over HTTPS with authentication: reads, refusals, the catalogue, /metrics, Redis stopped. */
  private void serve(Path repo, X509Bundle ca, RSAKey key, String token, LocalRedis redis) throws Exception {
    Process server = process(repo, "serve", "--port", "0", "--grpc-port", "-1").start();
    StringBuffer out = new StringBuffer();
    CountDownLatch listening = new CountDownLatch(1);
    AtomicInteger port = new AtomicInteger(-1);
    Thread reader = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        Pattern p = Pattern.compile("HTTP\\s+https://127\\.0\\.0\\.1:(\\d+)");
        for (String line; (line = r.readLine()) != null; ) {
          out.append(line).append('\n');
          Matcher m = p.matcher(line);
          if (m.find()) {
            port.set(Integer.parseInt(m.group(1)));
            listening.countDown();
          }
        }
      } catch (java.io.IOException e) {
        out.append("(reading the output failed: ").append(e.getMessage()).append(")\n");
      } finally {
        listening.countDown();
      }
    });
    try {
      assertThat(listening.await(120, TimeUnit.SECONDS)).isTrue();
      assertThat(port.get()).as(out.toString()).isPositive();
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.getCertificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      String jwt = jwt(key, audience);
      String otherAudience = jwt(key, "someone-else");
      secrets.add(jwt.split("\\.")[2]);
      try (HttpClient http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build()) {
        String base = "https://127.0.0.1:" + port.get();
        String read = "{\"features\": [\"user_txn:last_amount\"], \"entities\": {\"user_id\": [1, 2]}}";
        Map<String, Integer> statuses = new HashMap<>();
        record Call(String method, String path, String body, String authorization) {}
        List<Call> calls = List.of(
            new Call("GET", "/health", null, null),
            new Call("GET", "/whoami", null, "Bearer " + token),
            new Call("GET", "/whoami", null, "Bearer " + jwt),
            new Call("POST", "/get-online-features", read, "Bearer " + token),
            new Call("POST", "/get-online-features", read, "Bearer " + jwt),
            new Call("POST", "/get-online-features", read, null),
            new Call("POST", "/get-online-features", read, "Bearer " + token.substring(0, 20) + "x" + token.substring(21)),
            new Call("POST", "/get-online-features", read, "Bearer " + otherAudience),
            new Call("POST", "/get-online-features", read, token),
            new Call("POST", "/get-online-features", "{not json", "Bearer " + token),
            new Call("POST", "/get-online-features", "{\"features\": [\"nope:x\"], \"entities\": {\"user_id\": [1]}}", "Bearer " + token),
            new Call("POST", "/push", "{\"push_source_name\": \"transactions\", \"df\": {}}", "Bearer " + token),
            new Call("POST", "/materialize", "{\"start_ts\": \"2026-01-01T00:00:00Z\"}", "Bearer " + jwt),
            new Call("GET", "/api/v1/registry", null, "Bearer " + token),
            new Call("GET", "/api/v1/feature-views", null, "Bearer " + jwt),
            new Call("GET", "/api/v1/permissions", null, "Bearer " + jwt),
            new Call("GET", "/metrics", null, "Bearer " + token),
            new Call("GET", "/ready", null, null));
        List<Call> all = new ArrayList<>(calls);
        all.add(null); // Redis stops here
        all.addAll(calls);
        for (Call c : all) {
          if (c == null) {
            redis.stop();
            continue;
          }
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + c.path())).timeout(Duration.ofSeconds(60))
              .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()));
          if (c.authorization() != null) {
            b.header("Authorization", c.authorization());
          }
          HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
          captured.add(c.method() + " " + c.path() + " -> " + r.statusCode() + " " + r.headers().map() + "\n" + r.body());
          statuses.merge(r.statusCode() / 100 + "xx", 1, Integer::sum);
        }
        assertThat(statuses).as("successes and failures both").containsKeys("2xx", "4xx", "5xx");
      }
    } finally {
      server.destroy();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
      captured.add("$ quiver serve\n" + out);
    }
  }

  private static String jwt(RSAKey key, String audience) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer("https://idp.test/").audience(audience).subject("alice")
            .claim("roles", List.of("reader")).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600))).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
