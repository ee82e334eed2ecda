package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ±infinity} timestamps get one clear outcome in materialization and training sets alike: a
 * source row with an infinite event or created time fails what reads the source, naming the source,
 * column, file and row; query rows with an infinite timestamp are refused.
 */
class InfiniteTimesTest {
  private static final String FINITE_QUERY =
      "SELECT user_id, event_ts AS event_timestamp FROM transactions WHERE isfinite(event_ts) AND txn_id % 7 = 0";

  @TempDir Path tmp;
  Path repo;
  String r;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    r = repo.toString();
    Cli init = Cli.run("init", r, "--rows", "2000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
  }

  /** Rewrites the transactions with {@code column} of row 10 (counting from 1) set to {@code value}. */
  private void setRow10(String column, String value) throws Exception {
    Path data = repo.resolve("data/transactions.parquet");
    Path changed = tmp.resolve("changed.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * EXCLUDE (file_row_number) REPLACE (CASE WHEN file_row_number = 9 THEN '" + value + "'::TIMESTAMP ELSE "
          + column + " END AS " + column + ") FROM read_parquet('" + data + "', file_row_number = true) ORDER BY file_row_number)"
          + " TO '" + changed + "' (FORMAT parquet)");
    }
    Files.move(changed, data, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void anInfiniteEventTimeFailsMaterializationAndTrainingSetsOfItsSourceAlike() throws Exception {
    setRow10("event_ts", "infinity");
    String expected = "source 'transactions' has an infinite event time (event_ts = infinity) in data/transactions.parquet, row 10";

    Cli materialize = Cli.run("materialize", "--repo", r, "2000-01-01", "2026-06-01");
    assertThat(materialize.exitCode()).as(materialize.toString()).isEqualTo(1);
    assertThat(materialize.out()).contains("user_profile@v1", "merchant_profile@v1");
    assertThat(materialize.err()).contains("error: view user_txn@v1 not materialized: " + expected,
        "error: view merchant_txn@v1 not materialized: " + expected).doesNotContain("\tat ");

    for (String features : new String[] {"user_txn:last_amount", "user_txn:amount_avg_30d", "merchant_txn:merchant_txn_count_1d"}) {
      Cli historical = Cli.run("historical", "--repo", r, "--query-sql",
          "SELECT user_id, merchant_id, event_ts AS event_timestamp FROM transactions WHERE isfinite(event_ts) AND txn_id % 7 = 0",
          "--features", features, "--out", tmp.resolve("t.parquet").toString());
      assertThat(historical.exitCode()).as(features + "\n" + historical).isEqualTo(1);
      assertThat(historical.err()).as(features).contains(expected).doesNotContain("\tat ");
    }
    Cli other = Cli.run("historical", "--repo", r, "--query-sql", FINITE_QUERY, "--features", "user_profile:risk_segment",
        "--out", tmp.resolve("ok.parquet").toString());
    assertThat(other.exitCode()).as("a training set that does not join the source\n" + other).isZero();
  }

  @Test
  void applyMaterializeGoesOnWithTheOtherViewsAndSaysWhatServingStillLacks() throws Exception {
    setRow10("event_ts", "infinity"); // planning reads the source's schema, not its rows: apply has nothing against it
    Cli run = Cli.run("apply", "--materialize", "--repo", r);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).contains("ROWS READ", "user_profile@v1", "merchant_profile@v1", "Serving:")
        .containsPattern("(?m)^  user_txn@v1 is not materialized yet");
    assertThat(run.err()).contains("error: view user_txn@v1 not materialized: source 'transactions' has an infinite event time",
        "error: 2 of 4 views not materialized (the others were)").doesNotContain("\tat ");
  }

  @Test
  void anInfiniteCreatedTimeToo() throws Exception {
    setRow10("created_ts", "-infinity");

    Cli materialize = Cli.run("materialize", "--repo", r, "--views", "user_txn", "2000-01-01", "2026-06-01");
    assertThat(materialize.exitCode()).as(materialize.toString()).isEqualTo(1);
    assertThat(materialize.err()).contains("source 'transactions' has an infinite created time (created_ts = -infinity)"
        + " in data/transactions.parquet, row 10");
    Cli historical = Cli.run("historical", "--repo", r, "--query-sql", FINITE_QUERY, "--features", "user_txn:last_amount",
        "--out", tmp.resolve("t.parquet").toString());
    assertThat(historical.exitCode()).as(historical.toString()).isEqualTo(1);
    assertThat(historical.err()).contains("infinite created time (created_ts = -infinity)");
  }

  @Test
  void queryRowsWithAnInfiniteTimestampAreRefused() {
    for (String features : new String[] {"user_profile:risk_segment", "user_txn:txn_count_7d"}) {
      Cli run = Cli.run("historical", "--repo", r, "--query-sql",
          "SELECT user_id, CASE WHEN txn_id = 5 THEN '-infinity'::TIMESTAMP ELSE event_ts END AS event_timestamp FROM transactions"
              + " ORDER BY txn_id",
          "--features", features, "--out", tmp.resolve("t.parquet").toString());
      assertThat(run.exitCode()).as(features + "\n" + run).isEqualTo(1);
      assertThat(run.err()).as(features).contains("1 query row has an infinite timestamp in column 'event_timestamp'",
          "WHERE isfinite(\"event_timestamp\")").doesNotContain("\tat ");
    }
  }
}
