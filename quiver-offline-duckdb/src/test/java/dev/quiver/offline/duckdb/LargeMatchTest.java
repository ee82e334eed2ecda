package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;
import static dev.quiver.offline.duckdb.Scans.literal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.Output;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hash ASOF match at scale — two files of 300,000 rows, several row groups each, many chunks
 * and batches, rows only roughly in time order, many equal event times and created times, null
 * keys and created times — against an independent implementation: DuckDB's own ASOF join over the
 * ordering key {@code (event_ts, created_ts, file, row)}. Four views on one source cover both key
 * paths (integer keys numbered in Java, one and two columns; string and mixed keys numbered by
 * DuckDB) and a TTL. The contract's randomized cases fit in one chunk and one batch; this one
 * does not.
 */
class LargeMatchTest {
  private static final int ROWS_PER_FILE = 300_000;
  private static final int QUERIES = 40_000;

  @TempDir
  Path repo;

  @Test
  void matchesDuckDbsAsofJoinOnAParallelScan() throws SQLException {
    Path data = repo.resolve("data");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      createDirectories(data);
      for (int f = 0; f < 2; f++) {
        s.execute("COPY (" + events(f * ROWS_PER_FILE) + ") TO " + literal(data.resolve("events_" + f + ".parquet").toString())
            + " (FORMAT parquet, ROW_GROUP_SIZE 50000)");
      }
      s.execute("COPY (SELECT i AS q_id,"
          + " CASE WHEN hash(i, 1) % 50 = 0 THEN NULL ELSE (hash(i, 2) % 3000)::BIGINT END AS user_id,"
          + " 'd' || (hash(i, 3) % 200) AS device, (hash(i, 4) % 40)::INTEGER AS shop,"
          + " TIMESTAMP '2026-01-01' + to_seconds(((hash(i, 5) % 6000000) / 10 * 10)::BIGINT) AS ts"
          + " FROM range(" + QUERIES + ") t(i)) TO " + literal(repo.resolve("query.parquet").toString()) + " (FORMAT parquet)");
    }
    FileSource source = new FileSource("events", "data/events_*.parquet", FileFormat.PARQUET, "event_ts", "created_ts",
        Map.of(), Metadata.EMPTY);
    List<ViewJoin> joins = List.of(
        join("by_user", source, Duration.ofDays(20), key("user_id", ScalarType.INT64)),
        join("by_device", source, null, key("device", ScalarType.STRING)),
        join("by_user_device", source, Duration.ofDays(40), key("user_id", ScalarType.INT64), key("device", ScalarType.STRING)),
        join("by_user_shop", source, null, key("user_id", ScalarType.INT64), key("shop", ScalarType.INT32)));
    List<Output> outputs = new ArrayList<>();
    joins.forEach(j -> j.features().forEach(f -> outputs.add(new Output(f.outputName(), ((LatestValue) f).ref(), f.type()))));
    PointInTimePlan plan = new PointInTimePlan(new QueryInput.Files(repo.resolve("query.parquet").toString(), FileFormat.PARQUET),
        List.of(new Column("q_id", ScalarType.INT64), new Column("user_id", ScalarType.INT64), new Column("device", ScalarType.STRING),
            new Column("shop", ScalarType.INT32), new Column("ts", ScalarType.TIMESTAMP)),
        "ts", joins, outputs, 0, List.of());

