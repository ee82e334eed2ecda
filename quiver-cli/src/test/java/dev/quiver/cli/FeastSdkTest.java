package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's own Python SDK (0.67, from PyPI) drives a real {@code quiver serve} unchanged, the server being
 * its registry (Feast's remote registry over gRPC) and its online store: the pytest suite in {@code
 * src/test/python} (the registry listed and refused changes, reads with refs and services, short and full names, on-demand
 * features with request data as entity columns, also of a view that reads request data alone, push,
 * write_to_online_store, the SDK's materialize and materialize_incremental, /materialize sync and
 * async, typed errors, unknown fields). Its
 * output goes to the test's output, and a failure's to the assertion message (the Maven log).
 */
class FeastSdkTest {
  private static final int MAX_MESSAGE = 30_000;

  @TempDir Path tmp;

  @Test
  void feastsPythonSdkWorksUnchangedAgainstQuiverServe() throws Exception {
    Path module = Path.of("").toAbsolutePath(); // surefire runs in quiver-cli/
    Path python = FeastVenv.python(module.getParent());
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--start", "2026-01-01", "--rows", "5000").exitCode()).isZero();
    // beside the tour's definitions, an on-demand view that reads request data alone
    java.nio.file.Files.writeString(repo.resolve("features/fees.yaml"), """
        on_demand_views:
          - name: card_fee
            inputs: [request: {amount: float64}]
            features:
              - {name: fee, expr: "round(request.amount * 0.029 + 0.30, 2)"}
        """);
    // a service of plain views (column, aggregate and derived features) for training sets (test_historical.py)
    java.nio.file.Files.writeString(repo.resolve("features/training.yaml"), """
        feature_services:
          - name: spend_model
            version: 1
            features: [user_txn:last_amount, user_txn:amount_avg_30d, user_txn:last_5_amounts, user_txn:online_share_7d,
                       user_profile:credit_limit, merchant_txn:merchant_txn_count_1d]
        """);
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
    // every view but merchant_profile, which the suite materializes with Feast's SDK
    Cli materialized = Cli.run("materialize", "2025-01-01", "2026-04-02", "--repo", repo.toString(),
        "--views", "user_profile,user_txn,merchant_txn");
    assertThat(materialized.exitCode()).as(materialized.toString()).isZero();

    pytest(python, module, repo, module.resolve("src/test/python"), Map.of());
  }

  /**
   * The SDK configured as Feast's docs say for a static token ({@code auth: {type: oidc, token: ...}},
   * or {@code token_env_var}) and a server with TLS from a private CA ({@code cert:} under {@code
   * online_store}) reads from a server with {@code server.auth: tokens} and a TLS certificate; without
   * a token, or with a wrong one, it is refused with the reason, and without the CA it refuses the
   * server ({@code src/test/python/auth_check.py}).
   */
  @Test
  void feastsPythonSdkSendsItsTokenToAServerWithAuthentication() throws Exception {
    Path module = Path.of("").toAbsolutePath();
    Path python = FeastVenv.python(module.getParent());
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--start", "2026-01-01", "--rows", "500").exitCode()).isZero();
    java.time.Instant now = java.time.Instant.now();
    io.netty.pkitesting.X509Bundle ca = new io.netty.pkitesting.CertificateBuilder().ecp256().subject("CN=Test CA")
        .setIsCertificateAuthority(true).notBefore(now.minus(java.time.Duration.ofDays(1)))
        .notAfter(now.plus(java.time.Duration.ofDays(1))).buildSelfSigned();
    io.netty.pkitesting.X509Bundle cert = new io.netty.pkitesting.CertificateBuilder().ecp256().subject("CN=localhost")
        .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().notBefore(now.minus(java.time.Duration.ofDays(1)))
        .notAfter(now.plus(java.time.Duration.ofDays(1))).buildIssuedBy(ca);
    java.nio.file.Files.createDirectories(repo.resolve("certs"));
    java.nio.file.Files.writeString(repo.resolve("certs/server.pem"), cert.getCertificatePathPEM());
    java.nio.file.Files.writeString(repo.resolve("certs/server-key.pem"), cert.getPrivateKeyPEM());
    Path caPem = java.nio.file.Files.writeString(tmp.resolve("ca.pem"), ca.getCertificatePEM());
    java.nio.file.Files.writeString(repo.resolve("quiver.yaml"),
        "server: {auth: tokens, tls_cert: certs/server.pem, tls_key: certs/server-key.pem}\n",
        java.nio.file.StandardOpenOption.APPEND);
    // the token's role may describe and read; auth_check.py reads both permissions back through Feast
    java.nio.file.Files.writeString(repo.resolve("features/permissions.yaml"), """
        permissions:
          - name: readers
            roles: [reader]
            actions: [describe, read_online]
          - name: gold-for-risk
            roles: [risk-team]
            actions: [read_offline]
            resources: {kinds: [feature_view], names: ["user_*"], tags: {tier: gold}}
            description: risk analysts train on the gold views
        """);
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
    Cli materialized = Cli.run("materialize", "2025-01-01", "2026-04-02", "--repo", repo.toString());
    assertThat(materialized.exitCode()).as(materialized.toString()).isZero();
    Cli created = Cli.run("tokens", "create", "--name", "feast-sdk", "--role", "reader", "--output", "json", "--repo",
        repo.toString());
    assertThat(created.exitCode()).as(created.toString()).isZero();
    String token = Json.MAPPER.readTree(created.out()).path("token").asText();
    pytest(python, module, repo, module.resolve("src/test/python/auth_check.py"),
        Map.of("QUIVER_TOKEN", token, "QUIVER_CA", caPem.toString()));
  }

