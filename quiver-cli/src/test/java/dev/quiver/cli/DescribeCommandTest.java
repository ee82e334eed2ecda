package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver describe} and {@code quiver list}: every definition detail, in text and JSON. */
class DescribeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  String r;

  @BeforeEach
  void init() throws Exception {
    r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "500", "--start", "2026-01-01").exitCode()).isZero();
    Path defs = tmp.resolve("repo/features/payments.yaml");
    // a percentile with a declared hop and a filter, beside the template's last_k (k: 5, default hop)
    Files.writeString(defs, Files.readString(defs).replace("      - name: online_share_7d\n",
        "      - name: amount_p95_30d\n"
            + "        aggregate: {fn: approx_percentile, column: amount, window: 30d, percentile: 0.95, hop: 2h, where: \"amount > 0\"}\n"
            + "      - name: online_share_7d\n"));
    Cli apply = Cli.run("apply", "--repo", r);
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
  }

  @Test
  void aggregatesShowEveryParameterInTextAndJson() throws Exception {
    Cli lastK = Cli.run("describe", "user_txn:last_5_amounts", "--repo", r);
    assertThat(lastK.out()).contains("definition: last_k(amount, k=5) over 7d hop 1h\n");
    Cli p95 = Cli.run("describe", "user_txn:amount_p95_30d", "--repo", r);
    assertThat(p95.out()).contains("definition: approx_percentile(amount, percentile=0.95) over 30d hop 2h where amount > 0\n");

    JsonNode k = JSON.readTree(Cli.run("describe", "user_txn:last_5_amounts", "--repo", r, "--output", "json").out());
    assertThat(k.path("aggregation").toString()).isEqualTo(
        "{\"fn\":\"last_k\",\"column\":\"amount\",\"window\":\"7d\",\"hop\":\"1h\",\"where\":null,\"k\":5,\"percentile\":null}");
    JsonNode p = JSON.readTree(Cli.run("describe", "user_txn:amount_p95_30d", "--repo", r, "--output", "json").out());
    assertThat(p.path("aggregation").toString()).isEqualTo(
        "{\"fn\":\"approx_percentile\",\"column\":\"amount\",\"window\":\"30d\",\"hop\":\"2h\",\"where\":\"amount > 0\",\"k\":null,\"percentile\":0.95}");
    JsonNode count = JSON.readTree(Cli.run("describe", "user_txn:txn_count_1h", "--repo", r, "--output", "json").out());
    assertThat(count.path("aggregation").path("column").isNull()).isTrue();
    assertThat(count.path("aggregation").path("hop").asText()).isEqualTo("5m");
    assertThat(JSON.readTree(Cli.run("describe", "user_txn:last_amount", "--repo", r, "--output", "json").out()).has("aggregation")).isFalse();

    // the view: text lists each feature's full definition, JSON the effective hop
    Cli view = Cli.run("describe", "user_txn", "--repo", r);
    assertThat(view.out()).contains("last_k(amount, k=5) over 7d hop 1h", "approx_percentile(amount, percentile=0.95) over 30d hop 2h where amount > 0");
    JsonNode viewJson = JSON.readTree(Cli.run("describe", "user_txn", "--repo", r, "--output", "json").out());
    for (JsonNode f : viewJson.path("features")) {
      if (f.path("name").asText().equals("last_5_amounts")) {
        assertThat(f.path("aggregation").path("k").asInt()).isEqualTo(5);
        assertThat(f.path("aggregation").path("hop").asText()).isEqualTo("1h");
      }
    }
    JsonNode listed = JSON.readTree(Cli.run("list", "features", "--repo", r, "--name", "last_5_amounts", "--output", "json").out());
    assertThat(listed.get(0).path("aggregation").path("k").asInt()).isEqualTo(5);
    assertThat(Cli.run("list", "features", "--repo", r, "--name", "last_5_amounts").out()).contains("last_k(amount, k=5) over 7d hop 1h");
  }

  @Test
  void aServiceShowsItsFeatureLoggingInTextAndJson() throws Exception {
    assertThat(Cli.run("describe", "fraud_model", "--repo", r).out()).contains("  logging: off\n");
    JsonNode off = JSON.readTree(Cli.run("describe", "fraud_model", "--repo", r, "--output", "json").out());
    assertThat(off.has("logging")).isFalse();
    Path defs = tmp.resolve("repo/features/payments.yaml");
    Files.writeString(defs, Files.readString(defs).replace("    description: Features of the card-fraud model.\n",
        "    description: Features of the card-fraud model.\n    logging: {sample_rate: 0.25}\n"));
    Cli plan = Cli.run("plan", "--repo", r);
    assertThat(plan.out()).as(plan.toString()).contains("fraud_model@v1", "logging.sample_rate");
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    assertThat(Cli.run("describe", "fraud_model", "--repo", r).out()).contains("  logging: sample_rate 0.25 (");
    JsonNode on = JSON.readTree(Cli.run("describe", "fraud_model", "--repo", r, "--output", "json").out());
    assertThat(on.path("logging").toString()).isEqualTo("{\"sample_rate\":0.25}");
  }

  @Test
  void aSourceIsDescribedInText() throws Exception {
    Cli text = Cli.run("describe", "transactions", "--repo", r);
    assertThat(text.exitCode()).as(text.toString()).isZero();
    assertThat(text.out()).isEqualTo("""
        source transactions
          kind: file
          path: data/transactions.parquet
          format: parquet
          timestamp: event_ts
          created: created_ts
          field mapping: none
          owner: payments-platform
          description: Card transactions, one row per authorisation (late and corrected rows included).
          tags:\s
          used by: merchant_txn@v1, user_txn@v1
        """);
    JsonNode json = JSON.readTree(Cli.run("describe", "transactions", "--repo", r, "--output", "json").out());
    assertThat(json.path("path").asText()).isEqualTo("data/transactions.parquet");
    assertThat(json.path("used_by")).hasSize(2);
  }
}
