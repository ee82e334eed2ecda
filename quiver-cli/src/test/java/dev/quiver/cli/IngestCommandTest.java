package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: streams
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - name: txns
            type: kafka
            brokers: %s
            topic: %s
            timestamp: event_ts
            field_mapping: {ts: event_ts}
            append_to_batch: true
            batch: {path: data/txns/*.parquet}
          - {name: profiles, path: data/profiles.parquet, timestamp: ts}
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
        """.formatted(brokers, topic));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 0::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS ts, 0.0::DOUBLE AS amount WHERE false)"
          + " TO '" + repo.resolve("data/txns/part-0.parquet") + "' (FORMAT parquet)");
      s.execute("COPY (SELECT 1::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS ts, 'gold' AS tier)"
          + " TO '" + repo.resolve("data/profiles.parquet") + "' (FORMAT parquet)");
    }
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

  static void assertOneLineError(Cli cli, String start) {
    assertThat(cli.exitCode()).as(cli.toString()).isNotZero();
    assertThat(cli.err()).as(cli.toString()).startsWith(start);
    assertThat(cli.err().strip().lines().count()).as(cli.toString()).isEqualTo(1);
  }
}