  /**
   * Feast's pulls name a stream source (its {@code KafkaSource}, or the batch source {@code S_files}):
   * they read the source's batch twin, here a copy of the tour's transactions, with no consumer running
   * ({@code src/test/python/stream_twin_pulls.py}).
   */
  @Test
  void feastsPullsOverAStreamSourceReadItsBatchTwin() throws Exception {
    Path module = Path.of("").toAbsolutePath();
    Path python = FeastVenv.python(module.getParent());
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--start", "2026-01-01", "--rows", "3000").exitCode()).isZero();
    java.nio.file.Files.createDirectories(repo.resolve("data/txn_stream"));
    java.nio.file.Files.copy(repo.resolve("data/transactions.parquet"), repo.resolve("data/txn_stream/part-0.parquet"));
    java.nio.file.Files.writeString(repo.resolve("features/stream.yaml"), """
        sources:
          - name: txn_stream
            type: kafka
            brokers: 127.0.0.1:9
            topic: transactions
            timestamp: event_ts
            created: created_ts
            batch: {path: data/txn_stream/*.parquet}
        """);
    Cli applied = Cli.run("apply", "--repo", repo.toString());
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    pytest(python, module, repo, module.resolve("src/test/python/stream_twin_pulls.py"), Map.of());
  }

  /** Serves {@code repo} in a child process and runs pytest on {@code target} against it. */
  private void pytest(Path python, Path module, Path repo, Path target, Map<String, String> env) throws Exception {
    Process server = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--repo", repo.toString(), "--host", "127.0.0.1", "--port", "0", "--grpc-port", "0")
        .redirectErrorStream(true).start();
    StringBuilder serverLog = new StringBuilder();
    try {
      int[] ports = ports(server, serverLog);
      int port = ports[0];
      assertThat(ports[0]).as(serverLog.toString()).isPositive();
      assertThat(ports[1]).as("the gRPC port (Feast's registry); " + serverLog).isPositive();
      List<String> command = new ArrayList<>(List.of(python.toString(), "-m", "pytest", "-p", "no:cacheprovider",
          "-q", "-rfE", "--tb=short", "--disable-warnings", "--basetemp=" + tmp.resolve("pytest"),
          "--rootdir=" + module.resolve("src/test/python"), target.toString()));
      ProcessBuilder pytest = new ProcessBuilder(command);
      pytest.environment().put("QUIVER_URL", (env.containsKey("QUIVER_CA") ? "https" : "http") + "://127.0.0.1:" + port);
      pytest.environment().put("QUIVER_GRPC", "127.0.0.1:" + ports[1]); // Feast's remote registry
      pytest.environment().put("QUIVER_REPO", repo.toString());
      // the quiver command, as this JVM runs it (test_historical.py compares with quiver historical)
      pytest.environment().put("QUIVER_CLI", Json.MAPPER.writeValueAsString(List.of(
          System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
          "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp",
          System.getProperty("java.class.path"), Main.class.getName())));
      pytest.environment().putAll(env);
      pytest.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // nothing written into src/test/python
      pytest.environment().put("FEAST_USAGE", "False");
      long started = System.nanoTime();
      FeastVenv.Run run = FeastVenv.run(pytest, 900);
      System.out.printf("FeastSdkTest: pytest took %.1f s%n", (System.nanoTime() - started) / 1e9);
      assertThat(run.exit()).as("pytest failed; its output:\n%s\n--- the server's log (tail):\n%s", tail(run.output()),
          tail(serverLog(serverLog))).isZero();
    } finally {
      server.destroy(); // SIGTERM: the server stops gracefully
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /**
   * Reads the server's output until it prints its HTTP and gRPC ports ({@code [http, grpc]}, -1 when not
   * printed), then keeps draining it into {@code log}.
   */
  private static int[] ports(Process server, StringBuilder log) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    Pattern http = Pattern.compile("HTTP\\s+https?://127\\.0\\.0\\.1:(\\d+)");
    Pattern grpc = Pattern.compile("gRPC\\s+127\\.0\\.0\\.1:(\\d+)");
    int[] ports = {-1, -1};
    for (String line; ports[1] < 0 && (line = out.readLine()) != null; ) {
      append(log, line);
      Matcher m = http.matcher(line);
      if (m.find()) {
        ports[0] = Integer.parseInt(m.group(1));
      }
      Matcher g = grpc.matcher(line);
      if (g.find()) {
        ports[1] = Integer.parseInt(g.group(1));
      }
    }
    Thread.ofPlatform().daemon().start(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          append(log, line);
        }
      } catch (java.io.IOException e) {
        // the server is gone
      }
    });
    return ports;
  }

  private static void append(StringBuilder log, String line) {
    synchronized (log) {
      log.append(line).append('\n');
    }
  }

  private static String serverLog(StringBuilder log) {
    synchronized (log) {
      return log.toString();
    }
  }

  private static String tail(String text) {
    return text.length() <= MAX_MESSAGE ? text : "..." + text.substring(text.length() - MAX_MESSAGE);
  }
}
