package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.load.Origins;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training-set files state their timestamps in UTC whatever the timestamp types of the query and
 * the sources (TIMESTAMP, TIMESTAMP WITH TIME ZONE, Parquet's epoch units ms/us/ns and seconds,
 * DATE, lists) and whatever the JVM's time zone: CSV as ISO-8601 with {@code Z}, Parquet as
 * UTC-adjusted timestamps. (The DuckDB session's own zone is covered end to end by the CLI's
 * {@code TrainingSetOutputTest}, in a process started with another {@code TZ}.)
 */
class TrainingSetFileTest {
  @TempDir Path repo;
  private final OfflineEngine engine = new DuckDbEngineProvider().open(Map.of());
  private TimeZone saved;

  @BeforeEach
  void files() throws Exception {
    saved = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/New_York")); // daylight saving changes on 2026-03-08 and 2026-11-01
    Files.createDirectories(repo.resolve("data"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'America/New_York'"); // zoned literals below carry their own offsets
      s.execute("COPY (SELECT * FROM (VALUES"
          + " (1::BIGINT, TIMESTAMP '2026-03-01 10:00:00', TIMESTAMP '2026-03-01 10:15:00.123456',"
          + "   TIMESTAMPTZ '2026-03-01 15:45:00.123456+05:30', TIMESTAMP_MS '2026-03-01 10:15:00.123',"
          + "   TIMESTAMP_NS '2026-03-01 10:15:00.123456789', TIMESTAMP_S '2026-03-01 10:15:00', DATE '2026-03-01',"
          + "   [TIMESTAMP '2026-03-01 10:15:00.123456', NULL], 0.1::DOUBLE),"
          + " (2::BIGINT, TIMESTAMP '2026-03-01 09:00:00', TIMESTAMP '1999-12-31 23:59:59',"
          + "   TIMESTAMPTZ '2000-01-01 00:00:00+00', TIMESTAMP_MS '1999-12-31 23:59:59.999',"
          + "   TIMESTAMP_NS '1969-12-31 23:59:59.999999999', TIMESTAMP_S '2000-01-01 00:00:01', DATE '2000-01-01',"
          + "   []::TIMESTAMP[], 2.5::DOUBLE),"
          + " (4::BIGINT, TIMESTAMP '2026-03-01 00:00:00', NULL, TIMESTAMPTZ '2026-11-01 05:30:00.5+00', NULL, NULL, NULL, NULL,"
          + "   NULL, NULL))"
          + " t(user_id, event_ts, f_ts, f_tz, f_ms, f_ns, f_s, f_date, f_list, amount))"
          + " TO '" + repo.resolve("data/events.parquet") + "' (FORMAT parquet)");
      s.execute("COPY (SELECT * FROM (VALUES"
          + " (1::BIGINT, TIMESTAMPTZ '2026-03-01 12:00:00+01', TIMESTAMP_MS '2026-03-02 00:00:00.5'),"
          + " (2::BIGINT, TIMESTAMPTZ '2026-03-01 09:30:00+00', TIMESTAMP_MS '2026-03-02 00:00:00'),"
          + " (3::BIGINT, TIMESTAMPTZ '2026-03-01 12:00:00+00', NULL::TIMESTAMP_MS))"
          + " t(user_id, event_timestamp, label_ms))"
          + " TO '" + repo.resolve("data/query.parquet") + "' (FORMAT parquet)");
      s.execute("COPY (SELECT * FROM (VALUES (4::BIGINT, TIMESTAMPTZ '2026-03-08 08:25:49.052346+00'),"
          + " (4::BIGINT, TIMESTAMPTZ '2026-11-01 05:30:00.5+00'), (4::BIGINT, TIMESTAMPTZ '2026-11-01 06:30:00.5+00'))"
          + " t(user_id, event_timestamp)) TO '" + repo.resolve("data/dst.parquet") + "' (FORMAT parquet)");
    }
  }

  @AfterEach
  void restore() {
    TimeZone.setDefault(saved);
    engine.close();
  }

  @Test
  void csvWritesEveryTimestampAsIso8601Utc() throws Exception {
    PointInTimePlan plan = plan("v:f_ts", "v:f_tz", "v:f_ms", "v:f_ns", "v:f_s", "v:f_date", "v:f_list", "v:amount");
    Path out = repo.resolve("out/train.csv");
    assertThat(engine.write(plan, repo, out, FileFormat.CSV, p -> {})).isEqualTo(3);
    assertThat(Files.readAllLines(out)).containsExactly(
        "user_id,event_timestamp,label_ms,f_ts,f_tz,f_ms,f_ns,f_s,f_date,f_list,amount",
        "1,2026-03-01T11:00:00.000000Z,2026-03-02T00:00:00.500000Z,2026-03-01T10:15:00.123456Z,2026-03-01T10:15:00.123456Z,"
            + "2026-03-01T10:15:00.123000Z,2026-03-01T10:15:00.123456Z,2026-03-01T10:15:00.000000Z,2026-03-01T00:00:00.000000Z,"
            + "\"[2026-03-01T10:15:00.123456Z, NULL]\",0.1",
        "2,2026-03-01T09:30:00.000000Z,2026-03-02T00:00:00.000000Z,1999-12-31T23:59:59.000000Z,2000-01-01T00:00:00.000000Z,"
            + "1999-12-31T23:59:59.999000Z,1969-12-31T23:59:59.999999Z,2000-01-01T00:00:01.000000Z,2000-01-01T00:00:00.000000Z,"
            + "[],2.5",
        "3,2026-03-01T12:00:00.000000Z,,,,,,,,,");
    // and the engine reads its own CSV back as the same instants
    try (HistoricalRows rows = engine.read(out, FileFormat.CSV)) {
      Object[] first = rows.next();
      assertThat(first[1]).isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
      assertThat(first[4]).isEqualTo(Instant.parse("2026-03-01T10:15:00.123456Z"));
    }
  }

  @Test
  void parquetTimestampsAreUtcAdjusted() throws Exception {
    PointInTimePlan plan = plan("v:f_ts", "v:f_tz", "v:f_ms", "v:f_ns", "v:f_s", "v:f_date", "v:f_list", "v:amount");
    Path out = repo.resolve("out/train.parquet");
    assertThat(engine.write(plan, repo, out, FileFormat.PARQUET, p -> {})).isEqualTo(3);
    Map<String, String> types = parquetTimestampTypes(out);
    assertThat(types.keySet()).containsExactly("event_timestamp", "label_ms", "f_ts", "f_tz", "f_ms", "f_ns", "f_s", "f_date", "element");
    assertThat(types.values()).allSatisfy(t -> assertThat(t).contains("isAdjustedToUTC=1", "MICROS=MicroSeconds()"));
    try (HistoricalRows rows = engine.read(out, FileFormat.PARQUET)) {
      Object[] second = rows.next();
      second = rows.next();
      assertThat(second[1]).isEqualTo(Instant.parse("2026-03-01T09:30:00Z"));
      assertThat(second[6]).isEqualTo(Instant.parse("1969-12-31T23:59:59.999999Z"));
      assertThat(second[8]).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    }
  }

  @Test
  void windowAggregatesOfTimestampsToo() throws Exception {
    PointInTimePlan plan = plan("agg:last_two", "agg:latest");
    Path csv = repo.resolve("out/agg.csv");
    engine.write(plan, repo, csv, FileFormat.CSV, p -> {});
    assertThat(Files.readAllLines(csv)).containsExactly(
        "user_id,event_timestamp,label_ms,last_two,latest",
        "1,2026-03-01T11:00:00.000000Z,2026-03-02T00:00:00.500000Z,[2026-03-01T10:15:00.123456Z],2026-03-01T10:15:00.123456Z",
        "2,2026-03-01T09:30:00.000000Z,2026-03-02T00:00:00.000000Z,[1999-12-31T23:59:59.000000Z],1999-12-31T23:59:59.000000Z",
        "3,2026-03-01T12:00:00.000000Z,,,");
    Path parquet = repo.resolve("out/agg.parquet");
    engine.write(plan, repo, parquet, FileFormat.PARQUET, p -> {});
    assertThat(parquetTimestampTypes(parquet).values()).hasSize(4)
        .allSatisfy(t -> assertThat(t).contains("isAdjustedToUTC=1"));
  }

  /**
   * A directory target ({@code --out train/}): one part, the same rows and Parquet types as the file;
   * replaced only once complete; a directory holding other files is refused untouched.
   */
  @Test
  void aDirectoryTargetHoldsOnePartWithTheFilesRows() throws Exception {
    PointInTimePlan plan = plan("v:f_ts", "v:f_tz", "v:f_list", "v:amount");
    Path file = repo.resolve("out/train.parquet");
    Path dir = repo.resolve("out/train");
    assertThat(engine.write(plan, repo, file, FileFormat.PARQUET, p -> {})).isEqualTo(3);
    List<Double> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThat(engine.writeDataset(plan, repo, dir, progress::add)).isEqualTo(3);
    assertThat(progress).last().isEqualTo(100.0);
    try (var listed = Files.list(dir)) {
      assertThat(listed.map(p -> p.getFileName().toString()).toList()).containsExactly("part-00000.parquet");
    }
    assertThat(parquetTimestampTypes(dir.resolve("part-00000.parquet"))).isEqualTo(parquetTimestampTypes(file));
    List<List<Object>> fromFile = new ArrayList<>();
    try (HistoricalRows rows = engine.read(file, FileFormat.PARQUET)) {
      rows.forEachRemaining(r -> fromFile.add(java.util.Arrays.asList(r)));
    }
    List<List<Object>> fromDir = new ArrayList<>();
    try (HistoricalRows rows = engine.read(dir.resolve("part-*.parquet"), FileFormat.PARQUET)) {
      rows.forEachRemaining(r -> fromDir.add(java.util.Arrays.asList(r)));
    }
    assertThat(fromDir).hasSize(3).isEqualTo(fromFile);
    // written again: replaced; no hidden directory left
    assertThat(engine.writeDataset(plan, repo, dir, p -> {})).isEqualTo(3);
    assertThat(dev.quiver.core.offline.DatasetDirectory.temp(dir)).doesNotExist();

    Path other = Files.createDirectories(repo.resolve("out/notes"));
    Files.writeString(other.resolve("keep.txt"), "mine");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.writeDataset(plan, repo, other, p -> {}))
        .isInstanceOf(dev.quiver.core.QuiverException.class).hasMessageContaining("keep.txt");
    assertThat(other.resolve("keep.txt")).hasContent("mine");
  }

