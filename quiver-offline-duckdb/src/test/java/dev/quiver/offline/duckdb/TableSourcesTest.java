package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.literal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.testkit.TableSourcePlans;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table sources through the DuckDB engine: a randomized hive-partitioned dataset gives the same
 * training sets and latest rows as the same rows in flat files listed in the same order (partition
 * columns as keys, event time and features; ties by the files' sorted relative paths); each
 * timestamp format gives what a timestamp column holding the same instants gives; sources that are
 * not local files are refused in one line.
 */
class TableSourcesTest {
  private static OfflineEngine engine;

  @TempDir Path repo;

  @BeforeAll
  static void open() {
    engine = new DuckDbEngineProvider().open(Map.of());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @RepeatedTest(4)
  void aHiveDatasetGivesWhatTheSameRowsInFlatFilesGive() throws Exception {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    String[] regions = {"eu", "us", "ap"};
    List<String> hive = new ArrayList<>();
    for (int day = 1; day <= 1 + r.nextInt(4); day++) {
      for (String region : regions) {
        for (int part = 0; part < 1 + r.nextInt(3); part++) {
          if (r.nextInt(4) > 0) {
            hive.add("day=2026-01-0" + day + "/region=" + region + "/part-" + part + ".parquet");
          }
        }
      }
    }
    if (hive.isEmpty()) {
      hive.add("day=2026-01-01/region=eu/part-0.parquet");
    }
    hive.sort(null); // the engine's order: sorted paths
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      for (int i = 0; i < hive.size(); i++) {
        String file = hive.get(i);
        String day = file.substring(4, 14);
        String region = file.substring(file.indexOf("region=") + 7, file.indexOf("/part"));
        int rows = 1 + r.nextInt(40);
        // coarse times and few users: many ties on (event_ts, created_ts), settled by file then row
        String select = "SELECT CASE WHEN hash(i, " + seed % 1000 + ") % 11 = 0 THEN NULL ELSE (hash(i, " + i
            + ", " + seed % 997 + ") % 6)::BIGINT END AS user_id,"
            + " (" + (i * 1000) + " + i)::BIGINT AS v,"
            + " DATE '" + day + "' + to_hours((hash(i, 7, " + seed % 991 + ") % 3 * 8)::BIGINT) AS event_ts,"
            + " CASE WHEN hash(i, 9) % 4 = 0 THEN NULL ELSE TIMESTAMP '2026-01-01' + to_hours((hash(i, " + i
            + ") % 2)::BIGINT) END AS created_ts FROM range(" + rows + ") t(i)";
        Path h = repo.resolve("data/hive/" + file);
        Files.createDirectories(h.getParent());
        s.execute("COPY (" + select + ") TO " + literal(h.toString()) + " (FORMAT parquet)");
        Path f = repo.resolve("data/flat/f" + String.format("%03d", i) + ".parquet");
        Files.createDirectories(f.getParent());
        s.execute("COPY (SELECT *, DATE '" + day + "' AS day, '" + region + "' AS region FROM read_parquet("
            + literal(h.toString()) + ")) TO " + literal(f.toString()) + " (FORMAT parquet)");
      }
      s.execute("COPY (SELECT CASE WHEN i % 13 = 0 THEN NULL ELSE (hash(i, 1) % 6)::BIGINT END AS user_id,"
          + " ['eu', 'us', 'ap', 'xx'][(hash(i, 2) % 4)::BIGINT + 1] AS region,"
          + " TIMESTAMP '2026-01-01' + to_hours((hash(i, 3) % 130)::BIGINT) AS ts FROM range(300) t(i))"
          + " TO " + literal(repo.resolve("query.parquet").toString()) + " (FORMAT parquet)");
    }
    FileSource dataset = new FileSource("events", "data/hive", FileFormat.PARQUET, "event_ts", "created_ts", null, null);
    FileSource byDay = new FileSource("events", "data/hive/", FileFormat.PARQUET, "day", null, null, null,
        TableSettings.DEFAULT.withPartitioning(Partitioning.HIVE, Map.of()));
    FileSource flat = new FileSource("events", "data/flat/*.parquet", FileFormat.PARQUET, "event_ts", "created_ts", null, null);
    FileSource flatByDay = new FileSource("events", "data/flat/*.parquet", FileFormat.PARQUET, "day", null, null, null);

    assertThat(SourceFiles.resolve(dataset, repo)).extracting(p -> repo.resolve("data/hive").relativize(p).toString())
        .as("seed %d", seed).containsExactlyElementsOf(hive);
    assertThat(new DuckDbSchemaReader().columns(dataset, repo)).extracting(SourceColumn::name, SourceColumn::nativeType)
        .as("seed %d", seed).endsWith(org.assertj.core.groups.Tuple.tuple("day", "DATE"),
            org.assertj.core.groups.Tuple.tuple("region", "VARCHAR"));

    List<List<Object>> fromHive = rows(engine.rows(plan(dataset, byDay), repo));
    List<List<Object>> fromFlat = rows(engine.rows(plan(flat, flatByDay), repo));
    assertThat(fromHive).as("seed %d: training set", seed).isEqualTo(fromFlat).hasSize(300);
    assertThat(fromHive.stream().filter(row -> row.get(3) != null).count()).as("seed %d: matches", seed).isPositive();

    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2026-01-04T12:00:00Z");
    for (FileSource[] pair : new FileSource[][] {{dataset, flat}, {byDay, flatByDay}}) {
      List<List<Object>> latestHive = positions(rows(engine.latestRows(latest(pair[0], start, end), repo)), "data/hive/", hive);
      List<List<Object>> latestFlat = positions(rows(engine.latestRows(latest(pair[1], start, end), repo)), "data/flat/", null);
      assertThat(latestHive).as("seed %d: latest rows by %s", seed, pair[0].timestampColumn()).isNotEmpty()
          .containsExactlyInAnyOrderElementsOf(latestFlat);
      // every row in range in the tie order, with its file's index and row: what tiles are rebuilt from
      assertThat(positions(rows(engine.sourceRowsWithPositions(latest(pair[0], start, end), repo)), "data/hive/", hive))
          .as("seed %d: source rows by %s", seed, pair[0].timestampColumn()).isNotEmpty()
          .isEqualTo(positions(rows(engine.sourceRowsWithPositions(latest(pair[1], start, end), repo)), "data/flat/", null));
    }
  }

  @Test
  void eachTimestampFormatGivesWhatATimestampColumnGives() throws Exception {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    DateTimeFormatter text = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss.SSS");
    DateTimeFormatter offset = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT, v BIGINT, ts TIMESTAMP, secs BIGINT, millis BIGINT, micros BIGINT,"
          + " secs32 INTEGER, text VARCHAR, zoned VARCHAR)");
      for (int i = 0; i < 400; i++) {
        long millis = r.nextBoolean() ? 1_767_225_600_000L + r.nextLong(5L * 86_400_000L) / 3_600_000 * 3_600_000
            : 1_767_225_600_000L + r.nextLong(5L * 86_400_000L);
        boolean whole = millis % 1000 == 0;
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000,
            ZoneOffset.UTC);
        boolean nullTime = r.nextInt(20) == 0;
        int shift = r.nextInt(-12, 13);
        s.execute("INSERT INTO t VALUES (" + r.nextInt(8) + ", " + i + ", " + (nullTime ? "NULL" : "make_timestamp(" + millis * 1000 + ")")
            + ", " + (nullTime || !whole ? "NULL" : millis / 1000) + ", " + (nullTime ? "NULL" : millis) + ", "
            + (nullTime ? "NULL" : millis * 1000) + ", " + (nullTime || !whole ? "NULL" : millis / 1000) + ", "
            + (nullTime ? "NULL" : literal(text.format(t))) + ", "
            + (nullTime || !whole ? "NULL" : literal(offset.format(t.atOffset(ZoneOffset.UTC)
                .withOffsetSameInstant(ZoneOffset.ofHours(shift))))) + ")");
      }
      s.execute("COPY t TO " + literal(repo.resolve("times.parquet").toString()) + " (FORMAT parquet)");
      s.execute("COPY (SELECT (hash(i) % 8)::BIGINT AS user_id, TIMESTAMP '2026-01-01' + to_minutes((hash(i, 2) % 8000)::BIGINT)"
          + " AS ts FROM range(500) t(i)) TO " + literal(repo.resolve("query.parquet").toString()) + " (FORMAT parquet)");
    }
    Map<String, String> columns = Map.of("epoch_seconds", "secs", "epoch_millis", "millis", "epoch_micros", "micros",
        "dd/MM/yyyy HH:mm:ss.SSS", "text", "yyyy-MM-dd'T'HH:mm:ssxxx", "zoned");
    for (var e : columns.entrySet()) {
      boolean whole = e.getValue().equals("secs") || e.getValue().equals("zoned");
      FileSource plain = new FileSource("events", "times.parquet", FileFormat.PARQUET, whole ? "secs_ts" : "ts", null, null, null);
      FileSource formatted = new FileSource("events", "times.parquet", FileFormat.PARQUET, e.getValue(), null, null, null,
          TableSettings.DEFAULT.withTimestampFormat(TimestampFormat.parse(e.getKey())));
      if (whole) {
        // the same instants as a timestamp column, only where the whole-second columns have them
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
          s.execute("COPY (SELECT *, CASE WHEN secs IS NULL THEN NULL ELSE ts END AS secs_ts FROM read_parquet("
              + literal(repo.resolve("times.parquet").toString()) + ")) TO " + literal(repo.resolve("times2.parquet").toString())
              + " (FORMAT parquet)");
        }
        plain = new FileSource("events", "times2.parquet", FileFormat.PARQUET, "secs_ts", null, null, null);
      }
      List<List<Object>> expected = rows(engine.rows(plan(plain, null), repo));
      List<List<Object>> got = rows(engine.rows(plan(formatted, null), repo));
      assertThat(got).as("seed %d: %s", seed, e.getKey()).isEqualTo(expected);
      assertThat(got.stream().filter(row -> row.get(3) != null).count()).as("seed %d: matches", seed).isGreaterThan(100);

      Instant start = Instant.parse("2026-01-01T00:00:00Z");
      Instant end = Instant.parse("2026-01-10T00:00:00Z");
      assertThat(withoutFile(rows(engine.latestRows(latest(formatted, start, end), repo))))
          .as("seed %d: latest rows by %s", seed, e.getKey())
          .containsExactlyInAnyOrderElementsOf(withoutFile(rows(engine.latestRows(latest(plain, start, end), repo))));
    }
    TimestampFormat int32 = TimestampFormat.parse("epoch_seconds");
    FileSource secs32 = new FileSource("events", "times.parquet", FileFormat.PARQUET, "secs32", null, null, null,
        TableSettings.DEFAULT.withTimestampFormat(int32));
    assertThat(rows(engine.rows(plan(secs32, null), repo))).isEqualTo(rows(engine.rows(plan(
        new FileSource("events", "times.parquet", FileFormat.PARQUET, "secs", null, null, null,
            TableSettings.DEFAULT.withTimestampFormat(int32)), null), repo)));
  }

  @Test
  void aStringThatDoesNotMatchThePatternFailsNamingTheSourceValueAndPattern() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 1::BIGINT AS user_id, 5::BIGINT AS v, '2026-01-02 03:04:05' AS ts UNION ALL"
          + " SELECT 1, 6, '2026-1-2 03:04:05') TO " + literal(repo.resolve("bad.parquet").toString()) + " (FORMAT parquet)");
      s.execute("COPY (SELECT 1::BIGINT AS user_id, TIMESTAMP '2026-02-01' AS ts) TO "
          + literal(repo.resolve("query.parquet").toString()) + " (FORMAT parquet)");
    }
    FileSource bad = new FileSource("events", "bad.parquet", FileFormat.PARQUET, "ts", null, null, null,
        TableSettings.DEFAULT.withTimestampFormat(TimestampFormat.parse("yyyy-MM-dd HH:mm:ss")));
    assertThatThrownBy(() -> rows(engine.rows(plan(bad, null), repo)))
        .hasMessageContaining("source 'events': '2026-1-2 03:04:05' does not match timestamp_format 'yyyy-MM-dd HH:mm:ss'"
            + " (19 characters); fix the value or the pattern");
  }

  @Test
  void sourcesThatAreNotLocalFilesAreRefusedInOneLine() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 1::BIGINT AS user_id, TIMESTAMP '2026-02-01' AS ts) TO "
          + literal(repo.resolve("query.parquet").toString()) + " (FORMAT parquet)");
    }
    FileSource iceberg = new FileSource("events", "db.events", FileFormat.PARQUET, "event_ts", null, null, null,
        TableSettings.DEFAULT.withIceberg(new IcebergTable("db.events", Map.of("type", "rest", "uri", "http://c:8181"))));
    String icebergRefusal = "source 'events' is an Iceberg table (db.events); the DuckDB engine reads local files; use"
        + " offline: {engine: spark}, which reads Iceberg tables (docs/spark.md, \"Table sources\")";
    assertThatThrownBy(() -> engine.rows(plan(iceberg, null), repo)).isInstanceOf(SourceDataException.class)
        .hasMessage(icebergRefusal);
    assertThatThrownBy(() -> engine.latestRows(latest(iceberg, Instant.EPOCH, Instant.now()), repo)).hasMessage(icebergRefusal);
    assertThatThrownBy(() -> new DuckDbSchemaReader().columns(iceberg, repo)).hasMessage(icebergRefusal);
    for (String uri : List.of("s3://lake/events/", "gs://lake/e/*.parquet", "hdfs://nn:8020/events", "abfs://c@a.dfs.core.windows.net/e")) {
      FileSource remote = new FileSource("events", uri, FileFormat.PARQUET, "event_ts", null, null, null);
      String refusal = "source 'events' is at " + uri + "; the DuckDB engine reads local files; use offline: {engine: spark}";
      assertThatThrownBy(() -> engine.rows(plan(remote, null), repo)).hasMessage(refusal);
      assertThatThrownBy(() -> engine.latestRows(latest(remote, Instant.EPOCH, Instant.now()), repo)).hasMessage(refusal);
      assertThatThrownBy(() -> new DuckDbSchemaReader().columns(remote, repo)).hasMessage(refusal);
    }
  }

  private PointInTimePlan plan(FileSource source, FileSource byDay) {
    return TableSourcePlans.trainingSet(repo, source, byDay);
  }

  private static LatestRowsPlan latest(FileSource source, Instant start, Instant end) {
    return TableSourcePlans.latest(source, start, end);
  }

  private static List<List<Object>> rows(HistoricalRows rows) {
    return TableSourcePlans.collect(rows);
  }

  /** Latest rows with the picked row's file replaced by its index in the source's sorted files. */
  private static List<List<Object>> positions(List<List<Object>> rows, String dir, List<String> files) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      List<Object> copy = new ArrayList<>(row);
      for (int i = 0; i < copy.size(); i++) {
        if (copy.get(i) instanceof String s && s.startsWith(dir)) {
          String rel = s.substring(dir.length());
          copy.set(i, files == null ? Integer.parseInt(rel.substring(1, 4)) : files.indexOf(rel));
        }
      }
      out.add(copy);
    }
    return out;
  }

  private static List<List<Object>> withoutFile(List<List<Object>> rows) {
    return rows.stream().map(row -> row.stream().filter(v -> !(v instanceof String s && s.endsWith(".parquet"))).toList())
        .map(l -> (List<Object>) new ArrayList<Object>(l)).toList();
  }
}
