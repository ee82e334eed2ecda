package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code deploy/grafana/quiver-dashboard.json} cannot rot silently: every
 * metric its PromQL reads (panels and template variables) is exported by a running server after some
 * traffic (reads over HTTP and gRPC, by features and by service, a bad request, a push through a
 * validation rule, a materialization), and it is a dashboard Grafana can import (a datasource
 * variable, panels with queries, unique ids).
 */
class GrafanaDashboardTest {
  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "quiver-dashboard.json").toAbsolutePath().normalize();

  /** PromQL words that are not metric names. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset", "inf", "nan");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  @TempDir Path tmp;

  /** The metric names a PromQL expression (or a {@code label_values(metric, label)} query) reads. */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
        .replaceAll("\\{[^}]*}", " ") // label matchers
        .replaceAll("\\[[^]]*]", " "); // ranges
    e = GROUPING.matcher(e).replaceAll(" ");
    e = e.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(e);
    while (m.find()) {
      String word = m.group();
      int next = m.end();
      while (next < e.length() && e.charAt(next) == ' ') {
        next++;
      }
      boolean function = next < e.length() && e.charAt(next) == '(';
      boolean variable = m.start() > 0 && e.charAt(m.start() - 1) == '$';
      boolean number = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
      if (!function && !variable && !number && !KEYWORDS.contains(word.toLowerCase())) {
        names.add(word);
      }
    }
    return names;
  }

  /** Every query in the dashboard: panel targets and template variable queries. */
  static List<String> queries(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.get("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.get("templating").get("list")) {
      if (variable.get("type").asText().equals("query")) {
        JsonNode q = variable.get("query");
        out.add(q.isTextual() ? q.asText() : q.get("query").asText());
      }
    }
    return out;
  }

  @Test
  void theMetricNameExtractionSeesThroughPromQl() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (service, le) (rate(quiver_x_bucket{a=~\"b|c\", d=\"$e\"}[$__rate_interval])))"))
        .containsExactly("quiver_x_bucket");
    assertThat(metricNames("sum by (view) (rate(a_total{s=\"x\"}[5m])) / on (view) group_left sum without (s) (b_total) > bool 0"))
        .containsExactly("a_total", "b_total");
    assertThat(metricNames("label_values(quiver_registry_version, instance)")).containsExactly("quiver_registry_version");
    assertThat(metricNames("max(up) * 1e3")).containsExactly("up");
  }

  @Test
  void isAnImportableDashboardWithAPrometheusDatasourceVariable() throws Exception {
    JsonNode d = Http.JSON.readTree(Files.readString(DASHBOARD));
    assertThat(d.get("title").asText()).isNotBlank();
    assertThat(d.get("uid").asText()).isNotBlank();
    assertThat(d.get("schemaVersion").asInt()).isPositive();
    JsonNode datasource = d.get("templating").get("list").get(0);
    assertThat(datasource.get("type").asText()).isEqualTo("datasource");
    assertThat(datasource.get("query").asText()).isEqualTo("prometheus");
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode panel : d.get("panels")) {
      assertThat(ids.add(panel.get("id").asInt())).as("unique panel ids").isTrue();
      if (!panel.get("type").asText().equals("row")) {
        assertThat(panel.get("datasource").get("uid").asText()).as(panel.get("title").asText()).isEqualTo("${datasource}");
        assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
      }
    }
  }

  @Test
  void everyMetricTheDashboardReadsIsExportedByARunningServer() throws Exception {
    JsonNode d = Http.JSON.readTree(Files.readString(DASHBOARD));
    Set<String> used = new TreeSet<>();
    queries(d).forEach(q -> used.addAll(metricNames(q)));
    assertThat(used).as("the dashboard reads the serving metrics of issue 23").contains("quiver_feature_values_total",
        "quiver_service_requests_seconds_bucket", "quiver_view_freshness_seconds", "quiver_registry_version",
        "quiver_validation_rows_failed_total", "quiver_materializations_total", "quiver_requests_shed_total");

    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    Files.writeString(dir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS.replace("- {name: amount, column: amount}",
        "- {name: amount, column: amount, validation: {max: 1000}}"));
    try (FeatureRepo repo = FeatureRepo.open(dir)) {
      assertThat(repo.apply(repo.plan(false), "test", "a validation rule", false)).isPresent();
      try (QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback());
           Http http = new Http(server.httpPort())) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
          traffic(http, ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS));
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        Set<String> exported = PromText.parse(http.get("/metrics").body()).names();
        assertThat(exported).as("exported after some traffic").containsAll(used);
      }
    }
  }

  private static void traffic(Http http, ServingServiceGrpc.ServingServiceBlockingStub stub) {
    Http.Reply materialized = http.post("/materialize", "{\"start_ts\": \"2025-01-01T00:00:00Z\", \"end_ts\": \"2026-02-01T00:00:00Z\"}");
    assertThat(materialized.status()).as(materialized.body()).isEqualTo(200);
    Http.Reply listed = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [1, 999]}}");
    assertThat(listed.status()).as(listed.body()).isEqualTo(200);
    Http.Reply service = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [2]}}");
    assertThat(service.status()).as(service.body()).isEqualTo(200);
    Http.Reply bad = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [\"x\"]}}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    Http.Reply push = http.post("/push", PushTest.push("online", 300, "2026-03-01T00:00:00Z", 5000.0, "JP"));
    assertThat(push.status()).as(push.body()).isEqualTo(200);
    assertThat(stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder().setFeatureService("risk")
        .putEntities("user_id", FeatureMetricsTest.int64s(3))
        .putRequestContext("txn_amount", dev.quiver.grpc.feast.types.RepeatedValue.newBuilder()
            .addVal(dev.quiver.grpc.feast.types.Value.newBuilder().setDoubleVal(1.0)).build()).build()).getResultsCount())
        .isPositive();
  }
}
