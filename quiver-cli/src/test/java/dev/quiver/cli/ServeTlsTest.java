package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.FeatureClient;
import dev.quiver.client.HttpFeatureClient;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver serve} takes its TLS certificate and key from quiver.yaml's {@code server:} keys. */
class ServeTlsTest {
  @TempDir Path tmp;

  @Test
  void quiverYamlTlsKeysTurnTheServerToHttps() throws Exception {
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "2000", "--start", "2026-01-01").exitCode()).isZero();
    Instant now = Instant.now();
    X509Bundle ca = new CertificateBuilder().ecp256().subject("CN=Test CA").setIsCertificateAuthority(true)
        .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).buildSelfSigned();
    X509Bundle server = new CertificateBuilder().ecp256().subject("CN=localhost").addSanIpAddress("127.0.0.1")
        .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).buildIssuedBy(ca);
    Files.createDirectories(repo.resolve("certs"));
    Files.writeString(repo.resolve("certs/server.pem"), server.getCertificatePathPEM());
    Files.writeString(repo.resolve("certs/server-key.pem"), server.getPrivateKeyPEM());
    Path caPem = Files.writeString(tmp.resolve("ca.pem"), ca.getCertificatePEM());
    Path yaml = repo.resolve("quiver.yaml");
    Files.writeString(yaml, Files.readString(yaml) + "server: {tls_cert: certs/server.pem, tls_key: certs/server-key.pem}\n");
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();

    Process process = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--repo", repo.toString(), "--port", "0", "--grpc-port", "-1")
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Pattern listening = Pattern.compile("HTTP\\s+https://127\\.0\\.0\\.1:(\\d+)");
      int port = -1;
      StringBuilder seen = new StringBuilder();
      for (String line; port < 0 && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = listening.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertThat(port).as(seen.toString()).isPositive();
      try (HttpFeatureClient https = FeatureClient.https(URI.create("https://127.0.0.1:" + port), caPem, Duration.ofSeconds(10))) {
        assertThat(https.serverVersion()).isNotBlank();
      }
      process.destroy();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
  }
}
