package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver monitor drift} end to end on saved datasets of a {@code quiver init} repo: quiet on two
 * random halves of one query, drift on a shifted amount and a new category, exit codes and errors.
 */
class DriftCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FEATURES = "user_txn:last_amount,user_txn:txn_count_7d,user_profile:risk_segment,user_txn:last_5_amounts";

  @TempDir static Path tmp;
  static Path repo;

  @BeforeAll
  static void init() throws Exception {
    repo = tmp.resolve("repo");
    Cli init = Cli.run("init", repo.toString(), "--rows", "20000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    Cli apply = Cli.run("apply", "--repo", repo.toString(), "-m", "v1");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    Files.createDirectories(repo.resolve("labels"));
    // two halves of the same payments, split by a hash of the id: one distribution, resampled
    for (int half = 0; half < 2; half++) {
      duckdb("COPY (SELECT user_id, event_ts + INTERVAL 1 SECOND AS event_timestamp FROM '" + repo.resolve("data/transactions.parquet")
          + "' WHERE hash(txn_id) % 2 = " + half + " ORDER BY txn_id) TO '" + repo.resolve("labels/q" + half + ".parquet") + "' (FORMAT parquet)");
      Cli run = Cli.run("historical", "--repo", repo.toString(), "--query", repo.resolve("labels/q" + half + ".parquet").toString(),
          "--features", FEATURES, "--out", repo.resolve("out/half" + half + ".parquet").toString(), "--save", "half" + half);
      assertThat(run.exitCode()).as(run.toString()).isZero();
    }
    // the current side shifted: amounts up by half and 100, one user in ten in a segment never seen before; as a
    // directory of two part files, the way Spark writes training sets
    Path shifted = Files.createDirectories(tmp.resolve("shifted"));
    for (int part = 0; part < 2; part++) {
      duckdb("COPY (SELECT * REPLACE (last_amount * 1.5 + 100 AS last_amount, CASE WHEN user_id % 10 = 0 THEN 'brand_new'"
          + " ELSE risk_segment END AS risk_segment) FROM '" + repo.resolve("out/half1.parquet") + "' WHERE txn_count_7d % 2 = " + part
          + ") TO '" + shifted.resolve("part-0000" + part + ".parquet") + "' (FORMAT parquet)");
    }
  }

  @Test
  void twoHalvesOfOneQueryShowNoDrift() throws Exception {
    Cli table = drift("--baseline", "half0", "--current", "half1");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out()).contains("baseline: dataset 'half0' (out/half0.parquet)")
        .contains("No drift: 3 of 4 features compared, none past a fail threshold");
    assertThat(table.out().lines().filter(l -> l.startsWith("last_amount")).map(l -> l.split("\\s+")[1]).toList())
        .containsExactly("psi", "ks", "ks_p", "null_rate_change");
    assertThat(table.out()).containsPattern("last_5_amounts +- +- +- +NOT COMPARED +type .*\\[\\] is not compared");

    JsonNode json = json(drift("--baseline", "half0", "--current", "half1", "--output", "json", "--ks-fail", "0.0001"), 0);
    assertThat(json.path("drift").asBoolean()).isFalse();
    assertThat(json.path("baseline_rows").asLong() + json.path("current_rows").asLong()).isEqualTo(20000);
    JsonNode amount = feature(json, "last_amount");
    assertThat(amount.path("kind").asText()).isEqualTo("numeric");
    assertThat(measure(amount, "psi").path("value").asDouble()).isLessThan(0.02);
    assertThat(measure(amount, "ks_p").path("value").asDouble()).isGreaterThan(0.001);
    assertThat(measure(amount, "ks_p").path("verdict").asText()).isEqualTo("ok");
    JsonNode segment = feature(json, "risk_segment");
    assertThat(segment.path("kind").asText()).isEqualTo("categorical");
    assertThat(measure(segment, "psi").path("value").asDouble()).isLessThan(0.02);
    assertThat(segment.path("note").asText()).isEmpty();
  }

  @Test
  void aShiftedAmountAndANewSegmentAreDriftWithExitOne() throws Exception {
    String dir = tmp.resolve("shifted").toString();
    Cli table = drift("--baseline", "half0", "--current", dir, "--chi2-fail", "0.001");
    assertThat(table.exitCode()).as(table.toString()).isEqualTo(1);
    assertThat(table.out()).containsPattern("last_amount +psi +\\d+\\.\\d+ +> 0.25 \\(warn > 0.1\\) +DRIFT")
        .containsPattern("risk_segment +psi +\\d+\\.\\d+ +> 0.25 \\(warn > 0.1\\) +DRIFT +new categories: brand_new")
        .containsPattern("risk_segment +chi2_p +\\S+ +p < 0.001 +DRIFT")
        .contains("DRIFT in 2 of 4 features: last_amount, risk_segment");

    JsonNode json = json(drift("--baseline", "half0", "--current", dir, "-o", "json"), 1);
    assertThat(json.path("drift").asBoolean()).isTrue();
    assertThat(measure(feature(json, "last_amount"), "psi").path("value").asDouble()).isGreaterThan(1.0);
    assertThat(measure(feature(json, "last_amount"), "ks").path("value").asDouble()).isGreaterThan(0.3);
    assertThat(feature(json, "txn_count_7d").path("verdict").asText()).isEqualTo("ok"); // untouched
    assertThat(measure(feature(json, "risk_segment"), "psi").path("value").asDouble()).isGreaterThan(0.25);

    // thresholds decide: with PSI bands above what is seen, the same data passes
    Cli lenient = drift("--baseline", "half0", "--current", dir, "--psi-warn", "50", "--psi-fail", "100");
    assertThat(lenient.exitCode()).as(lenient.toString()).isZero();
  }

  @Test
  void filesWithoutFeatureListsLeaveOutEntityKeysAndTimestamps() throws Exception {
    duckdb("COPY (SELECT * FROM '" + repo.resolve("out/half0.parquet") + "') TO '" + tmp.resolve("half0.csv") + "' (FORMAT csv, HEADER)");
    JsonNode json = json(drift("--baseline", tmp.resolve("half0.csv").toString(), "--current", repo.resolve("out/half1.parquet").toString(),
        "-o", "json"), 0);
    List<String> names = new ArrayList<>();
    json.path("features").forEach(f -> names.add(f.path("feature").asText()));
    assertThat(names).containsExactly("last_amount", "txn_count_7d", "risk_segment", "last_5_amounts");
    assertThat(feature(json, "last_5_amounts").path("note").asText()).contains("types differ");
  }

  @Test
  void aFeatureAbsentFromASideIsReportedAndUsageErrorsExitTwo() throws Exception {
    Cli missing = drift("--baseline", "half0", "--current", "half1", "--features", "last_amount,no_such_feature,user_id");
    assertThat(missing.exitCode()).as(missing.toString()).isZero();
    assertThat(missing.out()).containsPattern("no_such_feature +- +- +- +NOT COMPARED +absent from the baseline and the current side")
        .containsPattern("user_id +- +- +- +NOT COMPARED +an entity key");

    Cli unknown = drift("--baseline", "no_such_set", "--current", "half1");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("'no_such_set' is neither a saved dataset in the repo at").contains("(quiver datasets list)")
        .doesNotContain("Exception");
    Cli bands = drift("--baseline", "half0", "--current", "half1", "--psi-warn", "0.5", "--psi-fail", "0.2");
    assertThat(bands.exitCode()).isEqualTo(2);
    assertThat(bands.err()).contains("--psi-warn 0.5 is above --psi-fail 0.2");
    Cli bins = drift("--baseline", "half0", "--current", "half1", "--bins", "1");
    assertThat(bins.exitCode()).isEqualTo(2);
    assertThat(bins.err()).contains("--bins must be at least 2, not 1");
    Files.writeString(tmp.resolve("notes.txt"), "x");
    Cli txt = drift("--baseline", tmp.resolve("notes.txt").toString(), "--current", "half1");
    assertThat(txt.exitCode()).isEqualTo(2);
    assertThat(txt.err()).contains("notes.txt is neither a .parquet nor a .csv file");
    Cli noOption = Cli.run("monitor", "drift", "--baseline", "half0");
    assertThat(noOption.exitCode()).isEqualTo(2);
    assertThat(noOption.err()).contains("--current");
  }

  private static Cli drift(String... args) {
    List<String> all = new ArrayList<>(List.of("monitor", "drift", "--repo", repo.toString()));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  private static JsonNode json(Cli run, int exitCode) throws Exception {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
    return JSON.readTree(run.out());
  }

  private static JsonNode feature(JsonNode json, String name) {
    for (JsonNode f : json.path("features")) {
      if (f.path("feature").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no feature " + name + " in " + json);
  }

  private static JsonNode measure(JsonNode feature, String statistic) {
    for (JsonNode m : feature.path("measures")) {
      if (m.path("statistic").asText().equals(statistic)) {
        return m;
      }
    }
    throw new AssertionError("no " + statistic + " in " + feature);
  }

  private static void duckdb(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