    Path out = repo.resolve("out.parquet");
    try (OfflineEngine engine = new DuckDbEngineProvider().open(Map.of())) {
      assertThat(engine.write(plan, repo, out, FileFormat.PARQUET, p -> {})).isEqualTo(QUERIES);
    }

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE q AS SELECT * FROM read_parquet(" + literal(repo.resolve("query.parquet").toString()) + ")");
      s.execute("CREATE TABLE got AS SELECT row_number() OVER () - 1 AS r, * FROM read_parquet(" + literal(out.toString()) + ")");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM got g JOIN q ON q.rowid = g.r WHERE q.q_id <> g.q_id")) {
        rs.next();
        assertThat(rs.getLong(1)).as("output rows out of query order").isZero();
      }
      long matched = 0;
      for (ViewJoin j : joins) {
        String column = j.features().get(0).outputName();
        s.execute("CREATE OR REPLACE TABLE expected AS " + reference(j, data));
        try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE e.v IS DISTINCT FROM g." + id(column) + "),"
            + " count(e.v), count(*) FROM got g JOIN expected e ON e.q_id = g.q_id")) {
          rs.next();
          assertThat(rs.getLong(3)).as("%s: query rows compared", j.view()).isEqualTo(QUERIES);
          assertThat(rs.getLong(1)).as("%s: rows whose value differs from DuckDB's ASOF join", j.view()).isZero();
          matched += rs.getLong(2);
        }
      }
      assertThat(matched).as("matches across the views (the data must exercise matching)").isGreaterThan(QUERIES);
    }
  }

  /** Rows {@code [first, first + ROWS_PER_FILE)}: coarse event times (ties), roughly in time order. */
  private static String events(int first) {
    return "SELECT CASE WHEN hash(i, 11) % 97 = 0 THEN NULL ELSE (hash(i, 12) % 3000)::BIGINT END AS user_id,"
        + " CASE WHEN hash(i, 13) % 89 = 0 THEN NULL ELSE 'd' || (hash(i, 14) % 200) END AS device,"
        + " (hash(i, 15) % 40)::INTEGER AS shop,"
        + " TIMESTAMP '2026-01-01' + to_seconds(((i % " + ROWS_PER_FILE + ") * 20 + hash(i, 16) % 7200 / 60 * 60)::BIGINT) AS event_ts,"
        + " CASE WHEN hash(i, 17) % 5 = 0 THEN NULL ELSE TIMESTAMP '2026-01-01' + to_seconds((hash(i, 18) % 3)::BIGINT) END AS created_ts,"
        + " i AS v FROM range(" + first + ", " + (first + ROWS_PER_FILE) + ") t(i)";
  }

  private static KeyBinding key(String column, ScalarType type) {
    return new KeyBinding(column, column, type);
  }

  private static ViewJoin join(String view, FileSource source, Duration ttl, KeyBinding... keys) {
    String output = view + "__v";
    return new ViewJoin(view + "@v1", source, List.of(keys), ttl,
        List.of(new LatestValue(FeatureRef.of(view + ":v"), "v", output, ScalarType.INT64)));
  }

  /** Per query row, the value DuckDB's ASOF join picks (null: none, or outside the TTL). */
  private static String reference(ViewJoin j, Path data) {
    StringBuilder keys = new StringBuilder();
    StringBuilder on = new StringBuilder();
    StringBuilder notNull = new StringBuilder("event_ts IS NOT NULL");
    for (KeyBinding k : j.keys()) {
      keys.append(id(k.sourceColumn())).append(", ");
      on.append("q.").append(id(k.queryColumn())).append(" = s.").append(id(k.sourceColumn())).append(" AND ");
      notNull.append(" AND ").append(id(k.sourceColumn())).append(" IS NOT NULL");
    }
    String ttl = j.ttl() == null ? "" : " AND s.o.t >= q.ts - INTERVAL '" + j.ttl().toSeconds() + " seconds'";
    return "SELECT q.q_id, CASE WHEN s.o IS NOT NULL" + ttl + " THEN s.v END AS v FROM q ASOF LEFT JOIN (SELECT " + keys
        + "{'t': event_ts, 'c': coalesce(created_ts, '-infinity'::TIMESTAMP), 'f': filename, 'r': file_row_number} AS o, v"
        + " FROM read_parquet(" + literal(data.resolve("events_*.parquet").toString()) + ", filename = true, file_row_number = true)"
        + " WHERE " + notNull + ") s ON " + on
        + "{'t': q.ts, 'c': 'infinity'::TIMESTAMP, 'f': chr(1114111), 'r': 9223372036854775807::BIGINT} >= s.o";
  }

  private static void createDirectories(Path p) {
    try {
      Files.createDirectories(p);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
