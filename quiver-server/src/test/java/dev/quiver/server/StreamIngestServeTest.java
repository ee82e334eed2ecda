package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.KafkaBroker;
import dev.quiver.testkit.StreamRepo;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver serve --ingest} against a real Kafka broker (KRaft, in this JVM, one per class): the
 * server consumes a stream source into its online store and its twin, shows the consumers at {@code GET
 * /ingest/status} and their meters at {@code /metrics}, restarts them over a newly applied registry
 * version, and turns {@code /ready} to 503 (with the reason) while a consumer cannot reach its brokers.
 */
class StreamIngestServeTest {
  static KafkaBroker broker;
  static final AtomicInteger TOPICS = new AtomicInteger();

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = new KafkaBroker();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  static final String VIEWS = """
      feature_views:
        - name: user_last
          entities: [user]
          source: txns
          features:
            - {name: amount}
      """;

  /** A repo whose source txns is {@code topic} on {@code brokers}, appended to data/txns/*.parquet. */
  Path repo(String brokers, String topic) throws Exception {
    return StreamRepo.at(tmp.resolve("repo"), brokers, topic)
        .withSourceLines("consumer: {max.poll.records: \"7\"}")
        .withViews(VIEWS)
        .apply(Clock.systemUTC(), "v1");
  }

