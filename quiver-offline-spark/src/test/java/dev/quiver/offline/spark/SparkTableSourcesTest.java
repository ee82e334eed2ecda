package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.testkit.TableSourcePlans;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table sources through the Spark engine, checked against the DuckDB engine on the same files (the
 * cases of the DuckDB module's TableSourcesTest, data written by DuckDB): a randomized hive dataset
 * gives DuckDB's training sets, latest rows and positioned source rows, and Spark's own answer for
 * the same rows in flat files; every timestamp format gives DuckDB's answer and what a timestamp
 * column of the same instants gives; a value that does not match its pattern fails in one line.
 */
class SparkTableSourcesTest {
  private static OfflineEngine spark;
  private static OfflineEngine duck;

  @TempDir Path repo;

  @BeforeAll
  static void open() {
    spark = TestSpark.engine();
    duck = new DuckDbEngineProvider().open(Map.of());
  }

  @AfterAll
  static void close() {
    duck.close();
    spark.close();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2})
  void aHiveDatasetGivesDuckDbsAnswerAndTheFlatFilesAnswer(long seed) throws Exception {
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
    hive.sort(null);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      for (int i = 0; i < hive.size(); i++) {
        String file = hive.get(i);
        String day = file.substring(4, 14);
        String region = file.substring(file.indexOf("region=") + 7, file.indexOf("/part"));
        int rows = 1 + r.nextInt(40);
        // coarse times and few users: many ties on (event_ts, created_ts), settled by file then row
        String select = "SELECT CASE WHEN hash(i, " + seed + ") % 11 = 0 THEN NULL ELSE (hash(i, " + i
            + ", " + seed + ") % 6)::BIGINT END AS user_id, (" + (i * 1000) + " + i)::BIGINT AS v,"
            + " DATE '" + day + "' + to_hours((hash(i, 7, " + seed + ") % 3 * 8)::BIGINT) AS event_ts,"
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

    List<List<Object>> fromHive = rows(spark.rows(plan(dataset, byDay), repo));
    assertThat(fromHive).as("seed %d: training set, Spark vs DuckDB", seed).isEqualTo(rows(duck.rows(plan(dataset, byDay), repo)))
        .hasSize(300);
    assertThat(fromHive).as("seed %d: training set, hive vs flat", seed).isEqualTo(rows(spark.rows(plan(flat, flatByDay), repo)));
    assertThat(fromHive.stream().filter(row -> row.get(3) != null).count()).as("seed %d: matches", seed).isPositive();

    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2026-01-04T12:00:00Z");
    for (FileSource source : List.of(dataset, byDay)) {
      assertThat(rows(spark.latestRows(latest(source, start, end), repo)))
          .as("seed %d: latest rows by %s", seed, source.timestampColumn()).isNotEmpty()
          .containsExactlyInAnyOrderElementsOf(rows(duck.latestRows(latest(source, start, end), repo)));
      assertThat(rows(spark.sourceRowsWithPositions(latest(source, start, end), repo)))
          .as("seed %d: source rows by %s", seed, source.timestampColumn()).isNotEmpty()
          .isEqualTo(rows(duck.sourceRowsWithPositions(latest(source, start, end), repo)));
    }
    // the same dataset at a URI: listed through Hadoop's file system, not SourceFiles
    String uri = repo.resolve("data/hive").toUri().toString();
    FileSource atUri = new FileSource("events", uri, FileFormat.PARQUET, "event_ts", "created_ts", null, null);
    FileSource byDayAtUri = new FileSource("events", uri, FileFormat.PARQUET, "day", null, null, null,
        TableSettings.DEFAULT.withPartitioning(Partitioning.HIVE, Map.of()));
    assertThat(atUri.isLocal()).isFalse();
    assertThat(rows(spark.rows(plan(atUri, byDayAtUri), repo))).as("seed %d: training set at %s", seed, uri).isEqualTo(fromHive);
    assertThat(relative(rows(spark.sourceRowsWithPositions(latest(atUri, start, end), repo))))
        .as("seed %d: source rows at a URI", seed)
        .isEqualTo(relative(rows(duck.sourceRowsWithPositions(latest(dataset, start, end), repo))));
    // declared partition types: the region as the key's string, the day partition read as a string is refused as a time
    FileSource typed = new FileSource("events", "data/hive", FileFormat.PARQUET, "event_ts", "created_ts", null, null,
        TableSettings.DEFAULT.withPartitioning(Partitioning.HIVE, Map.of("region", ScalarType.STRING)));
    assertThat(rows(spark.rows(plan(typed, null), repo))).as("seed %d: declared types", seed)
        .isEqualTo(rows(duck.rows(plan(typed, null), repo)));
    FileSource none = new FileSource("events", "data/hive", FileFormat.PARQUET, "event_ts", "created_ts", null, null,
        TableSettings.DEFAULT.withPartitioning(Partitioning.NONE, Map.of()));
    assertThatThrownBy(() -> rows(spark.rows(plan(none, byDay), repo))).as("partitioning none: no region column")
        .hasMessageContaining("region");
  }

  @Test
  void eachTimestampFormatGivesDuckDbsAnswerAndWhatATimestampColumnGives() throws Exception {
    Random r = new Random(7);
    DateTimeFormatter text = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss.SSS");
    DateTimeFormatter offset = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT, v BIGINT, ts TIMESTAMP, secs BIGINT, millis BIGINT, micros BIGINT,"
          + " secs32 INTEGER, text VARCHAR, zoned VARCHAR)");
      StringBuilder values = new StringBuilder();
      for (int i = 0; i < 400; i++) {
        long millis = r.nextBoolean() ? 1_767_225_600_000L + r.nextLong(5L * 86_400_000L) / 3_600_000 * 3_600_000
            : 1_767_225_600_000L + r.nextLong(5L * 86_400_000L);
        boolean whole = millis % 1000 == 0;
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000,
            ZoneOffset.UTC);
        boolean nullTime = r.nextInt(20) == 0;
        int shift = r.nextInt(-12, 13);
        values.append(i == 0 ? "" : ", ").append("(" + r.nextInt(8) + ", " + i + ", "
            + (nullTime ? "NULL" : "make_timestamp(" + millis * 1000 + ")")
            + ", " + (nullTime || !whole ? "NULL" : millis / 1000) + ", " + (nullTime ? "NULL" : millis) + ", "
            + (nullTime ? "NULL" : millis * 1000) + ", " + (nullTime || !whole ? "NULL" : millis / 1000) + ", "
            + (nullTime ? "NULL" : literal(text.format(t))) + ", "
            + (nullTime || !whole ? "NULL" : literal(offset.format(t.atOffset(ZoneOffset.UTC)
                .withOffsetSameInstant(ZoneOffset.ofHours(shift))))) + ")");
      }
      s.execute("INSERT INTO t VALUES " + values);
      s.execute("COPY t TO " + literal(repo.resolve("times.parquet").toString()) + " (FORMAT parquet)");
      s.execute("COPY (SELECT *, CASE WHEN secs IS NULL THEN NULL ELSE ts END AS secs_ts FROM t) TO "
          + literal(repo.resolve("times2.parquet").toString()) + " (FORMAT parquet)");
      s.execute("COPY (SELECT (hash(i) % 8)::BIGINT AS user_id, TIMESTAMP '2026-01-01' + to_minutes((hash(i, 2) % 8000)::BIGINT)"
          + " AS ts FROM range(500) t(i)) TO " + literal(repo.resolve("query.parquet").toString()) + " (FORMAT parquet)");
    }
    Map<String, String> columns = Map.of("epoch_seconds", "secs", "epoch_millis", "millis", "epoch_micros", "micros",
        "dd/MM/yyyy HH:mm:ss.SSS", "text", "yyyy-MM-dd'T'HH:mm:ssxxx", "zoned");
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2026-01-10T00:00:00Z");
    for (var e : columns.entrySet()) {
      boolean whole = e.getValue().equals("secs") || e.getValue().equals("zoned");
      FileSource plain = whole ? new FileSource("events", "times2.parquet", FileFormat.PARQUET, "secs_ts", null, null, null)
          : new FileSource("events", "times.parquet", FileFormat.PARQUET, "ts", null, null, null);
      FileSource formatted = new FileSource("events", "times.parquet", FileFormat.PARQUET, e.getValue(), null, null, null,
          TableSettings.DEFAULT.withTimestampFormat(TimestampFormat.parse(e.getKey())));
      List<List<Object>> got = rows(spark.rows(plan(formatted, null), repo));
      assertThat(got).as("%s: Spark vs DuckDB", e.getKey()).isEqualTo(rows(duck.rows(plan(formatted, null), repo)));
      assertThat(got).as("%s: vs a timestamp column", e.getKey()).isEqualTo(rows(spark.rows(plan(plain, null), repo)));
      assertThat(got.stream().filter(row -> row.get(1) != null).count()).as("%s: matches", e.getKey()).isGreaterThan(100);
      assertThat(rows(spark.latestRows(latest(formatted, start, end), repo))).as("%s: latest rows", e.getKey())
          .containsExactlyInAnyOrderElementsOf(rows(duck.latestRows(latest(formatted, start, end), repo)));
    }
    FileSource secs32 = new FileSource("events", "times.parquet", FileFormat.PARQUET, "secs32", null, null, null,
        TableSettings.DEFAULT.withTimestampFormat(TimestampFormat.parse("epoch_seconds")));
    assertThat(rows(spark.rows(plan(secs32, null), repo))).as("int32 epoch seconds")
        .isEqualTo(rows(duck.rows(plan(secs32, null), repo)));
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
    String message = "source 'events': '2026-1-2 03:04:05' does not match timestamp_format 'yyyy-MM-dd HH:mm:ss'"
        + " (19 characters); fix the value or the pattern";
    assertThatThrownBy(() -> rows(spark.rows(plan(bad, null), repo))).isInstanceOf(SourceDataException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> rows(duck.rows(plan(bad, null), repo))).hasMessageContaining(message);
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    assertThatThrownBy(() -> rows(spark.latestRows(latest(bad, start, start.plus(Duration.ofDays(9))), repo)))
        .isInstanceOf(SourceDataException.class).hasMessage(message);
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

  /** Rows with each file name cut to its path below data/hive/. */
  private static List<List<Object>> relative(List<List<Object>> rows) {
    return rows.stream().map(row -> row.stream().map(v -> v instanceof String s && s.contains("data/hive/")
        ? s.substring(s.indexOf("data/hive/")) : v).toList()).toList();
  }

  private static String literal(String text) {
    return '\'' + text.replace("'", "''") + '\'';
  }
}
