package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver serve} as a real process: it serves the repo over HTTP and stops cleanly on SIGTERM. */
class ServeCommandTest {
  @TempDir Path tmp;

  @Test
  void servesTheRepoAndStopsOnSigterm() throws Exception {
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "5000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
    assertThat(Cli.run("materialize", "2025-01-01", "2026-03-15", "--repo", repo.toString()).exitCode()).isZero();
    Process server = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--repo", repo.toString(), "--host", "127.0.0.1", "--port", "0", "--grpc-port", "-1")
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      Pattern listening = Pattern.compile("HTTP\\s+http://127\\.0\\.0\\.1:(\\d+)");
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
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get-online-features"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"features\": [\"user_profile:home_country\"], \"entities\": {\"user_id\": [1, 2]}}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"feature_names\":[\"user_id\",\"home_country\"]", "PRESENT");
      }
      server.destroy(); // SIGTERM
      assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
      assertThat(server.exitValue()).isIn(0, 143);
    } finally {
      server.destroyForcibly();
    }
  }
}