  /** {@code count} events from {@code first}: user 1 + i % 10 (partition user % 2), amount i, country by parity. */
  static void produce(String topic, int first, int count) {
    List<Map.Entry<Integer, String>> values = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      int user = 1 + i % 10;
      Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * i);
      values.add(Map.entry(user % 2, "{\"user_id\": " + user + ", \"ts\": \"" + t + "\", \"amount\": " + i
          + ", \"country\": \"" + (i % 2 == 0 ? "FR" : "DE") + "\"}"));
    }
    broker.produce(topic, values);
  }

  static JsonNode await(Http http, String path, Predicate<JsonNode> done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = http.get(path).json();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(path + " never got there: " + last);
  }

  /** The feature's value per user 1..10. */
  static List<String> values(Http http, String feature) {
    Http.Reply r = http.post("/get-online-features", "{\"features\": [\"" + feature + "\"], \"entities\": {\"user_id\":"
        + " [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    r.json().get("results").get(1).get("values").forEach(v -> out.add(v.asText()));
    return out;
  }

  static boolean events(JsonNode status, long n) {
    return status.path("sources").size() == 1 && status.get("sources").get(0).get("events").asLong() == n;
  }

  @Test
  void theServerConsumesAStreamSourceAndShowsItsConsumersStatusAndMeters() throws Exception {
    String topic = "serve-" + TOPICS.incrementAndGet();
    broker.createTopic(topic, 2);
    produce(topic, 0, 40);
    Path root = repo(broker.bootstrap(), topic);
    try (FeatureRepo repo = FeatureRepo.open(root);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withIngest(ServerOptions.Ingest.of(List.of())));
        Http http = new Http(server.httpPort())) {
      JsonNode status = await(http, "/ingest/status", s -> events(s, 40) && s.get("sources").get(0).get("caught_up").asBoolean());
      assertThat(status.get("enabled").asBoolean()).isTrue();
      assertThat(status.get("registry_version").asLong()).isEqualTo(1);
      JsonNode source = status.get("sources").get(0);
      assertThat(source.get("source").asText()).isEqualTo("txns");
      assertThat(source.get("group").asText()).isEqualTo("quiver.streams.txns");
      assertThat(source.get("state").asText()).isEqualTo("running");
      assertThat(source.get("lag").asLong()).isZero();
      assertThat(source.get("partitions").size()).isEqualTo(2);
      long committed = 0;
      for (JsonNode p : source.get("partitions")) {
        committed += p.get("committed").asLong();
      }
      assertThat(committed).as("offsets committed over both partitions").isEqualTo(40);

      assertThat(values(http, "user_last:amount")).containsExactly("30.0", "31.0", "32.0", "33.0", "34.0", "35.0", "36.0",
          "37.0", "38.0", "39.0");
      Http.Reply ready = http.get("/ready");
      assertThat(ready.status()).as(ready.body()).isEqualTo(200);
      assertThat(ready.json().get("checks").get("stream_consumers").asText()).isEqualTo("ok");
      String metrics = http.get("/metrics").body();
      assertThat(metrics).contains("quiver_stream_events_total{source=\"txns\"} 40.0")
          .contains("quiver_stream_refused_total{source=\"txns\"} 0.0")
          .contains("quiver_stream_lag{partition=\"0\",source=\"txns\"} 0.0")
          .contains("quiver_stream_lag{partition=\"1\",source=\"txns\"} 0.0");
    }
    try (Stream<Path> files = Files.list(root.resolve("data/txns"))) {
      assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("stream-p00000-"))
          .anyMatch(n -> n.startsWith("stream-p00001-"));
    }
  }

  @Test
  void aNewRegistryVersionRestartsTheConsumersOverItsDefinitionsFromTheCommittedOffsets() throws Exception {
    String topic = "swap-" + TOPICS.incrementAndGet();
    broker.createTopic(topic, 2);
    produce(topic, 0, 20);
    Path root = repo(broker.bootstrap(), topic);
    try (FeatureRepo repo = FeatureRepo.open(root);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1)
            .withRegistryPoll(Duration.ofMillis(100)).withIngest(ServerOptions.Ingest.of(List.of("txns"))));
        Http http = new Http(server.httpPort())) {
      await(http, "/ingest/status", s -> events(s, 20));

      Path defs = root.resolve("features/defs.yaml");
      Files.writeString(defs, Files.readString(defs) + """
            - name: user_country
              entities: [user]
              source: txns
              features:
                - {name: country}
          """);
      assertThat(repo.apply(repo.plan(false), "test", "v2", false)).isPresent();
      server.refreshRegistry();
      await(http, "/ingest/status", s -> s.get("registry_version").asLong() == 2 && s.path("sources").size() == 1
          && s.get("sources").get(0).get("state").asText().equals("running"));
      produce(topic, 20, 10);
      JsonNode status = await(http, "/ingest/status", s -> events(s, 10));
      assertThat(status.get("sources").get(0).get("events").asLong()).as("only the new events: resumed from the commit")
          .isEqualTo(10);
      assertThat(values(http, "user_country:country")).as("the view added by version 2 takes the new events")
          .containsExactly("FR", "DE", "FR", "DE", "FR", "DE", "FR", "DE", "FR", "DE");
      assertThat(values(http, "user_last:amount").getFirst()).isEqualTo("20.0");
      assertThat(http.get("/metrics").body()).as("the meters count across the restart")
          .contains("quiver_stream_events_total{source=\"txns\"} 30.0");
    }
  }

  @Test
  void unreachableBrokersTurnReadinessTo503WithTheReasonWhileHealthStaysUp() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path root = repo("127.0.0.1:" + closedPort, "nowhere");
    try (FeatureRepo repo = FeatureRepo.open(root);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1)
            .withIngest(ServerOptions.Ingest.of(List.of()).withStallTimeout(Duration.ofMillis(300))));
        Http http = new Http(server.httpPort())) {
      JsonNode ready = await(http, "/ready", r -> r.get("status").asText().equals("NOT_READY"));
      assertThat(http.get("/ready").status()).isEqualTo(503);
      assertThat(ready.get("checks").get("stream_consumers").asText()).startsWith("source 'txns' starting for")
          .contains("127.0.0.1:" + closedPort);
      assertThat(ready.get("checks").get("registry").asText()).isEqualTo("ok");
      assertThat(http.get("/health").status()).isEqualTo(200);
      assertThat(http.get("/ingest/status").json().get("sources").get(0).get("state").asText()).isEqualTo("starting");
    }
  }

  @Test
  void aSourceNamedForIngestionThatIsNotInTheVersionServedIsNotReadyAndSaysWhy() throws Exception {
    Path root = repo(broker.bootstrap(), "unused");
    try (FeatureRepo repo = FeatureRepo.open(root);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1)
            .withIngest(ServerOptions.Ingest.of(List.of("txn"))));
        Http http = new Http(server.httpPort())) {
      Http.Reply ready = http.get("/ready");
      assertThat(ready.status()).as(ready.body()).isEqualTo(503);
      assertThat(ready.json().get("checks").get("stream_consumers").asText())
          .isEqualTo("registry version 1: no source 'txn'; did you mean 'txns'?; stream sources: txns");
      assertThat(http.get("/ingest/status").json().get("problem").asText()).startsWith("registry version 1: no source 'txn'");
    }
  }
}