  /**
   * Zoned timestamps (query and source) read as the same instants in a JVM whose zone changes
   * daylight saving that day: DuckDB's JDBC driver would shift them by an hour.
   */
  @Test
  void zonedTimestampsReadExactlyAcrossDaylightSavingChanges() throws Exception {
    PointInTimePlan plan = planOver("data/dst.parquet", "v:f_tz");
    List<Instant> times = List.of(Instant.parse("2026-03-08T08:25:49.052346Z"), Instant.parse("2026-11-01T05:30:00.500Z"),
        Instant.parse("2026-11-01T06:30:00.500Z"));
    Instant value = Instant.parse("2026-11-01T05:30:00.500Z");
    try (HistoricalRows rows = engine.rows(plan, repo)) {
      for (Instant t : times) {
        assertThat(rows.next()).containsExactly(4L, t, value);
      }
    }
    Path out = repo.resolve("out/dst.parquet");
    engine.write(plan, repo, out, FileFormat.PARQUET, p -> {});
    try (HistoricalRows rows = engine.read(out, FileFormat.PARQUET)) {
      for (Instant t : times) {
        assertThat(rows.next()).containsExactly(4L, t, value);
      }
    }
  }

  private PointInTimePlan plan(String... refs) {
    return planOver("data/query.parquet", refs);
  }

