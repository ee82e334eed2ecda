package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver monitor report} end to end on a {@code quiver init} repo ({@link ReportFixture}): every
 * section filled from real data, the shift seen in the days it starts, the hostile category escaped,
 * and usage errors.
 */
class ReportCommandTest {
  @TempDir static Path tmp;
  static ReportFixture data;

  @BeforeAll
  static void init() throws Exception {
    data = ReportFixture.shared();
  }

  @Test
  void onePageShowsDriftItsDaysFreshnessAndValidation() throws Exception {
    Path out = tmp.resolve("r/report.html");
    Cli c = report("--baseline", "even", "--current", data.shifted.toString(), "--out", out.toString());
    assertThat(c.exitCode()).as(c.toString()).isZero();
    assertThat(c.out()).startsWith("Wrote " + out + ": DRIFT in 2 of 3 features (last_amount, risk_segment); drift over time: ")
        .contains(" buckets of 1d by event_timestamp; freshness: 5 views; validation: 4 results since ");
    String html = Files.readString(out);
    assertThat(html).contains("<p class=\"verdict drift\">DRIFT in 2 of 3 features: last_amount, risk_segment.</p>")
        .contains("new categories: &lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;")
        .doesNotContain(ReportFixture.HOSTILE).doesNotContain("<script");
    // freshness: every online view, with the newest event time the materialization wrote online
    assertThat(html).contains("<td>user_txn@v1</td><td>2026-").contains("<td>payment_checks@v1</td><td>2026-");
    // validation: the materialization's results, the warned ones listed
    assertThat(html).contains("allowed([US, GB, DE, FR])").contains("<td class=\"warned\">warned</td>").doesNotContain("No validation results");

    // drift over time: days before the shift stay low, days after it are far past the fail band
    List<double[]> amount = points(html, "last_amount");
    assertThat(amount).hasSizeGreaterThan(30);
    double shift = data.shiftFrom.getEpochSecond();
    List<Double> before = amount.stream().filter(p -> p[0] < shift).map(p -> p[1]).sorted().toList();
    List<Double> after = amount.stream().filter(p -> p[0] >= shift).map(p -> p[1]).sorted().toList();
    assertThat(before).hasSizeGreaterThan(10);
    assertThat(after).hasSizeGreaterThan(10);
    assertThat(before.get(before.size() / 2)).as("median PSI of a day before the shift").isLessThan(0.25);
    assertThat(after.get(0)).as("lowest PSI of a day after the shift").isGreaterThan(1.0);
  }

  @Test
  void featureLogsAreACurrentSideBucketedByServedAt() throws Exception {
    // the baseline with full feature names (view__feature), as feature logs name their columns
    ReportFixture.run("historical", "--repo", data.repo.toString(), "--query", data.repo.resolve("labels/even.parquet").toString(),
        "--features", "user_txn:last_amount,user_txn:txn_count_7d,user_profile:risk_segment", "--full-feature-names",
        "--out", data.repo.resolve("out/even_full.parquet").toString(), "--save", "even_full");
    // the odd payments as a feature log of service fraud: SERVICE/date=YYYY-MM-DD/*.parquet, served_at per row
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    ReportFixture.duckdb("COPY (SELECT 'r' || txn_count_7d || '-' || user_id AS request_id, event_timestamp AS served_at, 1 AS registry_version,"
        + " 'fraud' AS service, 1 AS service_version, user_id, last_amount AS user_txn__last_amount, 'PRESENT' AS user_txn__last_amount__status,"
        + " txn_count_7d AS user_txn__txn_count_7d, risk_segment AS user_profile__risk_segment, strftime(event_timestamp, '%Y-%m-%d') AS date"
        + " FROM '" + data.repo.resolve("out/odd.parquet") + "') TO '" + logs.resolve("fraud") + "' (FORMAT parquet, PARTITION_BY (date))");
    Path out = tmp.resolve("logs.html");
    Cli c = report("--baseline", "even_full", "--current", logs.toString(), "--out", out.toString());
    assertThat(c.exitCode()).as(c.toString()).isZero();
    assertThat(c.out()).contains(": no drift in 3 features; drift over time: ").contains(" buckets of 1d by served_at;");
    String html = Files.readString(out);
    assertThat(html).contains("data-feature=\"user_txn__last_amount\"").contains("data-feature=\"user_profile__risk_segment\"");
    assertThat(points(html, "user_txn__last_amount")).hasSizeGreaterThan(30);
  }

