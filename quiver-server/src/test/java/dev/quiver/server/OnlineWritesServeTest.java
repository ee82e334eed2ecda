package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.online.Freshness;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's side of issue 19's operations: future event times refused and counted (a 30-minute
 * {@code max_future_skew} from quiver.yaml, on a fixed clock), an entity's online state deleted, a
 * view rebuilt from the offline store, a watermark left in the future, and freshness that never reads NaN.
 */
class OnlineWritesServeTest {
  /** The repo's "now": TestRepo's data is materialized to here. */
  static final Instant NOW = TestRepo.END;

  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void create() {
    dir = TestRepo.create(tmp.resolve("repo"), "online: {type: rocksdb, path: .quiver/online, max_future_skew: 30m}");
  }

  private FeatureRepo open() {
    return FeatureRepo.open(dir, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static JsonNode amount(Http http, long user) {
    Http.Reply r = http.post("/get-online-features",
        "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [" + user + "]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("results").get(1);
  }

  private static String status(Http http, long user) {
    return amount(http, user).get("statuses").get(0).asText();
  }

  private static double value(Http http, long user) {
    return amount(http, user).get("values").get(0).asDouble();
  }

  private static double metric(Http http, String line) {
    String body = http.get("/metrics").body();
    int at = body.indexOf(line + " ");
    assertThat(at).as(body).isNotNegative();
    String rest = body.substring(at + line.length() + 1);
    return Double.parseDouble(rest.substring(0, rest.indexOf('\n')).strip());
  }

  @Test
  void futureEventTimesAreRefusedNamedCountedAndNeverStored() {
    try (FeatureRepo repo = open();
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      String rejected = "quiver_push_rows_rejected_total{reason=\"future\"}";
      assertThat(metric(http, rejected)).isZero();

      HttpServerTest.expect(http.post("/push", PushTest.push("online", 5, "2026-02-01T00:45:00Z", 999.0, "JP")), 400,
          "invalid_request", "column 'event_ts' row 0 has event time 2026-02-01T00:45:00Z, after now + max_future_skew"
              + " (2026-02-01T00:30:00Z)");
      HttpServerTest.expect(http.post("/push", PushTest.push("online_and_offline", 5, "9999-12-31T00:00:00Z", 999.0, "JP")),
          400, "invalid_request", "raise online.max_future_skew in quiver.yaml (now 30m)");
      HttpServerTest.expect(http.post("/write-to-online-store", FeastHttpTest.write(5, "2026-02-02T00:00:00", 999.0, "JP")),
          400, "invalid_request", "after now + max_future_skew");
      assertThat(value(http, 5)).as("nothing stored").isEqualTo(7.5);
      assertThat(metric(http, rejected)).isEqualTo(3.0);

      Http.Reply ok = http.post("/push", PushTest.push("online", 5, "2026-02-01T00:20:00Z", 42.0, "JP"));
      assertThat(ok.status()).as("within the skew: " + ok.body()).isEqualTo(200);
      assertThat(value(http, 5)).isEqualTo(42.0);

      String future = """
          {"start_ts": "2025-01-01T00:00:00Z", "end_ts": "9999-12-31T00:00:00Z", "feature_views": ["user_stats"]}""";
      HttpServerTest.expect(http.post("/materialize", future), 400, "invalid_request",
          "END 9999-12-31T00:00:00Z is after now + max_future_skew (2026-02-01T00:30:00Z)");
      HttpServerTest.expect(http.post("/materialize?async=true", future), 400, "invalid_request", "after now + max_future_skew");
      HttpServerTest.expect(http.post("/materialize-incremental", "{\"end_ts\": \"2026-02-02T00:00:00Z\"}"), 400,
          "invalid_request", "after now + max_future_skew");
      Http.Reply backfill = http.post("/materialize", """
          {"start_ts": "2025-01-01T00:00:00Z", "end_ts": "2026-01-15T00:00:00Z", "feature_views": ["user_stats"]}""");
      assertThat(backfill.status()).as("a past END is fine: " + backfill.body()).isEqualTo(200);
      assertThat(repo.registry().watermark("user_stats@v1").orElseThrow().end()).isEqualTo(TestRepo.END);
    }
  }

  @Test
  void deletingEntitiesLeavesNotFoundForThemAndTouchesNothingElse() {
    try (FeatureRepo repo = open();
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      Http.Reply d = http.post("/online/delete", """
          {"feature_views": ["user_stats"], "entities": {"user_id": [5, 6, 999999]}}""");
      assertThat(d.status()).as(d.body()).isEqualTo(200);
      assertThat(d.json().get("feature_views").toString()).isEqualTo("[\"user_stats@v1\"]");
      assertThat(d.json().get("entities").asInt()).isEqualTo(3);
      assertThat(d.json().get("latest_rows_deleted").asInt()).as("999999 had no row").isEqualTo(2);
      assertThat(status(http, 5)).isEqualTo("NOT_FOUND");
      assertThat(status(http, 6)).isEqualTo("NOT_FOUND");
      assertThat(status(http, 7)).isEqualTo("PRESENT");
      assertThat(value(http, 7)).isEqualTo(10.5);

      HttpServerTest.expect(http.post("/online/delete", "{\"feature_views\": [\"user_stat\"], \"entities\": {\"user_id\": [7]}}"),
          404, "not_found", "no feature view 'user_stat' in the registry; did you mean 'user_stats'?");
      HttpServerTest.expect(http.post("/online/delete", "{\"feature_views\": [\"user_stats\"], \"entities\": {\"user_id\": [\"07\"]}}"),
          400, "invalid_request", "entity column 'user_id' holds int64 keys, but got '07' (a string)");
      HttpServerTest.expect(http.post("/online/delete", "{\"feature_views\": [\"user_stats\"], \"entities\": {\"user_id\": [7, 1.5]}}"),
          400, "invalid_request", "in row 1");
      HttpServerTest.expect(http.post("/online/delete", "{\"feature_views\": [\"user_stats\"], \"entities\": {\"user_id\": [7], \"shop\": [1]}}"),
          400, "invalid_request", "entity column 'shop' is no join key of user_stats@v1");
      HttpServerTest.expect(http.post("/online/delete", "{\"feature_views\": [\"user_stats\"]}"), 400, "invalid_request",
          "the request needs 'entities'");
      HttpServerTest.expect(http.post("/online/delete", "{\"feature_views\": [], \"entities\": {\"user_id\": [7]}}"), 400,
          "invalid_request", "'feature_views' must name the views");
      assertThat(status(http, 7)).as("a refused delete deletes nothing").isEqualTo("PRESENT");
    }
  }

  @Test
  void aRebuildDropsOnlineOnlyRowsAndAFutureWatermarkOrFreshnessAndMaterializesFromTheBeginning() {
    try (FeatureRepo repo = open()) {
      // what an older version let through: a freshness row and a watermark at 9999-12-31
      Instant far = Instant.parse("9999-12-31T00:00:00Z");
      Freshness.record(repo.online(), "servertest", Map.of("user_stats@v1", far));
      long version = repo.registry().head().orElseThrow().version();
      repo.registry().advanceWatermark(new Watermark("user_stats@v1", far, version, "old", NOW));
    }
    try (FeatureRepo repo = open();
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      String freshness = "quiver_view_freshness_seconds{view=\"user_stats@v1\"}";
      assertThat(metric(http, freshness)).as("a future newest event time reads 0, not NaN").isZero();

      Http.Reply pushed = http.post("/push", PushTest.push("online", 5, "2026-01-20T00:00:00Z", 999.0, "JP"));
      assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
      assertThat(value(http, 5)).isEqualTo(999.0);

      HttpServerTest.expect(http.post("/materialize", "{\"rebuild\": true, \"start_ts\": \"2025-01-01\"}"), 400,
          "invalid_request", "drop 'start_ts'");
      HttpServerTest.expect(http.post("/materialize", "{\"rebuild\": true, \"feature_views\": [\"nope\"], \"end_ts\": \"2026-02-01\"}"), 404,
          "not_found", "no feature view 'nope'");
      Http.Reply rebuilt = http.post("/materialize", """
          {"rebuild": true, "feature_views": ["user_stats"], "end_ts": "2026-02-01T00:00:00Z"}""");
      assertThat(rebuilt.status()).as(rebuilt.body()).isEqualTo(200);
      JsonNode view = rebuilt.json().get("views").get(0);
      assertThat(view.get("start").asText()).isEqualTo("0001-01-01T00:00:00Z");
      assertThat(view.get("rows_read").asInt()).isEqualTo(TestRepo.USERS);

      assertThat(value(http, 5)).as("the online-only push is gone: the offline value").isEqualTo(7.5);
      assertThat(repo.registry().watermark("user_stats@v1").orElseThrow().end()).isEqualTo(TestRepo.END);
      double expected = (System.currentTimeMillis() / 1000.0) - Instant.parse("2026-01-01T01:40:00Z").getEpochSecond();
      assertThat(metric(http, freshness)).as("recorded again from the rows read").isBetween(expected - 60, expected + 60);
      assertThat(http.get("/materialize/status").json().get("kind").asText()).isEqualTo("rebuild");
    }
  }

  @Test
  void aWatermarkLeftInTheFutureDoesNotFreezeIncrementalRuns() {
    try (FeatureRepo repo = open();
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      long version = repo.registry().head().orElseThrow().version();
      Instant far = Instant.parse("9999-12-31T00:00:00Z");
      repo.registry().advanceWatermark(new Watermark("user_stats@v1", far, version, "old", NOW));
      Http.Reply pushed = http.post("/push", PushTest.push("online_and_offline", 5, "2026-01-31T00:00:00Z", 55.0, "JP"));
      assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);

      Http.Reply inc = http.post("/materialize-incremental", "{\"end_ts\": \"2026-02-01T00:00:00Z\", \"feature_views\": [\"user_stats\"]}");
      assertThat(inc.status()).as(inc.body()).isEqualTo(200);
      JsonNode view = inc.json().get("views").get(0);
      assertThat(view.get("nothing_new").asBoolean()).as(inc.body()).isFalse();
      assertThat(repo.registry().watermark("user_stats@v1").orElseThrow().end()).isEqualTo(TestRepo.END);
      assertThat(value(http, 5)).isEqualTo(55.0);
    }
  }

  @Test
  void aStreamsFutureEventsAreSkippedAndCountedWhileTheOthersAreWritten() {
    try (FeatureRepo repo = open()) {
      var defs = repo.registry().read(repo.registry().head().orElseThrow().version()).definitions();
      var pusher = new dev.quiver.core.online.Pusher(defs, repo.online(), repo.offline(), dir,
          dev.quiver.core.online.ServingVersions.NEWEST, repo.timeBounds());
      java.util.Map<String, java.util.List<Object>> rows = new java.util.LinkedHashMap<>();
      rows.put("user_id", java.util.List.of(5L, 6L));
      rows.put("event_ts", java.util.List.of("2026-01-31T00:00:00Z", "9999-12-31T00:00:00Z"));
      rows.put("created_ts", java.util.Arrays.asList(null, null));
      rows.put("amount", java.util.List.of(11.0, 12.0));
      rows.put("country", java.util.List.of("SE", "SE"));
      rows.put("visits", java.util.List.of(1L, 1L));
      rows.put("vip", java.util.List.of(true, true));
      rows.put("tags", java.util.List.of(java.util.List.of("s"), java.util.List.of("s")));
      rows.put("seen_at", java.util.List.of("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
      var result = pusher.push("txns", rows, dev.quiver.core.online.Pusher.Target.ONLINE,
          new dev.quiver.core.online.Origin.Stream("broker/txns", 0, new long[] {40, 41}));
      assertThat(result.rows()).isEqualTo(1);
      assertThat(result.rejectedFuture()).isEqualTo(1);
      var read = repo.getOnlineFeatures(java.util.List.of(dev.quiver.core.model.FeatureRef.of("user_stats:amount")),
          java.util.Map.of("user_id", java.util.List.of(5L, 6L)), false);
      assertThat(read.features().getFirst().values()).containsExactly(11.0, 9.0);

      var allFuture = new java.util.LinkedHashMap<>(rows);
      allFuture.put("event_ts", java.util.List.of("9999-12-31T00:00:00Z", "2026-02-02T00:00:00Z"));
      var none = pusher.push("txns", allFuture, dev.quiver.core.online.Pusher.Target.ONLINE,
          new dev.quiver.core.online.Origin.Stream("broker/txns", 0, new long[] {42, 43}));
      assertThat(none.rows()).isZero();
      assertThat(none.rejectedFuture()).isEqualTo(2);
    }
  }

  @Test
  void aJsonNumberThatOverflowsIsA400NotInfinity() {
    try (FeatureRepo repo = open();
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      HttpServerTest.expect(http.post("/push", PushTest.push("online", 5, "2026-01-31T00:00:00Z", 1.0, "JP")
              .replace("\"amount\": [1.0]", "\"amount\": [1e400]")),
          400, "invalid_request", "'df.amount' holds a number out of the range of a 64-bit float");
      HttpServerTest.expect(http.post("/get-online-features", """
          {"features": ["txn_risk:amount_ratio"], "entities": {"user_id": [5]}, "request_context": {"txn_amount": [-1e400]}}"""),
          400, "invalid_request", "out of the range of a 64-bit float");
      assertThat(value(http, 5)).isEqualTo(7.5);
    }
  }

  @Test
  void freshnessIsNeverNaNNorNegative() {
    Instant now = Instant.parse("2026-12-06T00:00:00Z");
    assertThat(ServerMetrics.freshnessSeconds(Instant.parse("9999-12-31T00:00:00Z"), now)).isZero();
    assertThat(ServerMetrics.freshnessSeconds(null, now)).isZero();
    assertThat(ServerMetrics.freshnessSeconds(now.minusMillis(1500), now)).isEqualTo(1.5);
    assertThat(ServerMetrics.freshnessSeconds(Instant.parse("0001-01-01T00:00:00Z"), now)).isFinite().isPositive();
  }
}
