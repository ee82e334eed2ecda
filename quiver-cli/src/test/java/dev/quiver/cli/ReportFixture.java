package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * A {@code quiver init} repo for the report tests, with real data: a view with validation rules
 * (materialized, so the registry holds results and the online store freshness rows), two saved
 * training sets from one distribution (the even and the odd payments), and a current side whose
 * second half in time is shifted: amounts up by half and 100, and one user in five in a hostile
 * segment {@link #HOSTILE}.
 */
final class ReportFixture {
  /** A category value that would run as a script if the page did not escape it. */
  static final String HOSTILE = "<script>alert('pwned')</script>";

  final Path repo;
  final Path shifted;
  final Instant shiftFrom;

  private ReportFixture(Path repo, Path shifted, Instant shiftFrom) {
    this.repo = repo;
    this.shifted = shifted;
    this.shiftFrom = shiftFrom;
  }

  private static ReportFixture shared;

  /** One fixture for every report test class of this JVM, in a temporary folder removed at exit. */
  static synchronized ReportFixture shared() throws Exception {
    if (shared == null) {
      Path dir = Files.createTempDirectory("quiver-report-test");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      shared = create(dir);
    }
    return shared;
  }

  private static void delete(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temporary folder: the system cleans it up
    }
  }

  static ReportFixture create(Path dir) throws Exception {
    Path repo = dir.resolve("repo");
    run("init", repo.toString(), "--rows", "10000", "--start", "2026-01-01");
    Files.writeString(repo.resolve("features/payment_checks.yaml"), """
        feature_views:
          - name: payment_checks
            entities: [user]
            source: transactions
            ttl: 90d
            validation:
              row_count: {min: 1, max: 10000000, on_fail: fail}
            features:
              - name: amount
                validation:
                  min: {value: 0, on_fail: skip_row}
                  max: {value: 500, on_fail: warn}
              - name: country
                validation:
                  allowed: [US, GB, DE, FR]
        """);
    run("apply", "--repo", repo.toString(), "-m", "v1");
    run("materialize", "2000-01-01", "now", "--repo", repo.toString());
    String features = "user_txn:last_amount,user_txn:txn_count_7d,user_profile:risk_segment";
    Files.createDirectories(repo.resolve("labels"));
    for (String half : new String[] {"even", "odd"}) {
      Path q = repo.resolve("labels/" + half + ".parquet");
      duckdb("COPY (SELECT user_id, event_ts + INTERVAL 1 SECOND AS event_timestamp FROM '" + repo.resolve("data/transactions.parquet")
          + "' WHERE txn_id % 2 = " + (half.equals("even") ? 0 : 1) + " ORDER BY txn_id) TO '" + q + "' (FORMAT parquet)");
      run("historical", "--repo", repo.toString(), "--query", q.toString(), "--features", features,
          "--out", repo.resolve("out/" + half + ".parquet").toString(), "--save", half);
    }
    Instant mid;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT epoch_us(CAST(quantile_disc(event_timestamp, 0.5) AS TIMESTAMP)) FROM '"
            + repo.resolve("out/odd.parquet") + "'")) {
      rs.next();
      mid = Instant.EPOCH.plus(rs.getLong(1), java.time.temporal.ChronoUnit.MICROS);
    }
    // midnight after the median: whole days before it are the odd payments as they are, days after it shifted
    Instant from = mid.truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(java.time.Duration.ofDays(1));
    Path shifted = dir.resolve("shifted.parquet");
    duckdb("COPY (SELECT * REPLACE (CASE WHEN event_timestamp >= TIMESTAMP '" + from.toString().replace("T", " ").replace("Z", "")
        + "' THEN last_amount * 1.5 + 100 ELSE last_amount END AS last_amount, CASE WHEN event_timestamp >= TIMESTAMP '"
        + from.toString().replace("T", " ").replace("Z", "") + "' AND user_id % 5 = 0 THEN '" + HOSTILE.replace("'", "''")
        + "' ELSE risk_segment END AS risk_segment) FROM '" + repo.resolve("out/odd.parquet") + "') TO '" + shifted + "' (FORMAT parquet)");
    return new ReportFixture(repo, shifted, from);
  }

  static Cli run(String... args) {
    Cli c = Cli.run(args);
    assertThat(c.exitCode()).as(String.join(" ", args) + "\n" + c).isZero();
    return c;
  }

  static void duckdb(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