  @Test
  void skewRunsRecordedInTheRegistryAreDrawnOverTime() throws Exception {
    // a feature log of fraud_model written from a training set: its values are the offline ones
    Path logs = tmp.resolve("skew-logs");
    Path file = logs.resolve("fraud_model/date=2026-03-01/part-1-0.parquet");
    ReportFixture.run("historical", "--repo", data.repo.toString(), "--query-sql", "SELECT 'r' || txn_id AS request_id,"
        + " event_ts - INTERVAL 1 MICROSECOND AS served_at, 1 AS registry_version, 'fraud_model' AS service,"
        + " 1 AS service_version, user_id, merchant_id, amount, country FROM transactions",
        "--service", "fraud_model", "--full-feature-names", "--timestamp-column", "served_at", "--out", file.toString());
    Cli first = skew(logs);
    assertThat(first.exitCode()).as(first.toString()).isZero();
    // then one served value in ten (of those that had one) changed: the second run's rate of that feature is their share
    Path changed = logs.resolve("fraud_model/date=2026-03-01/part-2-0.parquet");
    String pick = "CAST(substr(request_id, 2) AS BIGINT) % 10 = 0 AND user_txn__last_amount IS NOT NULL";
    ReportFixture.duckdb("COPY (SELECT * REPLACE (CASE WHEN " + pick + " THEN user_txn__last_amount + 1"
        + " ELSE user_txn__last_amount END AS user_txn__last_amount) FROM '" + file + "') TO '" + changed + "' (FORMAT parquet)");
    double expected;
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE " + pick + ") / count(*) FROM '" + file + "'")) {
      rs.next();
      expected = rs.getDouble(1);
    }
    Files.delete(file);
    Cli second = skew(logs);
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(expected).isBetween(0.05, 0.15);

    Path out = tmp.resolve("skew.html");
    Cli c = report("--baseline", "even", "--current", data.shifted.toString(), "--out", out.toString());
    assertThat(c.exitCode()).as(c.toString()).isZero();
    String html = Files.readString(out);
    assertThat(html).contains("data-chart=\"skew-over-time\"");
    List<Double> amount = skewPoints(html, "fraud_model user_txn__last_amount");
    assertThat(amount).hasSize(2);
    assertThat(amount.get(0)).isZero();
    assertThat(amount.get(1)).isCloseTo(expected, org.assertj.core.api.Assertions.within(0.0051)); // shown as "10%"
    assertThat(skewPoints(html, "fraud_model user_txn__txn_count_7d")).containsExactly(0.0, 0.0);
  }

  private static Cli skew(Path logs) {
    return Cli.run("monitor", "skew", "--repo", data.repo.toString(), "--service", "fraud_model", "--logs", logs.toString(),
        "--since", "2000-01-01");
  }

  /** A skew series' rates in time order, from the chart's point titles ({@code SERIES TIME: PERCENT%}, 2 digits). */
  private static List<Double> skewPoints(String html, String series) {
    Matcher m = Pattern.compile("<title>" + Pattern.quote(series) + " [^<]*: ([0-9.]+)%</title>").matcher(html);
    List<Double> out = new ArrayList<>();
    while (m.find()) {
      out.add(Double.parseDouble(m.group(1)) / 100);
    }
    return out;
  }

  @Test
  void withoutARepoOrATimeColumnTheSectionsSayWhy() throws Exception {
    Path noTime = tmp.resolve("no_time.parquet");
    ReportFixture.duckdb("COPY (SELECT last_amount, risk_segment FROM '" + data.shifted + "') TO '" + noTime + "' (FORMAT parquet)");
    Path out = tmp.resolve("plain.html");
    Cli c = Cli.run("monitor", "report", "--repo", Files.createDirectories(tmp.resolve("empty")).toString(),
        "--baseline", data.repo.resolve("out/even.parquet").toString(), "--current", noTime.toString(), "--out", out.toString(),
        "--features", "last_amount,risk_segment");
    assertThat(c.exitCode()).as(c.toString()).isZero();
    String html = Files.readString(out);
    assertThat(html).contains("The current side has no time column; give --time-column to see drift over time.")
        .contains("No feature repo here (give --repo): freshness per view is not shown.")
        .contains("No feature repo here (give --repo): validation results are not shown.")
        .contains("No feature repo here (give --repo): skew results are not shown.")
        .doesNotContain("data-chart=\"psi-over-time\"");
    assertThat(html.split("data-chart=\"histogram\"", -1)).hasSize(3);
  }

  @Test
  void usageErrorsExitTwoWithALineSayingWhatToFix() {
    String cur = data.shifted.toString();
    expectError(report("--baseline", "even", "--current", cur, "--time-column", "nope"),
        "--time-column nope is not a column of " + cur + "; its columns: ");
    expectError(report("--baseline", "even", "--current", cur, "--time-column", "risk_segment"),
        "--time-column risk_segment is VARCHAR, not a timestamp or date");
    expectError(report("--baseline", "even", "--current", cur, "--bucket", "daily"),
        "--bucket 'daily' is neither auto nor a duration of at least a second (1h, 1d, 7d)");
    expectError(report("--baseline", "even", "--current", cur, "--bucket", "1m"), "buckets, more than 1000; give a wider --bucket");
    expectError(report("--baseline", "even", "--current", cur, "--histogram-bins", "0"), "--histogram-bins must be between 1 and 200, not 0");
    expectError(report("--baseline", "no_such_set", "--current", cur), "'no_such_set' is neither a saved dataset");
    expectError(report("--baseline", "even", "--current", cur, "--since", "yesterday"), "--since 'yesterday' is neither a duration");
  }

  /** Each point of a feature's PSI-over-time line: its day (epoch seconds) and value, from the points' titles. */
  private static List<double[]> points(String html, String feature) {
    Matcher m = Pattern.compile("<title>" + Pattern.quote(feature) + " (\\d{4}-\\d{2}-\\d{2}): ([0-9.]+)</title>").matcher(html);
    List<double[]> out = new ArrayList<>();
    while (m.find()) {
      Instant day = LocalDate.parse(m.group(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
      out.add(new double[] {day.getEpochSecond(), Double.parseDouble(m.group(2))});
    }
    return out;
  }

  private static void expectError(Cli c, String message) {
    assertThat(c.exitCode()).as(c.toString()).isEqualTo(2);
    assertThat(c.err()).as(c.toString()).contains(message).doesNotContain("Exception");
  }

  private static Cli report(String... args) {
    List<String> all = new ArrayList<>(List.of("monitor", "report", "--repo", data.repo.toString()));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }
}
