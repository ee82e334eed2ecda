package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver historical} and {@code quiver datasets} on a generated repo. */
class HistoricalCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUERY_SQL =
      "SELECT txn_id, user_id, merchant_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp, is_fraud"
          + " FROM transactions WHERE txn_id % 7 = 0 ORDER BY txn_id DESC";
  private static final String FEATURES = "user_txn:last_amount,user_profile:risk_segment,merchant_profile:risk_score";

  @TempDir Path tmp;
  String r;

  @BeforeEach
  void init() {
    r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "4000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
  }

  @Test
  void aSourceColumnGoneSinceApplySaysToRunPlan() throws Exception {
    Path data = tmp.resolve("repo/data/transactions.parquet");
    Path without = tmp.resolve("without_amount.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * EXCLUDE (amount) FROM '" + data + "') TO '" + without + "' (FORMAT parquet)");
    }
    Files.move(without, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", "user_txn:last_amount",
        "--out", tmp.resolve("o.parquet").toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err()).contains("source 'transactions' (data/transactions.parquet) has no column 'amount', which view user_txn@v1 reads",
        "run 'quiver plan' to see what differs").doesNotContain("\tat ", "training set");
  }

  /**
   * Query rows written by pandas ({@code df.to_parquet} of a {@code datetime64[ns, UTC]} column) hold
   * zoned nanosecond times, which DuckDB does not cast to {@code TIMESTAMP} itself; they give the
   * same training set as the same rows with microsecond times (the times here end in 000 ns).
   */
  @Test
  void queryRowsWithZonedNanosecondTimesAsPandasWritesThem() throws Exception {
    Path micros = tmp.resolve("q_us.parquet");
    Path nanos = tmp.resolve("q_ns.parquet");
    String rows = "SELECT txn_id, user_id, merchant_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp"
        + " FROM '" + tmp.resolve("repo/data/transactions.parquet") + "' WHERE txn_id % 7 = 0 ORDER BY txn_id DESC";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("COPY (" + rows + ") TO '" + micros + "' (FORMAT parquet)");
      s.execute("COPY (SELECT * REPLACE (CAST(event_timestamp AS TIMESTAMPTZ_NS) AS event_timestamp) FROM (" + rows
          + ")) TO '" + nanos + "' (FORMAT parquet)");
      try (java.sql.ResultSet t = s.executeQuery("SELECT typeof(event_timestamp) FROM '" + nanos + "' LIMIT 1")) {
        assertThat(t.next()).isTrue();
        assertThat(t.getString(1)).as("the query file holds zoned nanoseconds")
            .isIn("TIMESTAMPTZ_NS", "TIMESTAMP_NS WITH TIME ZONE");
      }
    }
    List<String> answers = new ArrayList<>();
    for (Path query : List.of(micros, nanos)) {
      Path out = tmp.resolve("from_" + query.getFileName());
      Cli run = Cli.run("historical", "--repo", r, "--query", query.toString(), "--features", FEATURES + ",user_txn:txn_count_7d",
          "--out", out.toString());
      assertThat(run.exitCode()).as(run.toString()).isZero();
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement s = c.createStatement();
          java.sql.ResultSet t = s.executeQuery("SELECT * EXCLUDE (event_timestamp), epoch_us(event_timestamp) FROM '" + out + "'")) {
        StringBuilder all = new StringBuilder();
        int n = t.getMetaData().getColumnCount();
        while (t.next()) {
          for (int i = 1; i <= n; i++) {
            all.append(t.getString(i)).append(i == n ? "\n" : "|");
          }
        }
        answers.add(all.toString());
      }
    }
    assertThat(answers.get(0)).isNotEmpty().contains("|");
    assertThat(answers.get(1)).isEqualTo(answers.get(0));
  }

  @Test
  void writesSavesListsAndReproducesATrainingSet() throws Exception {
    Path out = tmp.resolve("out/train.parquet");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", FEATURES,
        "--out", out.toString(), "--save", "train_v1", "--author", "ada", "--preview", "3");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Wrote 573 rows x 3 features", "Saved as dataset 'train_v1'", "risk_segment");
    assertThat(out).exists();

    assertThat(Cli.run("datasets", "list", "--repo", r).out()).contains("train_v1", "573");
    JsonNode listed = JSON.readTree(Cli.run("datasets", "list", "--repo", r, "--output", "json").out());
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("name").asText()).isEqualTo("train_v1");
    assertThat(listed.get(0).path("rows").asLong()).isEqualTo(573);
    JsonNode shown = JSON.readTree(Cli.run("datasets", "show", "train_v1", "--repo", r, "--output", "json").out());
    assertThat(shown.path("registry_version").asLong()).isEqualTo(1);
    assertThat(shown.path("rows").asLong()).isEqualTo(573);
    assertThat(shown.path("author").asText()).isEqualTo("ada");
    assertThat(shown.path("features")).extracting(JsonNode::asText)
        .containsExactly("user_txn@v1:last_amount", "user_profile@v1:risk_segment", "merchant_profile@v1:risk_score");
    assertThat(shown.path("source_fingerprints").size()).isEqualTo(3);

    Cli rep = Cli.run("datasets", "reproduce", "train_v1", "--repo", r, "--out", tmp.resolve("again.parquet").toString());
    assertThat(rep.exitCode()).as(rep.toString()).isZero();
    assertThat(rep.out()).contains("Identical to the saved training set");
    assertThat(Files.mismatch(out, tmp.resolve("again.parquet"))).isEqualTo(-1);
    Cli asCsv = Cli.run("datasets", "reproduce", "train_v1", "--repo", r, "--out", tmp.resolve("again.csv").toString());
    assertThat(asCsv.exitCode()).as(asCsv.toString()).isEqualTo(1);
    assertThat(asCsv.err()).contains("was saved as parquet", "give --out a .parquet path");
    assertThat(tmp.resolve("again.csv")).doesNotExist();

    Cli dup = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", FEATURES,
        "--out", tmp.resolve("x.parquet").toString(), "--save", "train_v1");
    assertThat(dup.exitCode()).isEqualTo(1);
    assertThat(dup.err()).contains("already exists");

    // both attempts to save are in the audit log: the dataset saved, and the name refused
    JsonNode audit = JSON.readTree(Cli.run("audit", "log", "--repo", r, "--output", "json").out());
    java.util.List<JsonNode> saves = new java.util.ArrayList<>();
    audit.forEach(e -> {
      if (e.path("action").asText().equals("save_dataset")) {
        saves.add(e);
      }
    });
    assertThat(saves).extracting(e -> e.path("resource").asText() + " " + e.path("outcome").asText())
        .containsExactly("dataset train_v1 ok", "dataset train_v1 failed");
    assertThat(saves.getFirst().path("detail").asText()).contains("as ada", "573 rows", "sha256:", "registry version 1");
    assertThat(saves.get(1).path("detail").asText()).contains("already exists");
  }

  @Test
  void aDirectoryTargetIsSavedVerifiedAndReproducedAsADirectory() throws Exception {
    Path file = tmp.resolve("out/train.parquet");
    assertThat(Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", FEATURES, "--out", file.toString())
        .exitCode()).isZero();
    Path dir = Path.of(r).resolve("sets/train");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", FEATURES,
        "--out", dir + "/", "--save", "dir_v1", "--preview", "2");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Wrote 573 rows x 3 features to " + dir + "/ (1 Parquet part file)", "risk_segment");
    assertThat(Files.mismatch(file, dir.resolve("part-00000.parquet"))).as("the same bytes as the file").isEqualTo(-1);
    JsonNode shown = JSON.readTree(Cli.run("datasets", "show", "dir_v1", "--repo", r, "--output", "json").out());
    assertThat(shown.path("output").asText()).isEqualTo("sets/train/");

    Cli verify = Cli.run("datasets", "verify", "dir_v1", "--repo", r);
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    assertThat(verify.out()).contains("dir_v1: sets/train/ is unchanged (sha256:");
    Cli again = Cli.run("datasets", "reproduce", "dir_v1", "--repo", r, "--out", tmp.resolve("again").toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Identical to the saved training set");
    Cli asFile = Cli.run("datasets", "reproduce", "dir_v1", "--repo", r, "--out", tmp.resolve("again.parquet").toString());
    assertThat(asFile.exitCode()).isEqualTo(1);
    assertThat(asFile.err()).contains("was saved as a training set directory", "a directory path without a .parquet or .csv extension");

    Files.write(dir.resolve("part-00000.parquet"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    Cli changed = Cli.run("datasets", "verify", "dir_v1", "--repo", r);
    assertThat(changed.exitCode()).isEqualTo(1);
    assertThat(changed.out()).contains("dir_v1: sets/train/ CHANGED since it was saved", "quiver datasets reproduce dir_v1");
    Files.copy(file, dir.resolve("part-00001.parquet")); // a part added
    Files.write(dir.resolve("part-00000.parquet"), Files.readAllBytes(file));
    assertThat(Cli.run("datasets", "verify", "dir_v1", "--repo", r).exitCode()).isEqualTo(1);
    Files.delete(dir.resolve("part-00001.parquet"));
    assertThat(Cli.run("datasets", "verify", "dir_v1", "--repo", r).exitCode()).as("restored").isZero();

    Files.writeString(dir.resolve("notes.txt"), "mine");
    Cli refused = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", FEATURES, "--out", dir.toString());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("notes.txt", "choose another --out").doesNotContain("\tat ");
    assertThat(dir.resolve("notes.txt")).hasContent("mine");
  }

  @Test
  void onDemandFeaturesReadRequestDataFromTheQueryRowsAndReproduce() throws Exception {
    String query = "SELECT txn_id, user_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp, amount, country"
        + " FROM transactions WHERE txn_id % 11 = 0 ORDER BY txn_id";
    Path out = tmp.resolve("risk.parquet");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", query,
        "--features", "txn_risk:is_foreign,user_profile:home_country,txn_risk:over_limit", "--out", out.toString(),
        "--save", "risk_v1", "--preview", "3");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("x 3 features", "is_foreign", "over_limit");
    try (FeatureRepo repo = FeatureRepo.open(Path.of(r));
        HistoricalRows rows = repo.offline().read(out, FileFormat.PARQUET)) {
      assertThat(rows.columns().stream().map(PointInTimePlan.Column::name))
          .containsExactly("txn_id", "user_id", "event_timestamp", "amount", "country", "is_foreign", "home_country", "over_limit");
      int foreign = 0;
      int checked = 0;
      while (rows.hasNext()) {
        Object[] row = rows.next();
        Object expected = row[4] == null || row[6] == null ? null : !row[4].equals(row[6]);
        assertThat(row[5]).as("is_foreign of %s", Arrays.toString(row)).isEqualTo(expected);
        assertThat(row[7]).as("over_limit is never null (coalesce)").isNotNull();
        foreign += Boolean.TRUE.equals(row[5]) ? 1 : 0;
        checked++;
      }
      assertThat(checked).isGreaterThan(100);
      assertThat(foreign).isPositive();
    }
    Cli rep = Cli.run("datasets", "reproduce", "risk_v1", "--repo", r, "--out", tmp.resolve("again.parquet").toString());
    assertThat(rep.exitCode()).as(rep.toString()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("again.parquet"))).isEqualTo(Files.readAllBytes(out));

    Cli missing = Cli.run("historical", "--repo", r, "--query-sql", "SELECT user_id, event_ts AS event_timestamp FROM transactions",
        "--features", "txn_risk:is_foreign", "--out", tmp.resolve("bad.parquet").toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("needs request field 'country'", "from the query rows");
  }

  @Test
  void windowAggregatesInATrainingSet() {
    Path out = tmp.resolve("agg.parquet");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL,
        "--features", "user_txn:amount_avg_30d,user_txn:txn_count_7d,user_txn:last_amount", "--out", out.toString(), "--preview", "3");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Wrote 573 rows x 3 features", "amount_avg_30d", "txn_count_7d");
    // a filtered aggregate (where: "channel = 'online'") never counts more than the unfiltered one
    Path both = tmp.resolve("f.parquet");
    Cli filtered = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features",
        "user_txn:online_count_7d,user_txn:txn_count_7d", "--out", both.toString());
    assertThat(filtered.exitCode()).as(filtered.toString()).isZero();
    long fewer = 0;
    try (FeatureRepo repo = FeatureRepo.open(Path.of(r));
        HistoricalRows rows = repo.offline().read(both, dev.quiver.core.model.FileFormat.PARQUET)) {
      while (rows.hasNext()) {
        Object[] row = rows.next();
        long online = (Long) row[row.length - 2];
        long all = (Long) row[row.length - 1];
        assertThat(online).isLessThanOrEqualTo(all);
        fewer += online < all ? 1 : 0;
      }
    }
    assertThat(fewer).isGreaterThan(0);
  }

  @Test
  void derivedFeaturesOverWindowAggregatesAreWrittenWithTheSameValuesTheRowsStream() throws Exception {
    String query = "SELECT txn_id, user_id, merchant_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp, amount, country,"
        + " is_fraud FROM transactions WHERE txn_id % 7 = 0 ORDER BY txn_id DESC";
    String features = "user_txn:amount_avg_30d,txn_risk:amount_ratio_30d,txn_risk:is_foreign,user_txn:txn_count_7d";
    Path out = tmp.resolve("ratio.parquet");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", query, "--features", features, "--out", out.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Wrote 573 rows x 4 features");
    try (FeatureRepo repo = FeatureRepo.open(Path.of(r))) {
      List<FeatureRef> refs = java.util.Arrays.stream(features.split(",")).map(FeatureRef::of).toList();
      List<List<Object>> streamed = new ArrayList<>();
      try (HistoricalRows rows = repo.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), refs))) {
        rows.forEachRemaining(row -> streamed.add(java.util.Arrays.asList(row)));
      }
      List<List<Object>> written = new ArrayList<>();
      try (HistoricalRows rows = repo.offline().read(out, dev.quiver.core.model.FileFormat.PARQUET)) {
        rows.forEachRemaining(row -> written.add(java.util.Arrays.asList(row)));
      }
      assertThat(written).isEqualTo(streamed);
      int ratios = 0;
      for (List<Object> row : written) {
        Double amount = (Double) row.get(4);
        Double avg = (Double) row.get(7);
        Double ratio = (Double) row.get(8);
        if (avg != null && avg != 0 && amount != null) {
          assertThat(ratio).isEqualTo(amount / avg);
          ratios++;
        }
      }
      assertThat(ratios).isGreaterThan(100);
    }
  }

  @Test
  void reproductionRefusesChangedSourceData() throws Exception {
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", FEATURES,
        "--out", tmp.resolve("t.csv").toString(), "--save", "t");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    Path profiles = Path.of(r, "data/user_profiles.parquet");
    Path fewer = tmp.resolve("fewer.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM '" + profiles + "' LIMIT 10) TO '" + fewer + "' (FORMAT parquet)");
    }
    Files.move(fewer, profiles, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // same columns, other rows
    Cli rep = Cli.run("datasets", "reproduce", "t", "--repo", r, "--out", tmp.resolve("t2.csv").toString());
    assertThat(rep.exitCode()).isEqualTo(1);
    assertThat(rep.err()).contains("source files changed", "user_profiles.parquet");
    Files.write(profiles, Files.readAllBytes(Path.of(r, "data/merchant_profiles.parquet"))); // other columns too
    rep = Cli.run("datasets", "reproduce", "t", "--repo", r, "--out", tmp.resolve("t2.csv").toString());
    assertThat(rep.exitCode()).isEqualTo(1);
    assertThat(rep.err()).contains("has no column 'user_id'", "files changed since registry version 1");
  }

  @Test
  void theJavaApiStreamsRowsInQueryOrderWithLabelsPassedThrough() {
    try (FeatureRepo repo = FeatureRepo.open(Path.of(r))) {
      HistoricalRequest request = HistoricalRequest.ofFeatures(new QueryInput.Sql(QUERY_SQL),
          List.of(FeatureRef.of("user_txn:last_country"), FeatureRef.of("merchant_profile:*"))).withFullFeatureNames(true);
      List<Long> txnIds = new ArrayList<>();
      try (HistoricalRows rows = repo.getHistoricalFeatures(request)) {
        assertThat(rows.columns()).extracting(c -> c.name()).containsExactly("txn_id", "user_id", "merchant_id",
            "event_timestamp", "is_fraud", "user_txn__last_country", "merchant_profile__category",
            "merchant_profile__merchant_country", "merchant_profile__risk_score");
        while (rows.hasNext()) {
          txnIds.add((Long) rows.next()[0]);
        }
      }
      assertThat(txnIds).hasSize(573).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }
  }

  @Test
  void badRequestsAreRejectedBeforeAnyHeavyWork() throws Exception {
    Path query = tmp.resolve("q.csv");
    Files.writeString(query, "user_id,ts\n1,2026-02-01 00:00:00\n");
    Path noTs = tmp.resolve("no_ts.csv");
    Files.writeString(noTs, "user_id,label\n1,0\n");
    Path badKey = tmp.resolve("bad_key.csv");
    Files.writeString(badKey, "user_id,event_timestamp\nabc,2026-02-01 00:00:00\n");
    String out = tmp.resolve("o.parquet").toString();

    assertError(Cli.run("historical", "--repo", r, "--query", noTs.toString(), "--features", "user_txn:last_amount", "--out", out),
        "need a timestamp column");
    assertError(Cli.run("historical", "--repo", r, "--query", badKey.toString(), "--features", "user_txn:last_amount", "--out", out),
        "query column 'user_id' is string but join key 'user_id' of entity 'user' is int64");
    assertError(Cli.run("historical", "--repo", r, "--query", query.toString(), "--features", "user_txn:last_amout", "--out", out),
        "did you mean 'last_amount'");
    assertError(Cli.run("historical", "--repo", r, "--query", query.toString(), "--features", "user_tx:last_amount", "--out", out),
        "no feature view 'user_tx'");
    assertError(Cli.run("historical", "--repo", r, "--query", tmp.resolve("missing.parquet").toString(), "--features", "user_txn:last_amount", "--out", out),
        "no file matches");
    Files.writeString(tmp.resolve("garbage.parquet"), "not parquet");
    assertError(Cli.run("historical", "--repo", r, "--query", tmp.resolve("garbage.parquet").toString(), "--features", "user_txn:last_amount", "--out", out),
        "cannot read the query rows");
    assertThat(Path.of(out)).doesNotExist();

    Cli ok = Cli.run("historical", "--repo", r, "--query", query.toString(), "--timestamp-column", "ts",
        "--features", "user_txn:last_amount", "--out", out);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    try (FeatureRepo repo = FeatureRepo.open(Path.of(r)); HistoricalRows rows = repo.offline().read(Path.of(out), FileFormat.PARQUET)) {
      assertThat(rows.columns()).extracting(c -> c.name()).containsExactly("user_id", "ts", "last_amount");
    }
  }

  private static void assertError(Cli cli, String message) {
    assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(1);
    assertThat(cli.err()).as(cli.toString()).contains(message).doesNotContain("\tat ");
  }
}
