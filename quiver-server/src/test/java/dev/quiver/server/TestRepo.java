package dev.quiver.server;

import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * A small feature repo for server tests: users 1..100, each with one transaction a minute from
 * 2026-01-01 (user i at minute i), in {@code data/txns/*.parquet} so offline pushes can add files.
 * View {@code user_stats} (int64, float64, string, bool, list&lt;string&gt;, timestamp features) and
 * service {@code scoring}; on-demand view {@code txn_risk} (request field {@code txn_amount}) and
 * service {@code risk}. Applied and materialized up to {@link #END}.
 */
final class TestRepo {
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-02-01T00:00:00Z");
  static final int USERS = 100;

  private TestRepo() {}

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_stats
          entities: [user]
          source: txns
          ttl: 3650d
          owner: risk-team
          features:
            - {name: amount, column: amount}
            - {name: country, column: country}
            - {name: visits, column: visits}
            - {name: vip, column: vip}
            - {name: tags, column: tags}
            - {name: seen_at, column: seen_at}
      on_demand_views:
        - name: txn_risk
          inputs: [user_stats, request: {txn_amount: float64}]
          features:
            - {name: amount_ratio, expr: "request.txn_amount / nullif(user_stats.amount, 0)"}
      feature_services:
        - {name: scoring, version: 1, features: ["user_stats:amount", "user_stats:country"]}
        - {name: risk, version: 1, features: ["user_stats:amount", "txn_risk:amount_ratio"]}
      """;

  /** Creates, applies and materializes the repo in {@code dir}; {@code online} is the quiver.yaml online block. */
  static Path create(Path dir, String online) {
    try {
      Files.createDirectories(dir.resolve("features"));
      Files.createDirectories(dir.resolve("data/txns"));
      Files.writeString(dir.resolve("quiver.yaml"), """
          project: servertest
          registry: {type: file, path: .quiver/registry}
          offline: {engine: duckdb}
          %s
          definitions: [features]
          """.formatted(online));
      Files.writeString(dir.resolve("features/defs.yaml"), DEFINITIONS);
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
        s.execute("""
            COPY (SELECT i::BIGINT AS user_id,
                         TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) AS event_ts,
                         TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) AS created_ts,
                         i * 1.5 AS amount,
                         CASE WHEN i %% 2 = 0 THEN 'FR' ELSE 'DE' END AS country,
                         (i * 10)::BIGINT AS visits,
                         i %% 3 = 0 AS vip,
                         ['t' || i, 'x'] AS tags,
                         TIMESTAMP '2025-06-01 00:00:00' + to_seconds(i) AS seen_at
                  FROM range(1, %d) t(i))
            TO '%s' (FORMAT parquet)""".formatted(USERS + 1, dir.resolve("data/txns/part-0.parquet")));
      }
      try (FeatureRepo repo = FeatureRepo.open(dir)) {
        repo.apply(repo.plan(false), "test", "first", false);
        repo.materialize(List.of(), START, END, (v, r, w) -> {}, "test");
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path rocksdb(Path dir) {
    return create(dir, "online: {type: rocksdb, path: .quiver/online}");
  }
}
