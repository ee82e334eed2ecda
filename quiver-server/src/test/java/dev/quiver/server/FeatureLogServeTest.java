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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature logging through a running server: a served request is in the Parquet log with the values,
 * statuses, keys and request data the response had; the server's shutdown flushes; the log directory
 * is a source a training set reads (training on served features).
 */
class FeatureLogServeTest {
  static final String LOGGED = """
      feature_services:
        - name: logged
          features: ["user_stats:amount", "user_stats:country", "user_stats:tags", "user_stats:seen_at",
                     "user_stats:vip", "txn_risk:amount_ratio"]
          logging: {sample_rate: 1.0}
      """;

  @TempDir Path tmp;

  @Test
  void aServedRequestIsLoggedAsTheResponseHadIt() throws Exception {
    Path root = TestRepo.create(tmp.resolve("repo"), """
        online: {type: rocksdb, path: .quiver/online}
        feature_logging: {path: logs, roll_every: 1h}""");
    Files.writeString(root.resolve("features/logged.yaml"), LOGGED);
    JsonNode response;
    JsonNode unlogged;
    Instant before;
    Instant after;
    QuiverServer stopped;
    try (FeatureRepo repo = FeatureRepo.open(root)) {
      repo.apply(repo.plan(false), "test", "log the logged service", false);
      try (QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
           Http http = new Http(server.httpPort())) {
        before = Instant.now();
        Http.Reply r = http.post("/get-online-features", """
            {"feature_service": "logged", "entities": {"user_id": [4, 999999, 9], "txn_amount": [12.0, 5.0, null]}}""");
        after = Instant.now();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        response = r.json();
        Http.Reply other = http.post("/get-online-features", """
            {"feature_service": "scoring", "entities": {"user_id": [4]}}""");
        assertThat(other.status()).isEqualTo(200);
        unlogged = other.json();
        assertThat(unlogged).isNotNull();
        assertThat(Files.exists(root.resolve("logs"))).as("nothing is written before a roll").isFalse();
        stopped = server;
      }
      assertThat(stopped.metrics().scrape()).contains("quiver_feature_log_rows_total{service=\"logged\"} 3.0")
          .contains("quiver_feature_log_files_total 1.0").doesNotContain("quiver_feature_log_dropped_total");
      // the server closed: its shutdown wrote the buffered rows
      assertThat(files(root.resolve("logs"))).singleElement().satisfies(f -> {
        assertThat(root.resolve("logs").relativize(f).toString()).matches(
            "logged/date=" + java.time.LocalDate.ofInstant(before, java.time.ZoneOffset.UTC) + "/part-\\d{13}-1\\.parquet");
      });
      assertThat(root.resolve("logs/scoring")).as("a service without logging: is not logged").doesNotExist();

      List<Map<String, Object>> rows = read(root.resolve("logs"),
          "SELECT *, typeof(served_at) AS t_served, typeof(user_id) AS t_key, typeof(txn_amount) AS t_req,"
              + " typeof(user_stats__tags) AS t_tags, typeof(user_stats__seen_at) AS t_seen, typeof(date) AS t_date"
              + " FROM read_parquet('" + root.resolve("logs") + "/**/*.parquet', hive_partitioning = true)");
      assertThat(rows).hasSize(3);
      List<String> features = List.of("user_stats__amount", "user_stats__country", "user_stats__tags",
          "user_stats__seen_at", "user_stats__vip", "txn_risk__amount_ratio");
      JsonNode results = response.get("results");
      assertThat(HttpServerTest.names(response)).containsExactly("user_id", "amount", "country", "tags", "seen_at", "vip", "amount_ratio");
      for (int i = 0; i < 3; i++) {
        Map<String, Object> row = rows.get(i);
        assertThat(row.get("request_id")).isEqualTo(rows.getFirst().get("request_id")).isNotNull();
        Instant servedAt = ((java.sql.Timestamp) row.get("served_at")).toLocalDateTime().toInstant(java.time.ZoneOffset.UTC);
        assertThat(servedAt).isBetween(before.minusMillis(1), after.plusMillis(1));
        assertThat(row.get("registry_version")).isEqualTo(2);
        assertThat(row.get("service")).isEqualTo("logged");
        assertThat(row.get("service_version")).isEqualTo(1);
        assertThat(((Number) row.get("user_id")).longValue()).isEqualTo(results.get(0).get("values").get(i).asLong());
        for (int f = 0; f < features.size(); f++) {
          JsonNode col = results.get(f + 1);
          assertThat(row.get(features.get(f) + "__status")).as(features.get(f) + " row " + i)
              .isEqualTo(col.get("statuses").get(i).asText());
          JsonNode expected = col.get("values").get(i);
          Object actual = row.get(features.get(f));
          assertThat(json(actual)).as(features.get(f) + " row " + i).isEqualTo(expected.isNull() ? "null" : expected.toString());
        }
      }
      assertThat(rows.get(0).get("txn_amount")).isEqualTo(12.0);
      assertThat(rows.get(2).get("txn_amount")).isNull();
      assertThat(rows.get(1).get("user_stats__amount__status")).isEqualTo("NOT_FOUND");
      assertThat(rows.get(2).get("txn_risk__amount_ratio__status")).isEqualTo("NULL_VALUE");
      assertThat(rows.getFirst()).containsEntry("t_served", "TIMESTAMP").containsEntry("t_key", "BIGINT")
          .containsEntry("t_req", "DOUBLE").containsEntry("t_tags", "VARCHAR[]").containsEntry("t_seen", "TIMESTAMP");

      // the log is a source like any other: a view over it, and a training set of what was served
      Files.writeString(root.resolve("features/served.yaml"), """
          sources:
            - {name: served_log, path: logs/logged/, timestamp: served_at}
          feature_views:
            - name: served
              entities: [user]
              source: served_log
              features:
                - {name: amount, column: user_stats__amount}
                - {name: amount_status, column: user_stats__amount__status}
          """);
      repo.apply(repo.plan(false), "test", "train on served features", false);
      String query = "SELECT * FROM (VALUES (4::BIGINT, TIMESTAMP '2100-01-01'), (999999::BIGINT, TIMESTAMP '2100-01-01'))"
          + " AS q(user_id, event_timestamp)";
      List<Object[]> training = new ArrayList<>();
      try (HistoricalRows t = repo.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query),
          List.of(FeatureRef.of("served:amount"), FeatureRef.of("served:amount_status"))))) {
        t.forEachRemaining(training::add);
      }
      assertThat(training).hasSize(2);
      assertThat(((Number) training.get(0)[2]).doubleValue()).isEqualTo(results.get(1).get("values").get(0).asDouble());
      assertThat(training.get(0)[3]).isEqualTo("PRESENT");
      assertThat(training.get(1)[3]).isEqualTo("NOT_FOUND");
    }
  }

  private static String json(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> "\"" + s + "\"";
      case java.sql.Timestamp t -> "\"" + t.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC) + "\"";
      case List<?> items -> {
        List<String> out = new ArrayList<>();
        for (Object o : items) {
          out.add(json(o));
        }
        yield "[" + String.join(",", out) + "]";
      }
      default -> String.valueOf(v);
    };
  }

  static List<Path> files(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static List<Map<String, Object>> read(Path dir, String sql) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          if (v instanceof java.sql.Array a) {
            v = java.util.Arrays.asList((Object[]) a.getArray());
          }
          row.put(rs.getMetaData().getColumnLabel(i), v);
        }
        out.add(row);
      }
    }
    return out;
  }
}
