package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Window aggregates over HTTP: Feast's /get-online-features serves them from the tiles
 * materialization wrote, /push folds new rows into them at once, and derived features over them are
 * computed per request.
 */
class AggregateServeTest {
  static final String WINDOWS = """
      feature_views:
        - name: user_windows
          entities: [user]
          source: txns
          features:
            - {name: n_life, aggregate: {fn: count, window: lifetime}}
            - {name: amount_sum_life, aggregate: {fn: sum, column: amount, window: lifetime}}
            - {name: amount_sum_1d, aggregate: {fn: sum, column: amount, window: 1d}}
            - {name: fr_count_1d, aggregate: {fn: count, window: 1d, where: "country = 'FR'"}}
            - {name: mean_life, expr: "amount_sum_life / n_life"}
      """;

  @TempDir Path tmp;
  FeatureRepo repo;
  QuiverServer server;
  Http http;

  @BeforeEach
  void start() throws Exception {
    Path root = TestRepo.rocksdb(tmp.resolve("repo"));
    Files.writeString(root.resolve("features/windows.yaml"), WINDOWS);
    repo = FeatureRepo.open(root);
    repo.apply(repo.plan(false), "test", "windows", false);
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofMillis(50)));
    http = new Http(server.httpPort());
    Http.Reply m = http.post("/materialize", "{\"start_ts\": \"2025-01-01T00:00:00Z\", \"end_ts\": \"" + Instant.now() + "\","
        + " \"feature_views\": [\"user_windows\"]}");
    assertThat(m.status()).as(m.body()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
    repo.close();
  }

  @Test
  void rowsReadCountTheSourceRowsInTheRangeWhateverTheViewsFeatures() {
    // users 50..100 have their one row at or after 00:50; the window view rebuilds its tiles from every row
    Http.Reply m = http.post("/materialize", "{\"start_ts\": \"2026-01-01T00:50:00Z\", \"end_ts\": \"" + Instant.now() + "\","
        + " \"feature_views\": [\"user_windows\", \"user_stats\"]}");
    assertThat(m.status()).as(m.body()).isEqualTo(200);
    JsonNode views = m.json().get("views");
    assertThat(views).hasSize(2);
    for (JsonNode v : views) {
      assertThat(v.get("rows_read").asLong()).as(v.toString()).isEqualTo(51);
      assertThat(v.get("nothing_new").asBoolean()).isFalse();
    }
  }

  JsonNode read(long user) {
    Http.Reply r = http.post("/get-online-features", "{\"features\": [\"user_windows:n_life\", \"user_windows:amount_sum_life\","
        + " \"user_windows:amount_sum_1d\", \"user_windows:fr_count_1d\", \"user_windows:mean_life\"],"
        + " \"entities\": {\"user_id\": [" + user + ", 999]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("results");
  }

  @Test
  void materializedAggregatesAreServedAndAPushCountsAtOnce() {
    // user 6 has one row in January (amount 9.0, FR): outside the 1-day window, inside the lifetime one
    JsonNode before = read(6);
    assertThat(before.get(1).get("values").get(0).asLong()).isEqualTo(1);
    assertThat(before.get(2).get("values").get(0).asDouble()).isEqualTo(9.0);
    assertThat(before.get(3).get("values").get(0).isNull()).isTrue();
    assertThat(before.get(3).get("statuses").get(0).asText()).isEqualTo("NULL_VALUE");
    assertThat(before.get(4).get("values").get(0).asLong()).isEqualTo(0);
    assertThat(before.get(5).get("values").get(0).asDouble()).isEqualTo(9.0);
    // an unknown user: the empty window (count 0, sums null)
    assertThat(before.get(1).get("values").get(1).asLong()).isZero();
    assertThat(before.get(2).get("statuses").get(1).asText()).isEqualTo("NOT_FOUND");

    String now = Instant.now().minus(1, ChronoUnit.MINUTES).toString();
    Http.Reply push = http.post("/push", """
        {"push_source_name": "txns", "to": "online",
         "df": {"user_id": [6, 6], "event_ts": ["%s", "%s"], "created_ts": [null, null], "amount": [10.0, 2.5],
                "country": ["FR", "DE"], "visits": [1, 1], "vip": [false, false], "tags": [[], []],
                "seen_at": [null, null]}}""".formatted(now, now));
    assertThat(push.status()).as(push.body()).isEqualTo(200);
    JsonNode after = read(6);
    assertThat(after.get(1).get("values").get(0).asLong()).isEqualTo(3);
    assertThat(after.get(2).get("values").get(0).asDouble()).isEqualTo(21.5);
    assertThat(after.get(3).get("values").get(0).asDouble()).isEqualTo(12.5);
    assertThat(after.get(4).get("values").get(0).asLong()).isEqualTo(1);
    assertThat(after.get(5).get("values").get(0).asDouble()).isEqualTo(21.5 / 3);
    assertThat(List.of(after.get(1).get("statuses").get(0).asText())).containsExactly("PRESENT");
  }

  @Test
  void aPushWithAnIdempotencyKeyCountsOnceAndABadKeyIs400() {
    String now = Instant.now().minus(1, ChronoUnit.MINUTES).toString();
    String body = """
        {"push_source_name": "txns", "to": "online", "idempotency_key": "batch-77",
         "df": {"user_id": [77, 77], "event_ts": ["%s", "%s"], "created_ts": [null, null], "amount": [1.0, 2.0],
                "country": ["FR", "DE"], "visits": [1, 1], "vip": [false, false], "tags": [[], []],
                "seen_at": [null, null]}}""".formatted(now, now);
    long before = read(77).get(1).get("values").get(0).asLong();
    Http.Reply first = http.post("/push", body);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.body()).contains("\"tiles_applied\":2").contains("\"tiles_duplicate\":0");
    Http.Reply again = http.post("/push", body);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.body()).contains("\"tiles_applied\":0").contains("\"tiles_duplicate\":2");
    assertThat(read(77).get(1).get("values").get(0).asLong()).as("counted once").isEqualTo(before + 2);
    HttpServerTest.expect(http.post("/push", body.replace("\"batch-77\"", "77")), 400, "invalid_request",
        "'idempotency_key' must be a string");
    HttpServerTest.expect(http.post("/push", body.replace("\"batch-77\"", "\"\"")), 400, "invalid_request",
        "an idempotency key must have 1 to 256 characters");
    HttpServerTest.expect(http.post("/push", body.replace("\"batch-77\"", "\"file:x\"")), 400, "invalid_request",
        "idempotency keys starting with 'file:' are reserved");
  }

  private Http.Reply push(long user, double amount) {
    String now = Instant.now().minus(1, ChronoUnit.MINUTES).toString();
    return http.post("/push", """
        {"push_source_name": "txns", "to": "online",
         "df": {"user_id": [%d], "event_ts": ["%s"], "created_ts": [null], "amount": [%s],
                "country": ["FR"], "visits": [1], "vip": [false], "tags": [[]], "seen_at": [null]}}""".formatted(user, now, amount));
  }

  /** Applies WINDOWS with {@code extraFeatures} before mean_life, and waits until the server serves the new version. */
  private void applyAndAwait(String extraFeatures) throws Exception {
    long version = http.get("/ready").json().get("registry_version").asLong() + 1;
    Files.writeString(repo.config().root().resolve("features/windows.yaml"),
        WINDOWS.replace("      - {name: mean_life", extraFeatures + "      - {name: mean_life"));
    assertThat(repo.apply(repo.plan(false), "test", "more windows", false)).isPresent();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (http.get("/ready").json().get("registry_version").asLong() != version && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(http.get("/ready").json().get("registry_version").asLong()).isEqualTo(version);
  }

  @Test
  void pushesAfterAggregatesChangeInPlaceFoldIntoTheStoredLayoutOrAreRefusedWith409() throws Exception {
    assertThat(read(6).get(1).get("values").get(0).asLong()).as("n_life before").isEqualTo(1);
    applyAndAwait("      - {name: max_1d, aggregate: {fn: max, column: amount, window: 1d}}\n");
    assertThat(read(6).get(1).get("values").get(0).asLong()).as("n_life after the apply").isEqualTo(1);
    Http.Reply old = push(6, 10.0); // user 6's row has the materialized layout: the push folds into it
    assertThat(old.status()).as(old.body()).isEqualTo(200);
    assertThat(read(6).get(1).get("values").get(0).asLong()).as("n_life, served from the stored row").isEqualTo(2);
    Http.Reply fresh = push(500, 1.0); // a key without a row: a new row, in the view's layout now
    assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);

    // changed again before a materialization: user 500's row has neither the layout now nor the materialized one
    applyAndAwait("      - {name: max_1d, aggregate: {fn: max, column: amount, window: 1d}}\n"
        + "      - {name: min_1d, aggregate: {fn: min, column: amount, window: 1d}}\n");
    Http.Reply refused = push(500, 2.0);
    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.body()).contains("conflict", "user_windows@v1 for user_id=500", "materialize user_windows@v1",
        "nothing was written");
    assertThat(push(6, 3.0).status()).as("other keys still take pushes").isEqualTo(200);

    Http.Reply m = http.post("/materialize", "{\"start_ts\": \"2025-01-01T00:00:00Z\", \"end_ts\": \"" + Instant.now() + "\","
        + " \"feature_views\": [\"user_windows\"]}");
    assertThat(m.status()).as(m.body()).isEqualTo(200);
    Http.Reply again = push(500, 2.0);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
  }
}
