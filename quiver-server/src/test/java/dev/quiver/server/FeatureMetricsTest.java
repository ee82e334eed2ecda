package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver_feature_values_total{service, view, feature, status}} counts exactly the statuses
 * served, over HTTP and gRPC, for features listed and for services, on-demand features included;
 * {@code quiver_service_requests_seconds{service, outcome}} counts each service request once; names
 * a client makes up never become labels. The reference is the responses themselves: every status a
 * client received is one count.
 */
class FeatureMetricsTest {
  static final String VALUES = "quiver_feature_values_total";
  static final String SERVICE_COUNT = "quiver_service_requests_seconds_count";

  /** TestRepo's definitions plus {@code user_recent}: a 40-day TTL, so its 2026-01 rows read OUTSIDE_MAX_AGE now. */
  static final String WITH_RECENT = TestRepo.DEFINITIONS.replace("on_demand_views:\n",
      "  - name: user_recent\n"
          + "    entities: [user]\n"
          + "    source: txns\n"
          + "    ttl: 40d\n"
          + "    features:\n"
          + "      - {name: amount, column: amount}\n"
          + "on_demand_views:\n");

  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static Http http;
  static ManagedChannel channel;
  static ServingServiceGrpc.ServingServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    Files.writeString(dir.resolve("features/defs.yaml"), WITH_RECENT);
    repo = FeatureRepo.open(dir);
    assertThat(repo.apply(repo.plan(false), "test", "user_recent", false)).isPresent();
    repo.materialize(List.of("user_recent"), TestRepo.START, TestRepo.END, (v, r, w) -> {}, "test");
    server = QuiverServer.start(repo, ServerOptions.loopback());
    http = new Http(server.httpPort());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    // user 200: pushed a few minutes ago with a null country, so fresh in user_recent and NULL_VALUE in country
    String pushed = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS).toString();
    Http.Reply push = http.post("/push", PushTest.push("online", 200, pushed, 7.5, "JP").replace("[\"JP\"]", "[null]"));
    assertThat(push.status()).as(push.body()).isEqualTo(200);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.close();
    server.close();
    repo.close();
  }

  static PromText scrape() {
    Http.Reply m = http.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    return PromText.parse(m.body());
  }

  /** Counts per (service, view, feature, status) label set. */
  static final class Tally {
    final Map<Map<String, String>, Double> counts = new HashMap<>();

    void add(String service, String outputName, String status) {
      int split = outputName.indexOf("__");
      assertThat(split).as("a full feature name: " + outputName).isPositive();
      String view = outputName.substring(0, split).replaceAll("@v\\d+$", "");
      counts.merge(Map.of("service", service, "view", view, "feature", outputName.substring(split + 2), "status", status),
          1.0, Double::sum);
    }

    /** Every status of an HTTP answer (full feature names; the entity column is skipped). */
    void http(String service, Http.Reply r) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode names = r.json().get("metadata").get("feature_names");
      JsonNode results = r.json().get("results");
      for (int i = 0; i < names.size(); i++) {
        if (!names.get(i).asText().contains("__")) {
          continue; // a join key
        }
        for (JsonNode status : results.get(i).get("statuses")) {
          add(service, names.get(i).asText(), status.asText());
        }
      }
    }

    void grpc(String service, GetOnlineFeaturesResponse r) {
      List<String> names = r.getMetadata().getFeatureNames().getValList();
      for (int i = 0; i < names.size(); i++) {
        if (!names.get(i).contains("__")) {
          continue;
        }
        for (var status : r.getResults(i).getStatusesList()) {
          add(service, names.get(i), status.name());
        }
      }
    }

    Set<String> statuses() {
      Set<String> out = new HashSet<>();
      counts.keySet().forEach(k -> out.add(k.get("status")));
      return out;
    }
  }

  /** After minus before, per series of {@code name} (series at 0 left out). */
  static Map<Map<String, String>, Double> delta(PromText before, PromText after, String name) {
    Map<Map<String, String>, Double> out = new HashMap<>();
    after.series(name).forEach((labels, v) -> {
      double d = v - before.value(name, labels);
      if (d != 0) {
        out.put(labels, d);
      }
    });
    return out;
  }

  static RepeatedValue int64s(long... values) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (long v : values) {
      b.addVal(Value.newBuilder().setInt64Val(v));
    }
    return b.build();
  }

  @Test
  void everyStatusServedIsCountedOnceOverHttpAndGrpc() {
    PromText before = scrape();
    Tally expected = new Tally();
    Http.Reply listed = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\", \"user_stats:country\","
        + " \"user_recent:amount\"], \"entities\": {\"user_id\": [1, 2, 999, 200]}, \"full_feature_names\": true}");
    expected.http("", listed);
    JsonNode results = listed.json().get("results");
    assertThat(results.get(1).get("statuses").get(2).asText()).as("an unknown key").isEqualTo("NOT_FOUND");
    assertThat(results.get(2).get("statuses").get(3).asText()).as("a null country").isEqualTo("NULL_VALUE");
    assertThat(results.get(3).get("statuses").get(0).asText()).as("a row past the TTL").isEqualTo("OUTSIDE_MAX_AGE");
    assertThat(results.get(3).get("statuses").get(3).asText()).as("the fresh pushed row").isEqualTo("PRESENT");
    Http.Reply risk = http.post("/get-online-features", "{\"feature_service\": \"risk\", \"entities\": {\"user_id\": [1, 999]},"
        + " \"request_context\": {\"txn_amount\": [3.0, 4.0]}, \"full_feature_names\": true}");
    expected.http("risk", risk);
    assertThat(risk.body()).as("an on-demand feature served").contains("txn_risk__amount_ratio");
    expected.grpc("scoring", stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder().setFeatureService("scoring")
        .setFullFeatureNames(true).putEntities("user_id", int64s(3, 998, 200)).build()));
    expected.grpc("", stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder()
        .setFeatures(FeatureList.newBuilder().addAllVal(List.of("user_recent:amount", "txn_risk:amount_ratio")))
        .setFullFeatureNames(true).putEntities("user_id", int64s(200, 5))
        .putRequestContext("txn_amount", RepeatedValue.newBuilder().addVal(Value.newBuilder().setDoubleVal(1.0))
            .addVal(Value.newBuilder().setDoubleVal(2.0)).build()).build()));
    assertThat(expected.statuses()).as("the mix serves every status")
        .containsExactlyInAnyOrder("PRESENT", "NOT_FOUND", "NULL_VALUE", "OUTSIDE_MAX_AGE");

    PromText after = scrape();
    assertThat(delta(before, after, VALUES)).isEqualTo(expected.counts);
    Map<Map<String, String>, Double> services = delta(before, after, SERVICE_COUNT);
    assertThat(services).isEqualTo(Map.of(Map.of("service", "risk", "outcome", "ok"), 1.0,
        Map.of("service", "scoring", "outcome", "ok"), 1.0));
  }

  @Test
  void failedServiceRequestsAreTimedByOutcomeAndMadeUpNamesNeverBecomeLabels() {
    PromText before = scrape();
    Http.Reply badKey = http.post("/get-online-features", "{\"feature_service\": \"risk\", \"entities\": {\"user_id\": [\"x1\"]},"
        + " \"request_context\": {\"txn_amount\": [3.0]}}");
    assertThat(badKey.status()).as(badKey.body()).isEqualTo(400);
    Http.Reply badVersion = http.post("/get-online-features", "{\"feature_service\": \"scoring@v9\", \"entities\": {\"user_id\": [1]}}");
    assertThat(badVersion.status()).as(badVersion.body()).isEqualTo(404);
    Http.Reply ghost = http.post("/get-online-features", "{\"feature_service\": \"ghost_service\", \"entities\": {\"user_id\": [1]}}");
    assertThat(ghost.status()).as(ghost.body()).isEqualTo(404);
    Http.Reply ghostFeature = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\", \"user_stats:ghost_feature\"],"
        + " \"entities\": {\"user_id\": [1]}}");
    assertThat(ghostFeature.status()).as(ghostFeature.body()).isEqualTo(404);
    try {
      stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder().setFeatureService("ghost_grpc")
          .putEntities("user_id", int64s(1)).build());
      throw new AssertionError("an unknown service was answered");
    } catch (StatusRuntimeException expected) {
      assertThat(expected.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
    }

    PromText after = scrape();
    assertThat(delta(before, after, SERVICE_COUNT)).isEqualTo(Map.of(
        Map.of("service", "risk", "outcome", "client_error"), 1.0,
        Map.of("service", "scoring", "outcome", "client_error"), 1.0));
    assertThat(delta(before, after, VALUES)).as("failed reads serve no values").isEmpty();
    String text = http.get("/metrics").body();
    assertThat(text).doesNotContain("ghost");
  }

  /**
   * Seeded random mixes of known and made-up features, services and keys: the counters add up to the
   * statuses of the answers, and every label is a service, view and feature of the registry.
   */
  @Test
  void randomizedRequestsAreCountedExactlyWithLabelsFromTheRegistryOnly() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<String> known = List.of("user_stats:amount", "user_stats:country", "user_stats:visits", "user_stats:vip",
        "user_stats:tags", "user_stats:seen_at", "user_recent:amount", "user_stats@v1:amount", "txn_risk:amount_ratio");
    List<String> madeUp = List.of("user_stats:nope_a", "nope_view:amount", "user_stats@v9:amount", "txn_risk:nope_b");
    List<String> services = List.of("scoring", "risk", "scoring@v1", " risk ", "nope_service", "scoring@v3");
    PromText before = scrape();
    Tally expected = new Tally();
    int ok = 0;
    for (int n = 0; n < 150; n++) {
      boolean byService = random.nextInt(3) == 0;
      StringBuilder body = new StringBuilder("{");
      String service = "";
      if (byService) {
        String s = services.get(random.nextInt(services.size()));
        service = s.strip().replaceAll("@v\\d+$", "");
        body.append("\"feature_service\": \"").append(s).append('"');
      } else {
        List<String> refs = new ArrayList<>();
        for (String ref : known) {
          if (random.nextInt(3) == 0 && refs.stream().noneMatch(r -> r.replace("@v1", "").equals(ref.replace("@v1", "")))) {
            refs.add(ref);
          }
        }
        if (random.nextInt(5) == 0) {
          refs.add(madeUp.get(random.nextInt(madeUp.size())));
        }
        if (refs.isEmpty()) {
          refs.add(known.getFirst());
        }
        body.append("\"features\": [").append(String.join(", ", refs.stream().map(r -> '"' + r + '"').toList())).append(']');
      }
      int rows = 1 + random.nextInt(4);
      List<String> keys = new ArrayList<>();
      List<String> amounts = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        keys.add(String.valueOf(random.nextInt(5) == 0 ? 500 + random.nextInt(100) : 1 + random.nextInt(TestRepo.USERS)));
        amounts.add(String.valueOf(random.nextInt(100)));
      }
      boolean onDemand = body.indexOf("risk") >= 0; // request data only where a feature reads it
      body.append(", \"entities\": {\"user_id\": [").append(String.join(", ", keys)).append("]}")
          .append(onDemand ? ", \"request_context\": {\"txn_amount\": [" + String.join(", ", amounts) + "]}" : "")
          .append(", \"full_feature_names\": true}");
      Http.Reply r = http.post("/get-online-features", body.toString());
      if (r.status() == 200) {
        expected.http(service, r);
        ok++;
      } else {
        assertThat(r.status()).as("seed " + seed + ": " + body + " -> " + r.body()).isIn(400, 404);
      }
    }
    assertThat(ok).as("seed " + seed).isGreaterThan(50);
    PromText after = scrape();
    Map<Map<String, String>, Double> counted = delta(before, after, VALUES);
    // a ref named twice (view:f and view@v1:f) is refused, so every answered status is one count
    assertThat(counted).as("seed " + seed).isEqualTo(expected.counts);
    Set<String> features = Set.of("user_stats:amount", "user_stats:country", "user_stats:visits", "user_stats:vip",
        "user_stats:tags", "user_stats:seen_at", "user_recent:amount", "txn_risk:amount_ratio");
    Map<Map<String, String>, Double> all = after.series(VALUES);
    for (Map<String, String> labels : all.keySet()) {
      assertThat(features).as("seed " + seed + ": " + labels).contains(labels.get("view") + ":" + labels.get("feature"));
      assertThat(labels.get("service")).as("seed " + seed).isIn("", "scoring", "risk");
    }
    assertThat(all.size()).as("at most 4 statuses × registry features × (services + none)")
        .isLessThanOrEqualTo(4 * features.size() * 3);
    assertThat(http.get("/metrics").body()).as("seed " + seed).doesNotContain("nope");
  }
}
