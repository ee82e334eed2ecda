package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation rules on Feast's /push: a {@code fail} rule refuses the push with a 422 naming the
 * rule, the feature, a sample and the count, and writes nothing; a {@code skip_row} rule drops the
 * failing rows; the counters are exported on /metrics.
 */
class ValidationPushTest {
  @TempDir Path tmp;
  FeatureRepo repo;
  QuiverServer server;
  Http http;

  @BeforeEach
  void start() throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    Files.writeString(dir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS
        .replace("- {name: amount, column: amount}", "- {name: amount, column: amount, validation: {min: {value: 0, on_fail: fail}}}")
        .replace("- {name: country, column: country}",
            "- {name: country, column: country, validation: {pattern: {value: \"^[A-Z]{2}$\", on_fail: skip_row}}}"));
    repo = FeatureRepo.open(dir);
    assertThat(repo.apply(repo.plan(false), "test", "rules", false)).isPresent();
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
    http = new Http(server.httpPort());
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
    repo.close();
  }

  static String push(double amount1, String country1, double amount2, String country2) {
    return """
        {"push_source_name": "txns", "to": "online",
         "df": {"user_id": [501, 502], "event_ts": ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"],
                "created_ts": ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"], "amount": [%s, %s],
                "country": ["%s", "%s"], "visits": [1, 2], "vip": [true, false], "tags": [["p"], ["q"]],
                "seen_at": ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"]}}"""
        .formatted(amount1, amount2, country1, country2);
  }

  String amountStatus(long user) {
    Http.Reply r = http.post("/get-online-features",
        "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [" + user + "]}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("results").get(1).get("statuses").get(0).asText();
  }

  long failedTotal(String feature, String rule) {
    String body = http.get("/metrics").body();
    Matcher m = Pattern.compile("quiver_validation_rows_failed_total\\{[^}]*feature=\"" + feature + "\",rule=\"" + rule
        + "\",view=\"user_stats@v1\"} ([0-9.E]+)").matcher(body);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void aFailingPushIsRefusedWith422AndWritesNothing() {
    long before = failedTotal("amount", "min");
    Http.Reply r = http.post("/push", push(-5.0, "FR", 3.0, "DE"));
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("min(0) on amount", "1 of 2 rows failed", "-5.0", "nothing was written");
    assertThat(amountStatus(501)).isEqualTo("NOT_FOUND");
    assertThat(amountStatus(502)).as("the valid row of a refused push is not written either").isEqualTo("NOT_FOUND");
    assertThat(failedTotal("amount", "min") - before).isEqualTo(1);
  }

  @Test
  void skipRowDropsTheFailingRowsAndCountsThem() {
    long before = failedTotal("country", "pattern");
    Http.Reply r = http.post("/push", push(1.0, "fr", 2.0, "DE"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("rows").asInt()).isEqualTo(1);
    assertThat(amountStatus(501)).isEqualTo("NOT_FOUND");
    assertThat(amountStatus(502)).isEqualTo("PRESENT");
    assertThat(failedTotal("country", "pattern") - before).isEqualTo(1);
    assertThat(http.get("/metrics").body()).contains("quiver_validation_rows_checked_total{");
  }
}
