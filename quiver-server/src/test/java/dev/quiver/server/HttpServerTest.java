package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP front end against a real repo (DuckDB, RocksDB, file registry): Feast's shapes and every 4xx. */
class HttpServerTest {
  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static Http http;

  @BeforeAll
  static void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withLimits(64 * 1024, 50));
    http = new Http(server.httpPort());
  }

  @AfterAll
  static void stop() {
    http.close();
    server.close();
    repo.close();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWhetherOnAWorkerOrOnTheEventLoop() throws Exception {
    // RocksDB reads run on the event loop, /ready on a worker: four requests in one write, four answers in order
    String read = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [%d]}}";
    StringBuilder wire = new StringBuilder();
    for (String body : List.of("", read.formatted(2), "", read.formatted(3))) {
      wire.append(body.isEmpty() ? "GET /ready HTTP/1.1\r\nHost: x\r\n\r\n"
          : "POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length() + "\r\n\r\n" + body);
    }
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(wire.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.InputStream in = socket.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[8192];
      long deadline = System.currentTimeMillis() + 10_000;
      while (got.toString().split("HTTP/1.1 200", -1).length - 1 < 4 || !got.toString().endsWith("}")) {
        int n = in.read(buf);
        if (n < 0 || System.currentTimeMillis() > deadline) {
          break;
        }
        got.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
      }
      String text = got.toString();
      assertThat(text.split("HTTP/1.1 200", -1).length - 1).as(text).isEqualTo(4);
      int ready1 = text.indexOf("READY");
      int user2 = text.indexOf("[3.0]");
      int ready2 = text.indexOf("READY", ready1 + 1);
      int user3 = text.indexOf("[4.5]");
      assertThat(List.of(ready1, user2, ready2, user3)).as(text).isSorted().doesNotContain(-1);
    }
  }

  @Test
  void answersFeastsRequestWithFeastsResponseShape() {
    Http.Reply r = http.post("/get-online-features", """
        {"features": ["user_stats:amount", "user_stats:country", "user_stats:vip", "user_stats:tags", "user_stats:seen_at"],
         "entities": {"user_id": [2, 3, 999999]}}""");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode j = r.json();
    assertThat(names(j)).containsExactly("user_id", "amount", "country", "vip", "tags", "seen_at");
    JsonNode results = j.get("results");
    assertThat(results).hasSize(6);
    assertThat(results.get(0).get("values").toString()).isEqualTo("[2,3,999999]");
    assertThat(results.get(0).get("statuses").toString()).isEqualTo("[\"PRESENT\",\"PRESENT\",\"PRESENT\"]");
    assertThat(results.get(1).get("values").toString()).isEqualTo("[3.0,4.5,null]");
    assertThat(results.get(1).get("statuses").toString()).isEqualTo("[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\"]");
    assertThat(results.get(1).get("event_timestamps").get(0).asText()).isEqualTo("2026-01-01T00:02:00Z");
    assertThat(results.get(1).get("event_timestamps").get(2).asText()).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(results.get(2).get("values").toString()).isEqualTo("[\"FR\",\"DE\",null]");
    assertThat(results.get(3).get("values").toString()).isEqualTo("[false,true,null]");
    assertThat(results.get(4).get("values").get(0).toString()).isEqualTo("[\"t2\",\"x\"]");
    assertThat(results.get(5).get("values").get(0).asText()).isEqualTo("2025-06-01T00:00:02Z");
  }

  @Test
  void theHttpAnswerIsTheJavaApiAnswer() {
    List<Object> ids = new ArrayList<>();
    for (long u = TestRepo.USERS - 30; u <= TestRepo.USERS + 5; u++) {
      ids.add(u);
    }
    OnlineResponse direct = repo.getOnlineFeatures(List.of(FeatureRef.of("user_stats:*")), Map.of("user_id", ids), true);
    Http.Reply r = http.post("/get-online-features", "{\"features\": [\"user_stats:*\"], \"full_feature_names\": true,"
        + " \"entities\": {\"user_id\": " + ids + "}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode results = r.json().get("results");
    for (int f = 0; f < direct.features().size(); f++) {
      FeatureColumn c = direct.features().get(f);
      assertThat(names(r.json()).get(f + 1)).isEqualTo(c.name()).startsWith("user_stats__");
      JsonNode col = results.get(f + 1);
      for (int i = 0; i < ids.size(); i++) {
        assertThat(col.get("statuses").get(i).asText()).isEqualTo(c.statuses().get(i).name());
        Object v = c.values().get(i);
        JsonNode got = col.get("values").get(i);
        if (v == null) {
          assertThat(got.isNull()).isTrue();
        } else if (v instanceof Number n) {
          assertThat(got.asDouble()).isEqualTo(n.doubleValue());
        } else if (v instanceof List<?> list) {
          assertThat(got).hasSize(list.size());
        } else {
          assertThat(got.asText()).isEqualTo(v.toString());
        }
      }
    }
  }

  @Test
  void aFeatureServiceIsReadByName() {
    Http.Reply r = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [4]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(names(r.json())).containsExactly("user_id", "amount", "country");
    assertThat(http.post("/get-online-features", "{\"feature_service\": \"scoring@v1\", \"entities\": {\"user_id\": [4]}}").status())
        .isEqualTo(200);
  }

  @Test
  void everyBadRequestIsA4xxNamingTheProblem() throws Exception {
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1]"),
        400, "invalid_request", "malformed JSON");
    expect(http.post("/get-online-features", ""), 400, "invalid_request", "body is empty");
    expect(http.post("/get-online-features", "[1, 2]"), 400, "invalid_request", "must be a JSON object");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:nope\"], \"entities\": {\"user_id\": [1]}}"),
        404, "not_found", "has no feature 'nope'");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stat:amount\"], \"entities\": {\"user_id\": [1]}}"),
        404, "not_found", "did you mean 'user_stats'");
    expect(http.post("/get-online-features", "{\"feature_service\": \"scorin\", \"entities\": {\"user_id\": [1]}}"),
        404, "not_found", "no feature service 'scorin'");
    expect(http.post("/get-online-features", "{\"features\": [\"amount\"], \"entities\": {\"user_id\": [1]}}"),
        400, "invalid_request", "is not a feature ref");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats@v2147483648:amount\"], \"entities\": {\"user_id\": [1]}}"),
        400, "invalid_request", "is not a feature ref");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\", \"user_stats:amount\"], \"entities\": {\"user_id\": [1]}}"),
        400, "invalid_request", "feature user_stats@v1:amount is requested twice");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1e300]}}"),
        400, "invalid_request", "int64");
    expect(http.post("/materialize", "{\"start_ts\": \"+999999999-01-01T00:00:00Z\", \"end_ts\": \"2026-01-02T00:00:00Z\"}"),
        400, "invalid_request", "'start_ts' is not a time: '+999999999-01-01T00:00:00Z'; write ISO-8601 such as");
    expect(http.post("/materialize", "{\"start_ts\": \"+999999999-01-01T00:00:00Z\", \"end_ts\": \"2026-01-02T00:00:00Z\"}"),
        400, "invalid_request", "in the years 0001 to 9999");
    String gzip = "POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}";
    assertThat(FuzzTest.raw(server.httpPort(), gzip.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .as("a compressed body").isEqualTo(415);
    assertThat(FuzzTest.raw(server.httpPort(), "GET /api/v1/entities/%zz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .as("a bad escape in the path").isEqualTo(400);
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [\"abc\"]}}"),
        400, "invalid_request", "holds int64 keys, but got 'abc'");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1.5]}}"),
        400, "invalid_request", "int64");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1, 2], \"x\": [1]}}"),
        400, "invalid_request", "different lengths");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"merchant_id\": [1]}}"),
        400, "invalid_request", "needs entity column 'user_id'");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"]}"), 400, "invalid_request", "no 'entities'");
    expect(http.post("/get-online-features", "{\"features\": \"user_stats:amount\", \"entities\": {\"user_id\": [1]}}"),
        400, "invalid_request", "'features' must be a list");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"feature_service\": \"scoring\", \"entities\": {\"user_id\": [1]}}"),
        400, "invalid_request", "not both");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [99999999999999999999999]}}"),
        400, "invalid_request", "does not fit in 64 bits");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1], \"user_id\": [2]}}"),
        400, "invalid_request", "Duplicate field");
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      many.add(i);
    }
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": " + many + "}}"),
        400, "invalid_request", "too many entity rows");
    expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1]}, \"pad\": \""
        + "x".repeat(70 * 1024) + "\"}"), 413, "payload_too_large", "larger than this server accepts");
    expect(http.get("/get-online-features"), 405, "method_not_allowed", "use POST");
    expect(http.post("/health", "{}"), 405, "method_not_allowed", "use GET");
    expect(http.post("/materialize-incremental", "{\"end_ts\": \"2026-01-02T00:00:00Z\", \"feature_views\": [\"user_stat\"]}"),
        404, "not_found", "did you mean 'user_stats'");
    expect(http.get("/nope"), 404, "not_found", "no route /nope");
    expect(http.get("/api/v1/feature-views/nope"), 404, "not_found", "no feature view named 'nope'");
    assertThat(http.get("/health").status()).as("the server is still healthy").isEqualTo(200);
  }

  @Test
  void aTooLargeBodyAnnouncedWithExpectContinueGetsTheJson413() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.InputStream in = socket.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buffer = new byte[4096];
      int n;
      while (!got.toString().contains("}") && (n = in.read(buffer)) > 0) {
        got.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
      }
      assertThat(got.toString()).startsWith("HTTP/1.1 413").contains("payload_too_large", "--max-body");
    }
  }

  @Test
  void healthReadinessAndMetrics() {
    assertThat(http.get("/health").json().get("status").asText()).isEqualTo("UP");
    Http.Reply ready = http.get("/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("registry_version").asLong()).isEqualTo(1);
    assertThat(ready.json().get("checks").get("online_store").asText()).isEqualTo("ok");
    http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1]}}");
    http.post("/get-online-features", "{\"features\": [\"user_stats:nope\"], \"entities\": {\"user_id\": [1]}}");
    Http.Reply m = http.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.contentType()).startsWith("text/plain");
    assertThat(m.body())
        .contains("quiver_requests_seconds_bucket{endpoint=\"get-online-features\",outcome=\"ok\",protocol=\"http\"")
        .contains("quiver_requests_seconds_count{endpoint=\"get-online-features\",outcome=\"client_error\",protocol=\"http\"}")
        .contains("quiver_store_seconds_count{op=\"multi_get\"}")
        .contains("quiver_view_freshness_seconds{view=\"user_stats@v1\"}")
        .contains("quiver_registry_version 1.0")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void theCatalogueListsWhatTheRegistryHolds() {
    JsonNode views = http.get("/api/v1/feature-views").json().get("feature_views");
    assertThat(views).hasSize(1);
    assertThat(views.get(0).get("name").asText()).isEqualTo("user_stats");
    assertThat(http.get("/api/v1/entities/user").json().get("entities").get(0).get("join_keys").get(0).get("type").asText())
        .isEqualTo("int64");
    JsonNode features = http.get("/api/v1/features").json().get("features");
    assertThat(features).hasSize(7);
    assertThat(features.get(6).get("ref").asText()).isEqualTo("txn_risk@v1:amount_ratio");
    assertThat(features.get(6).get("kind").asText()).isEqualTo("derived");
    assertThat(features.get(0).get("ref").asText()).isEqualTo("user_stats@v1:amount");
    assertThat(features.get(0).get("owner").asText()).isEqualTo("risk-team");
    assertThat(features.get(0).get("type").asText()).isEqualTo("float64");
    assertThat(http.get("/api/v1/feature-services/scoring").json().get("feature_services")).hasSize(1);
    assertThat(http.get("/api/v1/sources").json().get("sources").get(0).get("name").asText()).isEqualTo("txns");
    assertThat(http.get("/api/v1/registry").json().get("version").get("version").asLong()).isEqualTo(1);
    assertThat(http.get("/api/v1/registry/versions").json().get("versions")).hasSize(1);
  }

  static List<String> names(JsonNode response) {
    List<String> out = new ArrayList<>();
    response.get("metadata").get("feature_names").forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void entityKeysParseStrictlyAndTheResponseEchoesTheKeysLookedUp() {
    for (String bad : List.of("\"01\"", "\" 1\"", "1.5", "1e0", "\"1e0\"", "true", "1.0")) {
      String shown = bad.startsWith("\"") ? "'" + bad.substring(1, bad.length() - 1) + "' (a string)"
          : bad.equals("true") ? "true (a boolean)" : Double.parseDouble(bad) + " (a floating-point number)";
      expect(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [" + bad + "]}}"),
          400, "invalid_request", "entity column 'user_id' holds int64 keys, but got " + shown + "; expected an exact integer");
    }
    Http.Reply r = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [\"2\", 3, null]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("results").get(0).get("values").toString()).as("the keys as looked up").isEqualTo("[2,3,null]");
    assertThat(r.json().get("results").get(1).get("values").toString()).isEqualTo("[3.0,4.5,null]");
  }


  /**
   * Checks an error answer: Feast's error body (a JSON string holding module, class, message, status,
   * error) on Feast's routes, Quiver's object elsewhere.
   */
  static void expect(Http.Reply r, int status, String code, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode j = error(r);
    assertThat(j.get("status").asInt()).isEqualTo(status);
    assertThat(j.get("error").asText()).isEqualTo(code);
    assertThat(j.get("message").asText()).contains(message);
  }

  /** The error object of an answer, unwrapped from Feast's error body when it is one. */
  static JsonNode error(Http.Reply r) {
    JsonNode j = r.json();
    if (j.isTextual()) {
      try {
        JsonNode inner = Http.JSON.readTree(j.textValue());
        assertThat(inner.get("module").asText()).as(r.body()).isEqualTo("feast.errors");
        assertThat(inner.get("class").asText()).as(r.body()).isNotBlank();
        return inner;
      } catch (java.io.IOException e) {
        throw new AssertionError("Feast's error body holds no JSON object: " + r.body(), e);
      }
    }
    return j;
  }
}
