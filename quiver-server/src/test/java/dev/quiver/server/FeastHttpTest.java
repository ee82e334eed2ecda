package dev.quiver.server;

import static dev.quiver.server.HttpServerTest.expect;
import static dev.quiver.server.HttpServerTest.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.client.FeatureClient;
import dev.quiver.client.FeatureServerException;
import dev.quiver.client.HttpFeatureClient;
import dev.quiver.client.OnlineFeaturesRequest;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.http.ErrorBodyAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's HTTP clients unchanged: the request models of Feast's own server (unknown fields ignored,
 * wrong types named), {@code include_feature_view_version_metadata}, request data as entity columns,
 * {@code /write-to-online-store} as Feast's SDK sends it, and Feast's error body.
 */
class FeastHttpTest {
  /** Views beside TestRepo's: column features with aggregates they can feed, and one they cannot. */
  static final String MIXED = """
      feature_views:
        - name: user_mix
          entities: [user]
          source: txns
          features:
            - {name: last_amount, column: amount}
            - {name: last_country, column: country}
            - {name: n_life, aggregate: {fn: count, window: lifetime}}
            - {name: amount_sum_life, aggregate: {fn: sum, column: amount, window: lifetime}}
            - {name: fr_life, aggregate: {fn: count, window: lifetime, where: "country = 'FR'"}}
            - {name: double_amount, expr: "last_amount * 2"}
        - name: user_vip
          entities: [user]
          source: txns
          features:
            - {name: visits, column: visits}
            - {name: vip_life, aggregate: {fn: count, window: lifetime, where: "vip"}}
      """;

  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    Path root = TestRepo.rocksdb(tmp.resolve("repo"));
    Files.writeString(root.resolve("features/mixed.yaml"), MIXED);
    repo = FeatureRepo.open(root);
    repo.apply(repo.plan(false), "test", "mixed views", false);
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
    http = new Http(server.httpPort());
    Http.Reply m = http.post("/materialize", "{\"start_ts\": \"2025-01-01T00:00:00Z\", \"end_ts\": \"2026-02-01T00:00:00Z\","
        + " \"feature_views\": [\"user_mix\", \"user_vip\"]}");
    assertThat(m.status()).as(m.body()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    http.close();
    server.close();
    repo.close();
  }

  /** Feast's write_to_online_store body for view user_stats (as RemoteOnlineStore.online_write_batch builds it). */
  static String write(long user, String eventTs, double amount, String country) {
    return """
        {"feature_view_name": "user_stats", "allow_registry_cache": false,
         "df": {"user_id": [%d], "amount": [%s], "country": ["%s"], "visits": [7], "vip": [true], "tags": [["w"]],
                "seen_at": [1772323200], "event_timestamp": ["%s"], "created": [null]}}"""
        .formatted(user, amount, country, eventTs);
  }