  private PointInTimePlan planOver(String queryFile, String... refs) {
    Definitions defs = Definitions.builder("utc")
        .entity("user", "user_id", ScalarType.INT64)
        .source(new FileSource("events", "data/events.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), Metadata.EMPTY))
        .view(ViewBuilder.named("v").entities("user").source("events").column("f_ts").column("f_tz").column("f_ms")
            .column("f_ns").column("f_s").column("f_date").column("f_list").column("amount"))
        .view(ViewBuilder.named("agg").entities("user").source("events")
            .aggregate("last_two", Aggregation.of(AggregateFunction.LAST_K, "f_ts", Window.lifetime()).withK(2))
            .aggregate("latest", AggregateFunction.LAST, "f_ts", "lifetime"))
        .build();
    Definitions typed = new DefinitionValidator(new DuckDbSchemaReader(), repo).validate(defs, Origins.none(), Set.of());
    QueryInput query = QueryInput.Files.of(repo.resolve(queryFile).toString());
    List<FileSource> tables = typed.sources().stream().map(s -> (FileSource) s).toList();
    HistoricalRequest request = HistoricalRequest.ofFeatures(query, java.util.Arrays.stream(refs).map(FeatureRef::of).toList());
    return PointInTimePlanner.plan(typed, 1, request, engine.describe(query, tables, repo));
  }

  /** Each timestamp leaf of a Parquet file's schema (a list's is named "element"), with its logical type. */
  private static Map<String, String> parquetTimestampTypes(Path file) throws Exception {
    Map<String, String> types = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, logical_type FROM parquet_schema('" + file + "')")) {
      while (rs.next()) {
        String type = rs.getString(2);
        all.add(rs.getString(1) + ": " + type);
        if (type != null && type.startsWith("TimestampType")) {
          types.put(rs.getString(1), type);
        }
      }
    }
    assertThat(types).as("%s", all).isNotEmpty();
    return types;
  }
}
