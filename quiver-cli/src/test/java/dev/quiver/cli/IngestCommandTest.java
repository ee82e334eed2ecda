package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.testkit.KafkaBroker;
import dev.quiver.testkit.StreamRepo;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver ingest} from the command line against a real Kafka broker (KRaft, in this JVM):
 * {@code --until-caught-up} consumes a topic to its end and stops, {@code quiver online} then serves the
 * events, the twin holds them; bad arguments are one-line errors naming the fix.
 */
class IngestCommandTest {
  static KafkaBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = new KafkaBroker();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  /** A repo whose kafka source txns reads {@code topic} on {@code brokers}; the twin starts with an empty file. */
  Path repo(String brokers, String topic) throws Exception {
    Path repo = StreamRepo.at(tmp.resolve("repo"), brokers, topic)
        .withMoreSources("- {name: profiles, path: data/profiles.parquet, timestamp: ts}")
        .withViews("""
            feature_views:
              - name: user_last
                entities: [user]
                source: txns
                features:
                  - {name: amount}
              - name: user_profile
                entities: [user]
                source: profiles
                features:
                  - {name: tier}
            """)
        .withHistory("SELECT 0::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS ts, 0.0::DOUBLE AS amount WHERE false")
        .withParquet("data/profiles.parquet", "SELECT 1::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS ts, 'gold' AS tier")
        .write();
    Cli apply = Cli.run("apply", "--repo", repo.toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    return repo;
  }

  @Test
  void ingestUntilCaughtUpThenOnlineServesTheEvents() throws Exception {
    broker.createTopic("cli-txns", 2);
    List<Map.Entry<Integer, String>> values = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      int user = 1 + i % 3;
      Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * i);
      values.add(Map.entry(user % 2, "{\"user_id\": " + user + ", \"ts\": \"" + t + "\", \"amount\": " + i + "}"));
    }
    values.add(Map.entry(0, "not json"));
    broker.produce("cli-txns", values);
    Path repo = repo(broker.bootstrap(), "cli-txns");

    Cli ingest = Cli.run("ingest", "--repo", repo.toString(), "--until-caught-up");
    assertThat(ingest.exitCode()).as(ingest.toString()).isZero();
    assertThat(ingest.err()).as(ingest.toString()).contains("ingest txns: 30 events, 1 skipped, lag 0, running");

    Cli online = Cli.run("online", "--repo", repo.toString(), "--features", "user_last:amount", "--entity", "user_id=1,2,3",
        "--output", "json");
    assertThat(online.exitCode()).as(online.toString()).isZero();
    JsonNode results = new ObjectMapper().readTree(online.out()).path("results");
    assertThat(results.get(1).path("values").toString()).isEqualTo("[27.0,28.0,29.0]");
    try (Stream<Path> files = Files.list(repo.resolve("data/txns"))) {
      assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("stream-p00000-"))
          .anyMatch(n -> n.startsWith("stream-p00001-"));
    }

    Cli again = Cli.run("ingest", "--repo", repo.toString(), "--until-caught-up");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.err()).as("resumed from the committed offsets").contains("ingest txns: 0 events, 0 skipped, lag 0");
  }

  @Test
  void badArgumentsAreOneLineErrorsNamingTheFix() throws Exception {
    Path repo = repo(broker.bootstrap(), "cli-unused");
    String r = repo.toString();
    assertOneLineError(Cli.run("ingest", "--repo", r, "--from", "yesterday"),
        "error: --from must be earliest, latest or committed, not 'yesterday'");
    assertOneLineError(Cli.run("ingest", "--repo", r, "--writers", "0"), "error: --writers must be at least 1, not 0");
    assertOneLineError(Cli.run("ingest", "--repo", r, "--sources", "txn"),
        "error: no source 'txn'; did you mean 'txns'?; stream sources: txns");
    assertOneLineError(Cli.run("ingest", "--repo", r, "--sources", "profiles"),
        "error: source 'profiles' reads files, not a stream; ingest one of: txns");
    assertOneLineError(Cli.run("ingest", "--repo", r, "--views", "user_profile"),
        "error: view user_profile@v1 reads source 'profiles', which is not a stream; materialize it instead (quiver materialize)");
  }

  @Test
  void brokersThatDoNotResolveAreAOneLineError() throws Exception {
    Path repo = repo("no-such-host.invalid:9092", "cli-nowhere");
    Cli cli = Cli.run("ingest", "--repo", repo.toString(), "--until-caught-up");
    assertOneLineError(cli, "error: source 'txns': cannot create a Kafka consumer for brokers no-such-host.invalid:9092: ");
    assertThat(cli.err()).contains("check brokers and consumer in its definition");
  }

  @Test
  void serveWithIngestConsumesTheStreamSourcesAndShowsThem() throws Exception {
    broker.createTopic("serve-txns", 1);
    broker.produce("serve-txns", List.of(Map.entry(0, "{\"user_id\": 7, \"ts\": \"2026-01-01T10:00:00Z\", \"amount\": 4.5}")));
    Path repo = repo(broker.bootstrap(), "serve-txns");
    Process server = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--repo", repo.toString(), "--host", "127.0.0.1", "--port", "0", "--grpc-port", "-1", "--ingest")
        .redirectErrorStream(true).start();
    try (HttpClient http = HttpClient.newHttpClient()) {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      Pattern listening = Pattern.compile("HTTP\\s+http://127\\.0\\.0\\.1:(\\d+)");
      int port = -1;
      StringBuilder seen = new StringBuilder();
      for (String line; !seen.toString().contains("Ingest") && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = listening.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertThat(seen.toString()).contains("Ingest  every stream source  (GET /ingest/status)");
      JsonNode status = null;
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ingest/status"))
            .build(), HttpResponse.BodyHandlers.ofString());
        status = new ObjectMapper().readTree(r.body());
        if (status.path("sources").path(0).path("events").asLong() == 1) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(status.path("sources").path(0).path("events").asLong()).as(String.valueOf(status)).isEqualTo(1);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get-online-features"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"features\": [\"user_last:amount\"], \"entities\": {\"user_id\": [7]}}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(new ObjectMapper().readTree(r.body()).path("results").get(1).path("values").toString()).isEqualTo("[4.5]");
      server.destroy(); // SIGTERM: the consumer stops with the server
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void aBadStallTimeoutIsAOneLineError() {
    assertOneLineError(Cli.run("serve", "--repo", tmp.toString(), "--ingest", "--ingest-stall-timeout", "0s"),
        "error: --ingest-stall-timeout must be positive, got '0s'");
    assertOneLineError(Cli.run("serve", "--repo", tmp.toString(), "--ingest-stall-timeout", "soon"),
        "error: --ingest-stall-timeout 'soon' is not a duration; write e.g. 500ms, 1s, 2m");
  }

  static void assertOneLineError(Cli cli, String start) {
    assertThat(cli.exitCode()).as(cli.toString()).isNotZero();
    assertThat(cli.err()).as(cli.toString()).startsWith(start);
    assertThat(cli.err().strip().lines().count()).as(cli.toString()).isEqualTo(1);
  }
}
