package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.monitor.FeatureSkew;
import dev.quiver.core.monitor.SkewCheck;
import dev.quiver.core.monitor.SkewReport;
import dev.quiver.core.monitor.SkewRequest;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature log a running server writes is what skew reads: random requests served over HTTP and logged by
 * the server itself compare equal to their offline recomputation, and after the source changes for some users,
 * exactly those users' logged rows mismatch (the log's schema is the contract between the two).
 */
class FeatureLogSkewTest {
  @TempDir Path tmp;

  @Test
  void whatTheServerLoggedIsWhatSkewCompares() throws Exception {
    Path root = TestRepo.create(tmp.resolve("repo"), """
        online: {type: rocksdb, path: .quiver/online}
        feature_logging: {path: logs, roll_every: 1h}""");
    Files.writeString(root.resolve("features/logged.yaml"), """
        feature_services:
          - name: logged_risk
            features: ["user_stats:amount", "user_stats:country", "txn_risk:amount_ratio"]
            logging: {sample_rate: 1.0}
        """);
    SplittableRandom random = new SplittableRandom(23);
    List<Long> served = new ArrayList<>();
    try (FeatureRepo repo = FeatureRepo.open(root)) {
      repo.apply(repo.plan(false), "test", "log logged_risk", false);
      try (QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
           Http http = new Http(server.httpPort())) {
        for (int q = 0; q < 30; q++) {
          List<String> ids = new ArrayList<>();
          List<String> amounts = new ArrayList<>();
          for (int i = 0, n = random.nextInt(1, 5); i < n; i++) {
            long id = random.nextInt(6) == 0 ? 900_000L + random.nextInt(100) : random.nextInt(1, TestRepo.USERS + 1);
            ids.add(Long.toString(id));
            amounts.add(Double.toString(random.nextInt(1, 300)));
            served.add(id);
          }
          Http.Reply r = http.post("/get-online-features", "{\"feature_service\": \"logged_risk\", \"entities\": {\"user_id\": ["
              + String.join(",", ids) + "], \"txn_amount\": [" + String.join(",", amounts) + "]}}");
          assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
      } // the server's shutdown writes the buffered log

      SkewRequest all = new SkewRequest("logged_risk", Instant.EPOCH, null, root.resolve("logs"), 100_000, 1);
      SkewReport clean = SkewCheck.run(repo, all);
      assertThat(clean.rowsLogged()).isEqualTo(served.size());
      assertThat(clean.rowsCompared()).isEqualTo(served.size());
      assertThat(clean.features()).extracting(FeatureSkew::feature)
          .containsExactlyInAnyOrder("user_stats__amount", "user_stats__country", "txn_risk__amount_ratio");
      assertThat(clean.features()).allSatisfy(f -> assertThat(f.mismatches()).as(f.feature()).isZero());

      // users 1 to 10's amounts change in the source after serving: their logged rows mismatch, no others
      Path data = root.resolve("data/txns/part-0.parquet");
      Path temp = root.resolve("data/txns/.changed.tmp");
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
        s.execute("COPY (SELECT * REPLACE (CASE WHEN user_id <= 10 THEN amount + 1000 ELSE amount END AS amount) FROM '"
            + data + "') TO '" + temp + "' (FORMAT parquet)");
      }
      Files.move(temp, data, StandardCopyOption.REPLACE_EXISTING);
      long changed = served.stream().filter(id -> id <= 10).count();
      assertThat(changed).as("users 1 to 10 were served").isPositive();
      Map<String, FeatureSkew> after = SkewCheck.run(repo, all).features().stream()
          .collect(Collectors.toMap(FeatureSkew::feature, Function.identity()));
      assertThat(after.get("user_stats__amount").mismatches()).isEqualTo(changed);
      assertThat(after.get("txn_risk__amount_ratio").mismatches()).isEqualTo(changed); // it reads the amount
      assertThat(after.get("user_stats__country").mismatches()).isZero();
    }
  }
}
