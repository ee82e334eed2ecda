package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offline: {engine: spark}} from the {@code quiver} command: the CLI ships the Spark engine, and
 * a training set of the tour's feature service (column, aggregate, derived and on-demand features)
 * through Spark local mode equals DuckDB's, row for row in the same order; Spark's routine INFO logging
 * stays off the terminal.
 */
class SparkEngineCliTest {
  private static final String QUERY_SQL = "SELECT txn_id, user_id, merchant_id, amount, country, event_ts AS event_timestamp, is_fraud"
      + " FROM transactions WHERE txn_id % 5 = 0 ORDER BY txn_id DESC, created_ts DESC, amount"; // a total order: corrections share a txn_id

  @TempDir Path tmp;

  @Test
  void aTrainingSetThroughSparkEqualsDuckDbs() throws Exception {
    Path repo = tmp.resolve("repo");
    String r = repo.toString();
    assertThat(Cli.run("init", r, "--rows", "3000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Path duck = tmp.resolve("duckdb.parquet");
    Cli first = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--service", "fraud_model", "--out", duck.toString());
    assertThat(first.exitCode()).as(first.toString()).isZero();

    Path yaml = repo.resolve("quiver.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("engine: duckdb", "engine: spark\n  master: 'local[2]'"));
    Path spark = tmp.resolve("spark.parquet");
    Cli second = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--service", "fraud_model", "--out", spark.toString());
    assertThat(second.exitCode()).as(second.toString()).isZero();
    long rows = written(first);
    assertThat(rows).isGreaterThan(100);
    assertThat(written(second)).isEqualTo(rows);
    assertThat(second.err()).as("Spark's INFO lines are not shown").doesNotContain(" INFO ", "[org.apache.spark");

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      // each row with its position in its file, so order counts too
      String a = "(SELECT file_row_number AS n, * EXCLUDE (file_row_number) FROM read_parquet('" + duck + "', file_row_number = true))";
      String b = "(SELECT file_row_number AS n, * EXCLUDE (file_row_number) FROM read_parquet('" + spark + "', file_row_number = true))";
      for (String q : new String[] {"SELECT count(*) FROM (" + a + " EXCEPT ALL " + b + ")",
          "SELECT count(*) FROM (" + b + " EXCEPT ALL " + a + ")"}) {
        try (ResultSet rs = s.executeQuery(q)) {
          rs.next();
          assertThat(rs.getLong(1)).as("rows (with their position) in one file and not the other: %s; first differences:%n%s", q,
              differences(s, a, b)).isZero();
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), count(amount_avg_30d), count(DISTINCT user_id) FROM '" + spark + "'")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(rows);
        assertThat(rs.getLong(2)).as("aggregates were computed, not all null").isPositive();
        assertThat(rs.getLong(3)).isGreaterThan(10);
      }
    }
  }

  /** The first rows that differ, as (column, DuckDB's value, Spark's value), for the failure message. */
  private static String differences(Statement s, String a, String b) throws java.sql.SQLException {
    StringBuilder out = new StringBuilder();
    try (ResultSet rs = s.executeQuery("SELECT * FROM " + a + " x JOIN " + b + " y USING (n) WHERE n IN (SELECT n FROM ("
        + a + " EXCEPT ALL " + b + ")) ORDER BY n LIMIT 3")) {
      int columns = (rs.getMetaData().getColumnCount() - 1) / 2;
      int diffs = 0;
      while (rs.next()) {
        for (int i = 0; i < columns && diffs < 10; i++) {
          Object x = rs.getObject(2 + i);
          Object y = rs.getObject(2 + columns + i);
          if (!java.util.Objects.equals(x == null ? null : x.toString(), y == null ? null : y.toString())) {
            out.append(rs.getMetaData().getColumnName(2 + i)).append(": ").append(x).append(" | ").append(y).append('\n');
            diffs++;
          }
        }
      }
    }
    try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + a)) {
      while (rs.next()) {
        out.append("duckdb ").append(rs.getString(1)).append(' ').append(rs.getString(2)).append('\n');
      }
    }
    try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + b)) {
      while (rs.next()) {
        out.append("spark ").append(rs.getString(1)).append(' ').append(rs.getString(2)).append('\n');
      }
    }
    return out.toString();
  }

  private static long written(Cli run) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Wrote (\\d+) rows").matcher(run.out());
    assertThat(m.find()).as(run.toString()).isTrue();
    return Long.parseLong(m.group(1));
  }
}
