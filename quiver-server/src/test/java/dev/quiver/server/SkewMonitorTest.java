package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.monitor.FeatureSkew;
import dev.quiver.core.monitor.SkewReport;
import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduled skew check inside the server ({@code monitoring.skew} in quiver.yaml): answers served
 * by the running server are logged in the feature-log schema; a run compares them, records the results
 * in the registry store and exports {@code quiver_skew_mismatch_rate} and {@code
 * quiver_skew_rows_compared_total}; after the source amounts of users 1 to 10 change, the rate is
 * exactly their share of the logged rows; a service that cannot be checked is counted as a failed run and does not
 * stop the others.
 */
class SkewMonitorTest {
  @TempDir Path tmp;

  @Test
  void scheduledRunRecordsAndExportsSkewAndCountsFailures() throws Exception {
    Path dir = TestRepo.create(tmp.resolve("repo"), "online: {type: rocksdb, path: .quiver/online}\n"
        + "monitoring: {skew: {every: 1h, lookback: 3650d, services: 'risk, nosuch', logs: logs}}");
    SplittableRandom random = new SplittableRandom(5);
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1))) {
      SkewMonitor monitor = server.skewMonitor();
      assertThat(monitor).isNotNull();
      assertThat(monitor.runs()).as("the first run waits a period").isZero();

      // serve random users (500+ are unknown) and log each answer
      List<Object[]> rows = new ArrayList<>();
      for (int q = 0; q < 40; q++) {
        List<Object> ids = new ArrayList<>();
        List<Object> amounts = new ArrayList<>();
        for (int i = 0, n = random.nextInt(1, 4); i < n; i++) {
          ids.add(random.nextInt(8) == 0 ? 500L + i : (long) random.nextInt(1, TestRepo.USERS + 1));
          amounts.add((double) random.nextInt(1, 300));
        }
        Instant servedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        OnlineResponse resp = server.serving().getOnlineFeatures(new OnlineRequest(List.of(), "risk",
            Map.of("user_id", ids), true, Map.of("txn_amount", amounts)));
        FeatureColumn amount = resp.features().get(0);
        FeatureColumn ratio = resp.features().get(1);
        assertThat(List.of(amount.name(), ratio.name())).containsExactly("user_stats__amount", "txn_risk__amount_ratio");
        for (int i = 0; i < ids.size(); i++) {
          rows.add(new Object[] {"r" + q, servedAt, ids.get(i), amounts.get(i), amount.values().get(i),
              amount.statuses().get(i).name(), ratio.values().get(i), ratio.statuses().get(i).name()});
        }
      }
      writeLog(dir.resolve("logs/risk"), rows);

      List<SkewReport> clean = monitor.runOnce();
      assertThat(clean).hasSize(1);
      assertThat(clean.getFirst().rowsCompared()).isEqualTo(rows.size());
      assertThat(clean.getFirst().features()).allSatisfy(f -> assertThat(f.mismatches()).as(f.feature()).isZero());
      String scrape = server.metrics().scrape();
      assertThat(scrape).contains("quiver_skew_mismatch_rate{feature=\"user_stats__amount\",service=\"risk\"} 0.0")
          .contains("quiver_skew_rows_compared_total{service=\"risk\"} " + rows.size() + ".0")
          .contains("quiver_skew_runs_total{outcome=\"failed\",service=\"nosuch\"} 1.0")
          .contains("quiver_skew_runs_total{outcome=\"ok\",service=\"risk\"} 1.0")
          .containsPattern("quiver_failures_total\\{endpoint=\"skew\",kind=\"NotFoundException\"} 1.0");

      // users 1 to 10's amounts change in the source after serving: its logged rows mismatch, no others
      Path data = dir.resolve("data/txns/part-0.parquet");
      Path temp = dir.resolve("data/txns/.changed.tmp");
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
        s.execute("COPY (SELECT * REPLACE (CASE WHEN user_id <= 10 THEN amount + 1000 ELSE amount END AS amount) FROM '"
            + data + "') TO '" + temp + "' (FORMAT parquet)");
      }
      Files.move(temp, data, StandardCopyOption.REPLACE_EXISTING);
      long userOne = rows.stream().filter(r -> (Long) r[2] <= 10).count();
      assertThat(userOne).as("users 1 to 10 were served").isPositive();
      SkewReport injected = monitor.runOnce().getFirst();
      FeatureSkew amount = injected.features().getFirst();
      assertThat(amount.feature()).isEqualTo("user_stats__amount");
      assertThat(amount.mismatches()).isEqualTo(userOne);
      assertThat(injected.features().get(1).mismatches()).isEqualTo(userOne); // the ratio reads the amount
      assertThat(server.metrics().scrape())
          .contains("quiver_skew_mismatch_rate{feature=\"user_stats__amount\",service=\"risk\"} " + (double) userOne / rows.size())
          .contains("quiver_skew_rows_compared_total{service=\"risk\"} " + 2 * rows.size() + ".0");
      List<SkewResult> recorded = repo.registry().skewLog().read(Instant.EPOCH, "risk", 100);
      assertThat(recorded).hasSize(4);
      assertThat(recorded.get(2).mismatches()).isEqualTo(userOne);
      assertThat(monitor.runs()).isEqualTo(2);
    }
  }

  private static void writeLog(Path serviceDir, List<Object[]> rows) throws Exception {
    Instant first = (Instant) rows.getFirst()[1];
    Path day = serviceDir.resolve("date=" + LocalDate.ofInstant(first, ZoneOffset.UTC));
    Files.createDirectories(day);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE log (request_id VARCHAR, served_at TIMESTAMP, registry_version INTEGER, service VARCHAR,"
          + " service_version INTEGER, user_id BIGINT, txn_amount DOUBLE, user_stats__amount DOUBLE,"
          + " user_stats__amount__status VARCHAR, txn_risk__amount_ratio DOUBLE, txn_risk__amount_ratio__status VARCHAR)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO log VALUES (?, make_timestamp(?), 1, 'risk', 1, ?, ?, ?, ?, ?, ?)")) {
        for (Object[] r : rows) {
          Instant t = (Instant) r[1];
          p.setString(1, (String) r[0]);
          p.setLong(2, t.getEpochSecond() * 1_000_000 + t.getNano() / 1000);
          p.setLong(3, (Long) r[2]);
          p.setObject(4, r[3]);
          p.setObject(5, r[4]);
          p.setString(6, (String) r[5]);
          p.setObject(7, r[6]);
          p.setString(8, (String) r[7]);
          p.execute();
        }
      }
      s.execute("COPY log TO '" + day.resolve("part-" + first.toEpochMilli() + "-0.parquet") + "' (FORMAT parquet)");
    }
  }
}