  static JsonNode results(String body) {
    Http.Reply r = http.post("/get-online-features", body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("results");
  }

  @Test
  void unknownFieldsAreIgnoredOnEveryFeastRoute() {
    Http.Reply read = http.post("/get-online-features", """
        {"features": ["user_stats:amount"], "entities": {"user_id": [2]}, "colour": "blue", "api_version": 3,
         "query_string": null, "nested": {"a": [1, {"b": 2}]}}""");
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    assertThat(read.json().get("results").get(1).get("values").get(0).asDouble()).isEqualTo(3.0);

    Http.Reply push = http.post("/push", PushTest.push("online", 40, "2026-01-20T00:00:00Z", 1.0, "FR")
        .replace("\"to\":", "\"allow_registry_cache\": true, \"transform_on_write\": false, \"extra\": [1], \"to\":"));
    assertThat(push.status()).as(push.body()).isEqualTo(200);
    Http.Reply write = http.post("/write-to-online-store", write(41, "2026-01-20T00:00:00", 2.0, "FR")
        .replace("\"allow_registry_cache\"", "\"transform_on_write\": true, \"hint\": \"x\", \"allow_registry_cache\""));
    assertThat(write.status()).as(write.body()).isEqualTo(200);
    Http.Reply m = http.post("/materialize", """
        {"start_ts": "2025-01-01T00:00:00Z", "end_ts": "2026-02-01T00:00:00Z", "feature_views": ["user_stats"],
         "full_feature_names": false, "disable_event_timestamp": false, "version": null, "whatever": 1}""");
    assertThat(m.status()).as(m.body()).isEqualTo(200);
    Http.Reply mi = http.post("/materialize-incremental", """
        {"end_ts": "2026-02-01T00:00:00", "feature_views": ["user_stats"], "full_feature_names": true, "whatever": 1}""");
    assertThat(mi.status()).as(mi.body()).isEqualTo(200);
  }

  @Test
  void knownFieldsOfTheWrongTypeAreNamed() {
    String read = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2]}, ";
    expect(http.post("/get-online-features", read + "\"include_feature_view_version_metadata\": \"yes\"}"),
        400, "invalid_request", "'include_feature_view_version_metadata' must be true or false, got a string");
    expect(http.post("/get-online-features", read + "\"full_feature_names\": 1}"),
        400, "invalid_request", "'full_feature_names' must be true or false, got a number");
    expect(http.post("/get-online-features", "{\"feature_service\": [\"scoring\"], \"entities\": {\"user_id\": [2]}}"),
        400, "invalid_request", "'feature_service' must be a string, got a list");
    expect(http.post("/push", PushTest.push("online", 40, "2026-01-20T00:00:00Z", 1.0, "FR")
            .replace("\"to\":", "\"allow_registry_cache\": \"no\", \"to\":")),
        400, "invalid_request", "'allow_registry_cache' must be true or false, got a string");
    expect(http.post("/write-to-online-store", write(41, "2026-01-20T00:00:00", 2.0, "FR").replace("\"user_stats\"", "7")),
        400, "invalid_request", "'feature_view_name' must be a string, got a number");
    expect(http.post("/write-to-online-store", write(41, "2026-01-20T00:00:00", 2.0, "FR")
            .replace("\"allow_registry_cache\": false", "\"transform_on_write\": []")),
        400, "invalid_request", "'transform_on_write' must be true or false, got a list");
    expect(http.post("/materialize", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\", \"disable_event_timestamp\": \"no\"}"),
        400, "invalid_request", "'disable_event_timestamp' must be true or false");
    expect(http.post("/materialize", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\", \"feature_views\": [\"user_stats\"], \"version\": 2}"),
        400, "invalid_request", "'version' must be a string, got a number");
    expect(http.post("/materialize", "{\"end_ts\": \"now\"}"), 400, "invalid_request", "'start_ts' and 'end_ts' are required");
    expect(http.post("/materialize-incremental", "{\"feature_views\": [\"user_stats\"]}"), 400, "invalid_request",
        "'end_ts' is required");
    expect(http.post("/materialize-incremental", "{\"end_ts\": 1700000000}"), 400, "invalid_request",
        "'end_ts' must be a time such as");
    expect(http.post("/materialize?async=perhaps", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\"}"), 400,
        "invalid_request", "'async' must be true or false, got 'perhaps'");
  }

  @Test
  void materializeTakesFeastsVersionAndDisableEventTimestamp() {
    Http.Reply pinned = http.post("/materialize", """
        {"start_ts": "2025-01-01", "end_ts": "2026-02-01", "feature_views": ["user_stats"], "version": "v1"}""");
    assertThat(pinned.status()).as(pinned.body()).isEqualTo(200);
    assertThat(pinned.json().get("views").get(0).get("view").asText()).isEqualTo("user_stats@v1");
    expect(http.post("/materialize", """
        {"start_ts": "2025-01-01", "end_ts": "2026-02-01", "feature_views": ["user_stats", "user_mix"], "version": "v1"}"""),
        400, "invalid_request", "'version' needs exactly one view in 'feature_views', got 2");
    feastError(http.post("/materialize", """
        {"start_ts": "2025-01-01", "end_ts": "2026-02-01", "feature_views": ["user_stats"], "version": "v3"}"""),
        404, "FeatureViewNotFoundException", "no feature view 'user_stats@v3'");
    Http.Reply all = http.post("/materialize", """
        {"disable_event_timestamp": true, "start_ts": "ignored, as Feast ignores it", "feature_views": ["user_stats"]}""");
    assertThat(all.status()).as(all.body()).isEqualTo(200);
    assertThat(all.json().get("views").get(0).get("start").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(all.json().get("views").get(0).get("rows_read").asLong()).isEqualTo(TestRepo.USERS);
  }

  @Test
  void viewVersionMetadataNamesTheViewsRead() {
    Http.Reply plain = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2]}}");
    assertThat(plain.json().get("metadata").has("feature_view_metadata")).as("only when asked").isFalse();
    Http.Reply r = http.post("/get-online-features", """
        {"features": ["user_stats:amount", "user_mix:last_country", "user_stats:country"], "entities": {"user_id": [2]},
         "include_feature_view_version_metadata": true}""");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("metadata").get("feature_view_metadata").toString())
        .isEqualTo("[{\"name\":\"user_stats\",\"version\":1},{\"name\":\"user_mix\",\"version\":1}]");
    Http.Reply odfv = http.post("/get-online-features", """
        {"features": ["txn_risk:amount_ratio"], "entities": {"user_id": [2], "txn_amount": [30.0]},
         "include_feature_view_version_metadata": true}""");
    assertThat(odfv.json().get("metadata").get("feature_view_metadata").toString())
        .as("an on-demand view's input view is read").isEqualTo("[{\"name\":\"user_stats\",\"version\":1}]");
  }

  @Test
  void requestDataArrivesAsEntityColumnsAsFeastSendsIt() {
    JsonNode viaEntities = results("""
        {"feature_service": "risk", "entities": {"user_id": [2, 3], "txn_amount": [30.0, 9.0]}}""");
    JsonNode viaContext = results("""
        {"feature_service": "risk", "entities": {"user_id": [2, 3]}, "request_context": {"txn_amount": [30.0, 9.0]}}""");
    assertThat(viaEntities).isEqualTo(viaContext);
    assertThat(viaEntities.get(2).get("values").toString()).isEqualTo("[10.0,2.0]");
    Http.Reply r = http.post("/get-online-features", """
        {"features": ["txn_risk:amount_ratio"], "full_feature_names": true, "entities": {"txn_amount": [30.0], "user_id": [2]}}""");
    assertThat(names(r.json())).as("request data is not echoed, as Feast's server does").containsExactly("user_id",
        "txn_risk__amount_ratio");
    expect(http.post("/get-online-features", """
        {"features": ["txn_risk:amount_ratio"], "entities": {"user_id": [2], "txn_amount": [1.0]},
         "request_context": {"txn_amount": [2.0]}}"""), 400, "invalid_request", "request field 'txn_amount' is given twice");
    expect(http.post("/get-online-features", """
        {"features": ["user_stats:amount"], "entities": {"user_id": [2], "merchant_id": [5]}}"""), 400, "invalid_request",
        "entity column 'merchant_id' is neither a join key of the views read (user_id)");
  }

  @Test
  void aServiceIsReadWithShortAndFullNames() {
    Http.Reply shortNames = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [4]}}");
    assertThat(names(shortNames.json())).containsExactly("user_id", "amount", "country");
    Http.Reply full = http.post("/get-online-features",
        "{\"feature_service\": \"scoring\", \"full_feature_names\": true, \"entities\": {\"user_id\": [4]}}");
    assertThat(names(full.json())).containsExactly("user_id", "user_stats__amount", "user_stats__country");
  }

  @Test
  void errorsUseFeastsBodyAndNameFeastsClass() {
    String user = ", \"entities\": {\"user_id\": [1]}}";
    feastError(http.post("/get-online-features", "{\"features\": [\"user_stat:amount\"]" + user), 404,
        "FeatureViewNotFoundException", "did you mean 'user_stats'");
    feastError(http.post("/get-online-features", "{\"features\": [\"user_stats@v9:amount\"]" + user), 404,
        "FeatureViewVersionNotFound", "has no version 9");
    feastError(http.post("/get-online-features", "{\"features\": [\"user_stats:nope\"]" + user), 404,
        "FeastObjectNotFoundException", "has no feature 'nope'");
    feastError(http.post("/get-online-features", "{\"feature_service\": \"scorin\"" + user), 404,
        "FeatureServiceNotFoundException", "no feature service 'scorin'");
    feastError(http.post("/get-online-features", "{\"feature_service\": \"scoring@v99999999999\"" + user), 404,
        "FeatureServiceNotFoundException", "feature service 'scoring' has no version 99999999999 in the registry");
    feastError(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\", \"user_mix:last_amount\","
        + " \"user_stats:amount\"]" + user), 400, "FeatureNameCollisionError", "requested twice");
    feastError(http.post("/get-online-features", "{\"features\": [\"txn_risk:amount_ratio\"]" + user), 400,
        "RequestDataNotFoundInEntityRowsException", "needs request field 'txn_amount'");
    feastError(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [\"x\"]}}"),
        400, "FeastError", "holds int64 keys");
    feastError(http.post("/push", PushTest.push("online", 5, "2026-03-01T00:00:00Z", 1.0, "JP").replace("\"txns\"", "\"txn\"")),
        404, "PushSourceNotFoundException", "did you mean 'txns'");
    feastError(http.post("/write-to-online-store", write(5, "2026-03-01T00:00:00", 1.0, "JP").replace("\"user_stats\"", "\"user_stat\"")),
        404, "FeatureViewNotFoundException", "did you mean 'user_stats'");
    feastError(http.post("/materialize", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\", \"feature_views\": [\"user_stat\"]}"),
        404, "FeatureViewNotFoundException", "did you mean 'user_stats'");
    feastError(http.get("/push"), 405, "FeastError", "use POST");
    feastError(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"]" + user.replace("}}", "}, \"pad\": \""
        + "x".repeat(9 << 20) + "\"}")), 413, "FeastError", "larger than this server accepts");
    // Quiver's own routes keep Quiver's object
    Http.Reply catalogue = http.get("/api/v1/feature-views/nope");
    assertThat(catalogue.json().isObject()).isTrue();
    assertThat(catalogue.json().get("error").asText()).isEqualTo("not_found");
    assertThat(http.get("/nope").json().get("status").asInt()).isEqualTo(404);
  }

  static void feastError(Http.Reply r, int status, String feastClass, String message) {
    assertThat(r.json().isTextual()).as("Feast's error body is a JSON string: " + r.body()).isTrue();
    expect(r, status, switch (status) {
      case 400 -> "invalid_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      case 413 -> "payload_too_large";
      default -> throw new IllegalArgumentException("no code for " + status);
    }, message);
    assertThat(HttpServerTest.error(r).get("class").asText()).isEqualTo(feastClass);
    assertThat(ErrorBodyAccess.FEAST_CLASSES).contains(feastClass);
  }

  @Test
  void theJavaClientReadsFeastsErrorBody() {
    try (HttpFeatureClient client = FeatureClient.http("http://127.0.0.1:" + server.httpPort())) {
      assertThatThrownBy(() -> client.getOnlineFeatures(OnlineFeaturesRequest.features("user_stat:amount").entity("user_id", 1L)))
          .isInstanceOfSatisfying(FeatureServerException.class, e -> {
            assertThat(e.code()).isEqualTo("404");
            assertThat(e.clientError()).isTrue();
            assertThat(e.getMessage()).isEqualTo("/get-online-features: 404 no feature view 'user_stat' in the registry;"
                + " did you mean 'user_stats'?");
          });
    }
  }

  @Test
  void writeToOnlineStoreTakesFeastsRowsNewestWins() {
    Http.Reply r = http.post("/write-to-online-store", write(50, "2026-03-01T10:00:00.250000", 77.5, "JP"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("views").toString()).isEqualTo("[\"user_stats@v1\"]");
    assertThat(r.json().get("written").asInt()).isEqualTo(1);
    JsonNode got = results("{\"features\": [\"user_stats:amount\", \"user_stats:country\", \"user_stats:seen_at\"],"
        + " \"entities\": {\"user_id\": [50]}}");
    assertThat(got.get(1).get("values").get(0).asDouble()).isEqualTo(77.5);
    assertThat(got.get(1).get("event_timestamps").get(0).asText()).as("naive times are UTC").isEqualTo("2026-03-01T10:00:00.250Z");
    assertThat(got.get(2).get("values").get(0).asText()).isEqualTo("JP");
    assertThat(got.get(3).get("values").get(0).asText()).as("Feast sends timestamps as epoch seconds")
        .isEqualTo("2026-03-01T00:00:00Z");
    Http.Reply older = http.post("/write-to-online-store", write(50, "2026-02-01T00:00:00", 1.0, "US"));
    assertThat(older.json().get("written").asInt()).as("older than what is stored").isZero();
    Http.Reply again = http.post("/write-to-online-store", write(50, "2026-03-01T10:00:00.250000", 77.5, "JP"));
    // written again, the row is ingested later: it wins the tie (DESIGN §3, "Ties") and the answer stays
    assertThat(again.json().get("written").asInt()).as("the same row again, later").isEqualTo(1);
    assertThat(results("{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [50]}}").get(1).get("values").get(0)
        .asDouble()).isEqualTo(77.5);
  }

  @Test
  void writeToOnlineStoreFeedsTheViewsWindowAggregates() {
    String now = Instant.now().minus(1, ChronoUnit.MINUTES).toString().replace("Z", "");
    String before = "{\"features\": [\"user_mix:last_amount\", \"user_mix:n_life\", \"user_mix:amount_sum_life\","
        + " \"user_mix:fr_life\", \"user_mix:double_amount\"], \"entities\": {\"user_id\": [6]}}";
    JsonNode b = results(before);
    assertThat(b.get(2).get("values").get(0).asLong()).isEqualTo(1); // user 6: one row in January, FR, amount 9.0
    Http.Reply r = http.post("/write-to-online-store", """
        {"feature_view_name": "user_mix", "df": {"user_id": [6, 6], "last_amount": [10.0, 2.5], "last_country": ["FR", "DE"],
         "event_timestamp": ["%s", "%s"], "created": ["%s", null]}}""".formatted(now, now, now));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode a = results(before);
    assertThat(a.get(1).get("values").get(0).asDouble()).as("the row with a created time wins the tie").isEqualTo(10.0);
    assertThat(a.get(2).get("values").get(0).asLong()).isEqualTo(3);
    assertThat(a.get(3).get("values").get(0).asDouble()).isEqualTo(21.5);
    assertThat(a.get(4).get("values").get(0).asLong()).isEqualTo(2);
    assertThat(a.get(5).get("values").get(0).asDouble()).isEqualTo(20.0);
  }

  @Test
  void writeToOnlineStoreRefusesWhatCannotBeWritten() {
    String row = "\"user_id\": [60], \"event_timestamp\": [\"2026-03-01T00:00:00\"], \"created\": [null]";
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\", \"df\": {" + row
            + ", \"last_amount\": [1.0], \"last_country\": [\"FR\"], \"n_life\": [4], \"double_amount\": [2.0]}}"),
        400, "invalid_request", "view user_mix@v1 cannot take values for n_life (a window aggregate), double_amount (derived)");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\", \"df\": {" + row
            + ", \"last_amount\": [1.0], \"last_country\": [\"FR\"], \"colour\": [\"red\"]}}"),
        400, "invalid_request", "view user_mix@v1 has no column 'colour'; the columns are its join keys, event_timestamp,"
            + " created and its column features (last_amount, last_country)");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\", \"df\": {" + row + ", \"last_amount\": [1.0]}}"),
        400, "invalid_request", "the rows for view user_mix@v1 lack 'last_country'");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\", \"df\": {\"user_id\": [60],"
            + " \"last_amount\": [1.0], \"last_country\": [\"FR\"]}}"),
        400, "invalid_request", "lack 'event_timestamp'");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_vip\", \"df\": {" + row + ", \"visits\": [3]}}"),
        400, "invalid_request", "window aggregate vip_life of view user_vip@v1 reads source column 'vip', which no column"
            + " feature of the view carries");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"txn_risk\", \"df\": {" + row + "}}"),
        400, "invalid_request", "txn_risk is an on-demand view");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\", \"df\": {" + row.replace("2026-03-01T00:00:00", "soon")
            + ", \"last_amount\": [1.0], \"last_country\": [\"FR\"]}}"),
        400, "invalid_request", "is not a timestamp");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\", \"df\": {" + row
            + ", \"last_amount\": [\"lots\"], \"last_country\": [\"FR\"]}}"),
        400, "invalid_request", "holds float64 values, but got 'lots'");
    expect(http.post("/write-to-online-store", "{\"feature_view_name\": \"user_mix\"}"), 400, "invalid_request",
        "the request needs 'df'");
    assertThat(results("{\"features\": [\"user_mix:last_amount\"], \"entities\": {\"user_id\": [60]}}").get(1).get("values")
        .get(0).asDouble()).as("nothing was written").isEqualTo(90.0);
  }
}
