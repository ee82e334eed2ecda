package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on a generated repo, with the real file registry and DuckDB schema reading. */
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path repo;
  String r;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    r = repo.toString();
    Cli init = Cli.run("init", r, "--rows", "3000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(repo.resolve("data/transactions.parquet")).exists();
    assertThat(repo.resolve("features/payments.yaml")).exists();
  }

  @Test
  void theInitTemplateValidatesAgainstItsOwnData() throws Exception {
    Cli plan = Cli.run("plan", "--repo", r, "--output", "json");
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    JsonNode p = JSON.readTree(plan.out());
    assertThat(p.path("base_version").asLong()).isZero();
    assertThat(p.path("changes")).hasSize(11);
    assertThat(p.path("breaking")).isEmpty();
  }

  @Test
  void planRefusesStoresThatAreNotInstalled() throws Exception {
    Path yaml = repo.resolve("quiver.yaml");
    String original = Files.readString(yaml);
    Files.writeString(yaml, original.replace("type: rocksdb", "type: cassandra"));
    Cli plan = Cli.run("plan", "--repo", r);
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
    assertThat(plan.err()).contains("no online store of type 'cassandra' is installed", "rocksdb");
    Files.writeString(yaml, original.replace("engine: duckdb", "engine: bigquery"));
    Cli apply = Cli.run("apply", "--repo", r);
    assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
    assertThat(apply.err()).contains("no offline engine named 'bigquery' is installed", "duckdb", "spark");
    assertThat(Cli.run("registry", "log", "--repo", r).out()).doesNotContain("version 1");
  }

  @Test
  void malformedNamesAndOptionsAreOneLineErrorsNotStackTraces() {
    assertThat(Cli.run("apply", "--repo", r, "-m", "first").exitCode()).isZero();
    String[][] cases = {
        {"'fraud_model@vabc' is not a service", "online", "--repo", r, "--service", "fraud_model@vabc", "--entity", "user_id=1"},
        {"'fraud_model@v99999999999' is not a service", "historical", "--repo", r, "--service", "fraud_model@v99999999999",
            "--query-sql", "SELECT 1 AS user_id", "--out", tmp.resolve("x.parquet").toString()},
        {"'user_txn@v99999999999' is not a name", "describe", "--repo", r, "user_txn@v99999999999"},
        {"is not a feature ref", "online", "--repo", r, "--features", "user_txn@v99999999999:last_amount", "--entity", "user_id=1"},
        {"--entity user_id is given twice", "online", "--repo", r, "--features", "user_txn:last_amount",
            "--entity", "user_id=1", "--entity", "user_id=2"},
        {"HTTP port must be 0..65535", "serve", "--repo", r, "--port", "99999"},
        {"--registry-poll must be at least 10ms", "serve", "--repo", r, "--registry-poll", "0s"},
        {"refusing to listen on 0.0.0.0 without authentication", "serve", "--repo", r, "--host", "0.0.0.0", "--port", "0",
            "--grpc-port", "-1"},
        {"--tls-key is missing: TLS needs both --tls-cert (PEM certificate chain) and --tls-key", "serve", "--repo", r,
            "--tls-cert", "server.pem"},
        {"is not a readable file", "serve", "--repo", r, "--port", "0", "--grpc-port", "-1", "--tls-cert", "nope.pem",
            "--tls-key", "nope-key.pem"},
        {"--idle-timeout 'soon' is not a duration", "serve", "--repo", r, "--idle-timeout", "soon"},
        {"the request timeout (--request-timeout) must be positive", "serve", "--repo", r, "--request-timeout", "0s"},
        {"--max-connections and the queue bound must be >= 1", "serve", "--repo", r, "--max-connections", "0"},
        {"the queue budget (--queue-budget) must be positive", "serve", "--repo", r, "--queue-budget", "0s"},
        {"--queue-budget 'soon' is not a duration", "serve", "--repo", r, "--queue-budget", "soon"},
        {"--latency-target 'soon' is not a duration", "serve", "--repo", r, "--latency-target", "soon"},
        {"--max-future-skew 'soon' is not a duration; write e.g. 30m", "serve", "--repo", r, "--max-future-skew", "soon"},
        {"materialize needs START and END", "materialize", "--repo", r, "2026-01-01"},
        {"--rebuild takes the views itself and one END at most", "materialize", "--repo", r, "--rebuild", "user_txn",
            "2026-01-01", "2026-02-01"},
        {"Missing required argument (specify one of these): (--features=REFS | --service=NAME[@vN])", "online", "--repo", r,
            "--entity", "user_id=1"},
        {"--entity 'user_id' must look like KEY=V1,V2", "online", "delete", "--repo", r, "--view", "user_txn", "--entity", "user_id"}};
    for (String[] c : cases) {
      Cli cli = Cli.run(java.util.Arrays.copyOfRange(c, 1, c.length));
      assertThat(cli.exitCode()).as(cli.toString()).isNotZero();
      assertThat(cli.err()).as(cli.toString()).contains(c[0]).doesNotContain("Exception", "\tat ");
    }
  }

  @Test
  void applyRecordsAVersionAndTheCatalogueReadsIt() throws Exception {
    Cli apply = Cli.run("apply", "--repo", r, "-m", "first", "--author", "ada");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    assertThat(apply.out()).contains("Applied registry version 1");

    Cli again = Cli.run("apply", "--repo", r);
    assertThat(again.out()).contains("No changes");

    JsonNode log = JSON.readTree(Cli.run("registry", "log", "--repo", r, "--output", "json").out());
    assertThat(log).hasSize(1);
    assertThat(log.get(0).path("author").asText()).isEqualTo("ada");
    assertThat(log.get(0).path("message").asText()).isEqualTo("first");
    assertThat(log.get(0).path("content_hash").asText()).startsWith("sha256:");

    JsonNode shown = JSON.readTree(Cli.run("registry", "show", "1", "--repo", r, "--output", "json").out());
    assertThat(shown.path("definitions").path("feature_views")).hasSize(4);

    JsonNode byTag = JSON.readTree(Cli.run("list", "features", "--repo", r, "--tag", "tier=gold", "--output", "json").out());
    assertThat(byTag).isNotEmpty().allSatisfy(f -> assertThat(f.path("view").asText()).isEqualTo("user_txn"));
    JsonNode byOwner = JSON.readTree(Cli.run("list", "features", "--repo", r, "--owner", "merchant-team", "--output", "json").out());
    assertThat(byOwner).isNotEmpty().allSatisfy(f -> assertThat(f.path("owner").asText()).isEqualTo("merchant-team"));
    JsonNode byName = JSON.readTree(Cli.run("list", "features", "--repo", r, "--name", "*_30d", "--output", "json").out());
    assertThat(byName).extracting(f -> f.path("feature").asText()).contains("amount_avg_30d", "max_amount_30d")
        .allSatisfy(n -> assertThat(n).endsWith("_30d"));

    JsonNode feature = JSON.readTree(Cli.run("describe", "user_txn:amount_avg_30d", "--repo", r, "--output", "json").out());
    assertThat(feature.path("type").asText()).isEqualTo("float64");
    assertThat(feature.path("read_by").get(0).asText()).isEqualTo("fraud_model@v1");

    for (String kind : new String[] {"entities", "sources", "views", "services"}) {
      Cli list = Cli.run("list", kind, "--repo", r);
      assertThat(list.exitCode()).as(list.toString()).isZero();
    }
    for (String name : new String[] {"user", "transactions", "user_txn", "txn_risk", "fraud_model"}) {
      Cli d = Cli.run("describe", name, "--repo", r, "--output", "json");
      assertThat(d.exitCode()).as(d.toString()).isZero();
      assertThat(JSON.readTree(d.out()).path("name").asText()).isEqualTo(name);
    }
  }

  @Test
  void breakingChangesAreRefusedUnlessForced() throws Exception {
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Path defs = repo.resolve("features/payments.yaml");
    Files.writeString(defs, Files.readString(defs).replace("{name: last_country, column: country}", "{name: last_country, column: currency}"));

    Cli refused = Cli.run("apply", "--repo", r);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.out()).contains("BREAKING", "user_txn@v1:last_country", "column: country -> currency");
    assertThat(refused.err()).contains("refusing to apply 1 breaking change (listed above under BREAKING)", "--force")
        .hasLineCount(1);
    assertThat((refused.out() + refused.err()).split("user_txn@v1:last_country", -1)).as("the plan is printed once").hasSize(2);
    assertThat((refused.out() + refused.err()).split("column: country -> currency", -1)).hasSize(3); // the change, and its reason
    assertThat(JSON.readTree(Cli.run("registry", "log", "--repo", r, "--output", "json").out())).hasSize(1);

    Cli forced = Cli.run("apply", "--repo", r, "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(JSON.readTree(Cli.run("registry", "log", "--repo", r, "--output", "json").out())).hasSize(2);
  }

  @Test
  void badDefinitionsExitWithFileLineAndNoStackTrace() throws Exception {
    Path defs = repo.resolve("features/payments.yaml");
    Files.writeString(defs, Files.readString(defs).replace("{fn: avg, column: amount, window: 30d}", "{fn: avg, column: country, window: 30d}"));
    Cli plan = Cli.run("plan", "--repo", r);
    assertThat(plan.exitCode()).isEqualTo(2);
    assertThat(plan.err()).containsPattern("features/payments\\.yaml:\\d+: aggregate 'amount_avg_30d' \\(avg\\) needs a numeric column");
    assertThat(plan.err()).doesNotContain("Exception", "\tat ");
  }

  @Test
  void userErrorsAreOneLine() {
    Cli missing = Cli.run("plan", "--repo", tmp.resolve("nowhere").toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).startsWith("error: no quiver.yaml").doesNotContain("\tat ");

    Cli empty = Cli.run("describe", "user_txn", "--repo", r);
    assertThat(empty.exitCode()).isEqualTo(1);
    assertThat(empty.err()).contains("the registry is empty");

    Cli.run("apply", "--repo", r);
    Cli unknown = Cli.run("describe", "user_tx", "--repo", r);
    assertThat(unknown.err()).contains("did you mean 'user_txn'");

    Cli existing = Cli.run("init", r, "--start", "2026-01-01");
    assertThat(existing.exitCode()).isEqualTo(1);
    assertThat(existing.err()).contains("not empty");
  }
}
