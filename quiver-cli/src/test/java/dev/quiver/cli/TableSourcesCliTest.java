package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table sources from the command line: a hive dataset directory and epoch-millisecond times are
 * applied, described and trained from; an Iceberg table and files at s3:// plan and apply with their
 * declared schema and a note, are described, and are refused by the DuckDB engine in one line.
 */
class TableSourcesCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUERY_SQL =
      "SELECT user_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp FROM transactions WHERE txn_id % 5 = 0";

  @TempDir Path tmp;
  String r;

  @BeforeEach
  void init() throws Exception {
    r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "2000", "--start", "2026-01-01").exitCode()).isZero();
    Path data = tmp.resolve("repo/data");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("COPY (SELECT user_id, amount, event_ts, strftime(event_ts, '%Y-%m-%d') AS day FROM '"
          + data.resolve("transactions.parquet") + "') TO '" + data.resolve("events") + "' (FORMAT parquet, PARTITION_BY (day))");
      s.execute("COPY (SELECT user_id, amount, epoch_us(event_ts) AS ts_us, epoch_us(created_ts) AS created_us FROM '" + data.resolve("transactions.parquet")
          + "') TO '" + data.resolve("epoch.parquet") + "' (FORMAT parquet)");
    }
    Files.writeString(tmp.resolve("repo/features/tables.yaml"), """
        sources:
          - name: events_by_day
            path: data/events/
            partitioning: hive
            partition_types: {day: timestamp}
            timestamp: event_ts
          - name: events_epoch
            path: data/epoch.parquet
            timestamp: ts_us
            created: created_us
            timestamp_format: epoch_micros
          - name: lake_events
            format: iceberg
            table: lake.events
            catalog: {type: rest, uri: "http://catalog:8181", token: "${CATALOG_TOKEN}"}
            timestamp: ts
            schema: {user_id: int64, amount: float64, ts: timestamp}
          - name: s3_events
            path: s3://lake/events/
            timestamp: ts
            timestamp_format: epoch_seconds
            schema: {user_id: int64, amount: float64, ts: int64}
        feature_views:
          - {name: by_day, entities: [user], source: events_by_day, features: [{name: amount}, {name: day}]}
          - {name: by_epoch, entities: [user], source: events_epoch, features: [{name: amount}]}
          - {name: lake, entities: [user], source: lake_events, features: [{name: amount}]}
          - {name: s3, entities: [user], source: s3_events, features: [{name: amount}]}
        """);
  }

  @Test
  void planNotesTheSourcesItCannotReadAndApplyRecordsTheirSettings() throws Exception {
    Cli plan = Cli.run("plan", "--repo", r);
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.out()).contains(
        "Note: source 'lake_events' is an Iceberg table (lake.events), which plan does not read here: its columns are as"
            + " its schema declares, not checked against data.",
        "Note: source 's3_events' is at s3://lake/events/, which plan does not read here");
    assertThat(plan.out()).doesNotContain("source 'events_by_day' is", "source 'events_epoch' is");
    JsonNode json = JSON.readTree(Cli.run("plan", "--repo", r, "--output", "json").out());
    assertThat(json.path("notes")).hasSize(2);
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();

    // a change to a setting is a plan change, field by field
    Path defs = tmp.resolve("repo/features/tables.yaml");
    Files.writeString(defs, Files.readString(defs).replace("timestamp_format: epoch_micros", "timestamp_format: epoch_millis"));
    Cli changed = Cli.run("plan", "--repo", r);
    assertThat(changed.out()).contains("~ source events_epoch", "timestamp_format: epoch_micros -> epoch_millis");
  }

  @Test
  void describeShowsTheSettings() throws Exception {
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Cli hive = Cli.run("describe", "events_by_day", "--repo", r);
    assertThat(hive.out()).contains("  kind: file\n  path: data/events/\n  format: parquet\n", "  partitioning: hive (day: timestamp)\n");
    assertThat(Cli.run("describe", "events_epoch", "--repo", r).out()).contains("  timestamp format: epoch_micros\n");
    Cli lake = Cli.run("describe", "lake_events", "--repo", r);
    assertThat(lake.out()).contains("  kind: iceberg table\n  table: lake.events\n",
        "token=${CATALOG_TOKEN}", "type=rest", "  schema (declared, not checked against data here): user_id: int64, amount: float64, ts: timestamp\n");
    JsonNode j = JSON.readTree(Cli.run("describe", "lake_events", "--repo", r, "--output", "json").out());
    assertThat(j.path("table").path("iceberg").path("table").asText()).isEqualTo("lake.events");
  }

  @Test
  void trainsFromTheDatasetAndEpochTimesAndRefusesWhatDuckDbCannotRead() throws Exception {
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Path out = tmp.resolve("train.parquet");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features",
        "by_day:amount,by_day:day,by_epoch:amount,user_txn:last_amount", "--full-feature-names", "--out", out.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT count(*), count(by_day__amount),"
            + " count(*) FILTER (WHERE by_day__amount IS DISTINCT FROM user_txn__last_amount),"
            + " count(*) FILTER (WHERE by_epoch__amount IS DISTINCT FROM user_txn__last_amount),"
            + " count(*) FILTER (WHERE by_day__day > event_timestamp) FROM '" + out + "'")) {
      rs.next();
      assertThat(rs.getLong(2)).as("rows with a value").isGreaterThan(rs.getLong(1) / 2);
      assertThat(rs.getLong(3)).as("the dataset's latest amount differs from the flat file's").isZero();
      assertThat(rs.getLong(4)).as("the epoch source's latest amount differs from the flat file's").isZero();
      assertThat(rs.getLong(5)).as("a day partition after the query time").isZero();
    }

    Cli lake = Cli.run("historical", "--repo", r, "--query-sql", QUERY_SQL, "--features", "lake:amount",
        "--out", tmp.resolve("lake.parquet").toString());
    assertThat(lake.exitCode()).isEqualTo(1);
    assertThat(lake.err().strip()).endsWith("source 'lake_events' is an Iceberg table (lake.events); the DuckDB engine reads"
        + " local files; use offline: {engine: spark}, which reads Iceberg tables (docs/spark.md, \"Table sources\")").doesNotContain("\tat ");
    Cli s3 = Cli.run("materialize", "2026-01-01", "2026-03-01", "--repo", r, "--views", "s3");
    assertThat(s3.exitCode()).isEqualTo(1);
    assertThat(s3.err()).contains("source 's3_events' is at s3://lake/events/; the DuckDB engine reads local files; use"
        + " offline: {engine: spark}").doesNotContain("\tat ");
  }
}
