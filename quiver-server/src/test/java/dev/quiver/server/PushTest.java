package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feast's /push: online (newest wins), offline (a new source file) and both, consistent with each other. */
class PushTest {
  @TempDir Path tmp;
  FeatureRepo repo;
  QuiverServer server;
  Http http;

  @BeforeEach
  void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
    http = new Http(server.httpPort());
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
    repo.close();
  }

  static String push(String to, long user, String eventTs, double amount, String country) {
    return """
        {"push_source_name": "txns", "to": "%s",
         "df": {"user_id": [%d], "event_ts": ["%s"], "created_ts": ["%s"], "amount": [%s], "country": ["%s"],
                "visits": [7], "vip": [true], "tags": [["p"]], "seen_at": ["2026-03-01T00:00:00Z"]}}"""
        .formatted(to, user, eventTs, eventTs, amount, country);
  }

  JsonNode read(long user) {
    Http.Reply r = http.post("/get-online-features",
        "{\"features\": [\"user_stats:amount\", \"user_stats:country\", \"user_stats:tags\"], \"entities\": {\"user_id\": [" + user + "]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("results");
  }

  @Test
  void anOnlinePushIsServedAndAnOlderOneChangesNothing() {
    Http.Reply r = http.post("/push", push("online", 5, "2026-03-01T00:00:00Z", 99.5, "JP"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("rows").asInt()).isEqualTo(1);
    assertThat(r.json().get("written").asInt()).isEqualTo(1);
    assertThat(r.json().get("views").toString()).isEqualTo("[\"user_stats@v1\"]");
    assertThat(read(5).get(1).get("values").get(0).asDouble()).isEqualTo(99.5);
    assertThat(read(5).get(2).get("values").get(0).asText()).isEqualTo("JP");
    assertThat(read(5).get(3).get("values").get(0).toString()).isEqualTo("[\"p\"]");

    Http.Reply older = http.post("/push", push("online", 5, "2026-02-01T00:00:00Z", 1.0, "US"));
    assertThat(older.json().get("written").asInt()).as("older than what is stored").isZero();
    Http.Reply again = http.post("/push", push("online", 5, "2026-03-01T00:00:00Z", 99.5, "JP"));
    // pushed again, the row is ingested later: it wins the tie (DESIGN §3, "Ties") and the answer stays
    assertThat(again.json().get("written").asInt()).as("the same row again, later").isEqualTo(1);
    assertThat(read(5).get(1).get("values").get(0).asDouble()).isEqualTo(99.5);
    assertThat(Files.exists(tmp.resolve("repo/data/txns")) && count(tmp.resolve("repo/data/txns")) == 1)
        .as("an online push writes no source file").isTrue();
  }

  @Test
  void anOfflinePushAddsASourceFileThatTrainingSetsAndMaterializationSee() throws Exception {
    Http.Reply r = http.post("/push", push("offline", 7, "2026-03-01T00:00:00Z", 42.0, "IT"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("written").asInt()).isZero();
    assertThat(count(tmp.resolve("repo/data/txns"))).isEqualTo(2);
    assertThat(read(7).get(1).get("values").get(0).asDouble()).as("not online yet").isEqualTo(10.5);
    assertThat(offlineAmount(7, "2026-03-02 00:00:00")).isEqualTo(42.0);
    assertThat(offlineAmount(7, "2026-02-15 00:00:00")).as("point in time: before the push").isEqualTo(10.5);

    Http.Reply m = http.post("/materialize", "{\"start_ts\": \"2026-02-01T00:00:00Z\", \"end_ts\": \"2026-03-05T00:00:00Z\"}");
    assertThat(m.status()).as(m.body()).isEqualTo(200);
    assertThat(m.json().get("views").get(0).get("rows_written").asInt()).isEqualTo(1);
    assertThat(read(7).get(1).get("values").get(0).asDouble()).isEqualTo(42.0);
  }

  @Test
  void onlineAndOfflineAgreeAfterAPushToBoth() {
    for (int u = 1; u <= 20; u++) {
      Http.Reply r = http.post("/push", push("online_and_offline", u, "2026-03-0" + (1 + u % 9) + "T12:00:00Z", u * 100.0, "NL"));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
    for (int u = 1; u <= 20; u++) {
      assertThat(read(u).get(1).get("values").get(0).asDouble()).isEqualTo(offlineAmount(u, "2026-03-15 00:00:00"));
    }
  }

  @Test
  void badPushesAre4xxAndWriteNothing() {
    HttpServerTest.expect(http.post("/push", push("online", 5, "yesterday", 1.0, "JP")), 400, "invalid_request",
        "is not a timestamp");
    HttpServerTest.expect(http.post("/push", push("online", 5, "+999999999-12-31T23:59:59Z", 1.0, "JP")), 400, "invalid_request",
        "outside the supported years 0001 to 9999");
    HttpServerTest.expect(http.post("/push", push("online", 5, "+10000-01-01T00:00:00Z", 1.0, "JP")), 400, "invalid_request",
        "outside the supported years 0001 to 9999");
    HttpServerTest.expect(http.post("/push", push("online", 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"amount\": [1.0]", "\"amount\": [\"a\"]")),
        400, "invalid_request", "column 'amount' row 0 holds float64 values");
    HttpServerTest.expect(http.post("/push", push("online", 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"country\"", "\"kountry\"")),
        400, "invalid_request", "no column 'country'");
    HttpServerTest.expect(http.post("/push", push("sideways", 5, "2026-03-01T00:00:00Z", 1.0, "JP")), 400, "invalid_request",
        "'to' must be online, offline or online_and_offline");
    HttpServerTest.expect(http.post("/push", push("online", 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"txns\"", "\"txn\"")),
        404, "not_found", "did you mean 'txns'");
    HttpServerTest.expect(http.post("/push", "{\"push_source_name\": \"txns\", \"df\": {\"user_id\": [1, 2], \"event_ts\": [\"2026-03-01T00:00:00Z\"]}}"),
        400, "invalid_request", "different lengths");
    HttpServerTest.expect(http.post("/push", push("offline", 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"visits\": [7]", "\"visits\": [7], \"extra\": [1]")),
        400, "invalid_request", "has no column 'extra'");
    for (String to : List.of("online", "offline")) {
      HttpServerTest.expect(http.post("/push", push(to, 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"user_id\": [5]", "\"user_id\": [\"05\"]")),
          400, "invalid_request", "entity column 'user_id' holds int64 keys, but got '05' (a string) in row 0");
      HttpServerTest.expect(http.post("/push", push(to, 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"user_id\": [5]", "\"user_id\": [5.0]")),
          400, "invalid_request", "entity column 'user_id' holds int64 keys, but got 5.0 (a floating-point number) in row 0");
    }
    assertThat(read(5).get(1).get("values").get(0).asDouble()).as("nothing was written").isEqualTo(7.5);
    assertThat(count(tmp.resolve("repo/data/txns"))).isEqualTo(1);
  }

  double offlineAmount(long user, String t) {
    String sql = "SELECT " + user + "::BIGINT AS user_id, TIMESTAMP '" + t + "' AS event_timestamp";
    try (HistoricalRows rows = repo.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(sql),
        List.of(FeatureRef.of("user_stats:amount"))))) {
      return ((Number) rows.next()[2]).doubleValue();
    }
  }

  static long count(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
