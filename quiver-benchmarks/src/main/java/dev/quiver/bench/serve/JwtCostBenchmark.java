package dev.quiver.bench.serve;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.quiver.server.auth.AuthSettings;
import dev.quiver.server.auth.Authenticator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * The server's CPU per authentication of one RS256 JWT sent again and again, as a client sends its
 * token with every request: the {@link Authenticator} the server builds from {@code auth: oidc} with a
 * JWKS file, timed by the thread's CPU time (so a loaded machine changes it less than wall time).
 *
 * <pre>
 * java -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.serve.JwtCostBenchmark [AUTHENTICATIONS_PER_ROUND (5000)] [ROUNDS (5)]
 * </pre>
 */
public final class JwtCostBenchmark {
  private JwtCostBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("jwt-cost");
    RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
    Files.writeString(dir.resolve("jwks.json"), new JWKSet(key).toPublicJWKSet().toString());
    Authenticator auth = Authenticator.of(AuthSettings.of(Map.of("auth", "oidc", "oidc_jwks", "jwks.json",
        "oidc_issuer", "https://idp.bench/", "oidc_audience", "quiver"), dir), null, Clock.systemUTC());
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k").build(),
        new JWTClaimsSet.Builder().issuer("https://idp.bench/").audience("quiver").subject("bench")
            .claim("roles", List.of("reader")).expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
    jwt.sign(new RSASSASigner(key));
    String header = "Bearer " + jwt.serialize();
    var threads = ManagementFactory.getThreadMXBean();
    System.out.printf("machine: %d cores; JDK %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.runtime.version"), ServeBenchmark.loadAverage());
    for (int round = 0; round < rounds; round++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (auth.authenticate(header).name().isEmpty()) {
          throw new IllegalStateException("no principal");
        }
      }
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      System.out.printf("round %d: %,d authentications of one RS256 JWT: CPU %.1f us each, wall %.1f us each%n", round, n,
          cpu / 1e3 / n, (System.nanoTime() - t0) / 1e3 / n);
    }
    Files.delete(dir.resolve("jwks.json"));
    Files.delete(dir);
  }
}
