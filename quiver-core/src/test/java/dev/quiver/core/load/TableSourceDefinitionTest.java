package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.TestRepos;
import dev.quiver.core.diff.Planner;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.spi.SourceSchemaReader;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table sources in definitions: hive dataset directories, time formats, sources at a URI and
 * Iceberg tables; their errors (file, line, fix), the validator's checks, the registry and plan diffs.
 */
class TableSourceDefinitionTest {
  @TempDir Path dir;

  private static final String HEAD = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
      """;
  private static final String VIEW = """
      feature_views:
        - name: v
          entities: [user]
          source: events
          features: [{name: amount}]
      """;

  /** The columns local test sources have, by path. */
  private static final Map<String, Map<String, ValueType>> FILES = Map.of(
      "data/events/", Map.of("user_id", ScalarType.INT64, "amount", ScalarType.FLOAT64, "day", ScalarType.TIMESTAMP,
          "ts", ScalarType.TIMESTAMP),
      "data/epoch.parquet", Map.of("user_id", ScalarType.INT64, "amount", ScalarType.FLOAT64, "ts", ScalarType.INT64,
          "created", ScalarType.INT32),
      "data/text.csv", Map.of("user_id", ScalarType.INT64, "amount", ScalarType.FLOAT64, "ts", ScalarType.STRING));

  @Test
  void aHiveDatasetDirectoryLoadsAsParquetWithItsPartitionTypes() {
    Definitions defs = loadAndValidate(HEAD + """
          - name: events
            path: data/events/
            partitioning: hive
            partition_types: {day: timestamp}
            timestamp: day
        """ + VIEW);

    FileSource s = (FileSource) defs.source("events").orElseThrow();
    assertThat(s.format()).isEqualTo(FileFormat.PARQUET);
    assertThat(s.table().partitioning()).isEqualTo(Partitioning.HIVE);
    assertThat(s.table().partitionTypes()).containsExactly(Map.entry("day", ScalarType.TIMESTAMP));
    assertThat(s.isLocal()).isTrue();
    assertThat(s.timestampFormat()).isEqualTo(TimestampFormat.TIMESTAMP);
  }

  @Test
  void eachTimestampFormatIsCheckedAgainstItsColumnsType() {
    Definitions epoch = loadAndValidate(HEAD + """
          - {name: events, path: data/epoch.parquet, timestamp: ts, created: created, timestamp_format: epoch_millis}
        """ + VIEW);
    assertThat(((FileSource) epoch.source("events").orElseThrow()).timestampFormat())
        .isEqualTo(TimestampFormat.parse("epoch_millis"));
    Definitions text = loadAndValidate(HEAD + """
          - {name: events, path: data/text.csv, timestamp: ts, timestamp_format: "yyyy-MM-dd HH:mm:ss"}
        """ + VIEW);
    assertThat(((FileSource) text.source("events").orElseThrow()).timestampFormat().strftime()).isEqualTo("%Y-%m-%d %H:%M:%S");

    assertThatThrownBy(() -> loadAndValidate(HEAD + """
          - {name: events, path: data/epoch.parquet, timestamp: ts}
        """ + VIEW)).hasMessageContaining("must hold timestamps but is int64")
        .hasMessageContaining("timestamp_format: epoch_seconds");
    assertThatThrownBy(() -> loadAndValidate(HEAD + """
          - {name: events, path: data/text.csv, timestamp: ts, timestamp_format: epoch_seconds}
        """ + VIEW)).hasMessageContaining("timestamp_format epoch_seconds reads integers, but timestamp column 'ts' is string")
        .hasMessageContaining("give the strings' pattern");
    assertThatThrownBy(() -> loadAndValidate(HEAD + """
          - {name: events, path: data/epoch.parquet, timestamp: ts, timestamp_format: "yyyy-MM-dd"}
        """ + VIEW)).hasMessageContaining("timestamp_format 'yyyy-MM-dd' reads strings, but timestamp column 'ts' is int64");
  }

  @Test
  void aBadTimestampFormatIsReportedAtItsLineWithTheChoices() {
    assertProblem(HEAD + """
          - name: events
            path: data/epoch.parquet
            timestamp: ts
            timestamp_format: yyyy-MM-dd hh:mm
        """ + VIEW, 7, "timestamp_format of source 'events': pattern 'yyyy-MM-dd hh:mm' has 'hh'",
        "use epoch_seconds, epoch_millis, epoch_micros or a pattern");
  }

  @Test
  void aSourceAtAUriNeedsNoFilesButADeclaredSchema() {
    SourceSchemaReader noFiles = (source, root) -> {
      throw new QuiverException("read " + source.path());
    };
    LoadedRepo repo = load(HEAD + """
          - name: events
            path: s3://lake/events/
            partitioning: hive
            timestamp: ts
            timestamp_format: epoch_seconds
            schema: {user_id: int64, amount: float64, ts: int64}
        """ + VIEW);
    Definitions defs = new DefinitionValidator(noFiles, dir).validate(repo.definitions(), repo.origins(), Set.of());

    FileSource s = (FileSource) defs.source("events").orElseThrow();
    assertThat(s.isLocal()).isFalse();
    assertThat(s.scheme()).isEqualTo("s3");
    assertThat(s.table().schema()).containsExactly(Map.entry("user_id", ScalarType.INT64),
        Map.entry("amount", ScalarType.FLOAT64), Map.entry("ts", ScalarType.INT64));

    LoadedRepo wrongColumn = load(HEAD + """
          - {name: events, path: "gs://lake/e/*.parquet", timestamp: ts, schema: {user_id: int64, ts: timestamp}}
        """ + VIEW);
    assertThatThrownBy(() -> new DefinitionValidator(noFiles, dir).validate(wrongColumn.definitions(), wrongColumn.origins(),
        Set.of())).hasMessageContaining("amount").hasMessageNotContaining("read gs://");
  }

  @Test
  void anIcebergTableLoadsWithItsCatalog() {
    Definitions defs = loadAndValidate(HEAD + """
          - name: events
            type: table
            format: iceberg
            table: db.events
            catalog: {type: rest, uri: "http://catalog:8181", token: "${CATALOG_TOKEN}"}
            timestamp: ts
            schema: {user_id: int64, amount: float64, ts: timestamp}
        """ + VIEW);

    FileSource s = (FileSource) defs.source("events").orElseThrow();
    assertThat(s.isIceberg()).isTrue();
    assertThat(s.isLocal()).isFalse();
    assertThat(s.path()).isEqualTo("db.events");
    assertThat(s.table().iceberg()).isEqualTo(new IcebergTable("db.events",
        Map.of("type", "rest", "uri", "http://catalog:8181", "token", "${CATALOG_TOKEN}")));
  }

  @Test
  void everyNewKeyNamesItsLineAndTheFix() {
    assertProblem(HEAD + """
          - name: events
            path: s3://lake/events/
            timestamp: ts
        """ + VIEW, 4, "source 'events' is at s3://lake/events/, which plan does not read here, so it needs 'schema'");
    assertProblem(HEAD + """
          - name: events
            path: data/epoch.parquet
            timestamp: ts
            schema: {ts: timestamp}
        """ + VIEW, 7, "this one's columns come from its files, so remove 'schema'");
    assertProblem(HEAD + """
          - name: events
            path: http://lake/events.parquet
            timestamp: ts
        """ + VIEW, 5, "is a http:// URL; use a local path or one of s3://");
    assertProblem(HEAD + """
          - name: events
            path: data/epoch.parquet
            table: db.events
            timestamp: ts
        """ + VIEW, 6, "'table' of source 'events' is for an Iceberg table; add format: iceberg");
    assertProblem(HEAD + """
          - name: events
            format: iceberg
            table: db.events
            path: data/x/
            catalog: {type: hadoop, warehouse: /w}
            timestamp: ts
            schema: {ts: timestamp}
        """ + VIEW, 7, "is an Iceberg table, which has its own layout; remove 'path'");
    assertProblem(HEAD + """
          - name: events
            format: iceberg
            table: events
            catalog: {type: hadoop}
            timestamp: ts
            schema: {ts: timestamp}
        """ + VIEW, 6, "must be namespace.table");
    assertProblem(HEAD + """
          - name: events
            format: iceberg
            table: db.events
            timestamp: ts
            schema: {ts: timestamp}
        """ + VIEW, 4, "needs 'catalog'");
    assertProblem(HEAD + """
          - name: events
            format: iceberg
            table: db.events
            catalog: {type: rest, credential: "abc:def"}
            timestamp: ts
            schema: {ts: timestamp}
        """ + VIEW, 7, "catalog property 'credential' of source 'events' looks like a secret", "${ENV_VAR}");
    assertProblem(HEAD + """
          - name: events
            path: data/events/
            partitioning: range
            timestamp: ts
        """ + VIEW, 6, "partitioning of source 'events' is hive");
    assertProblem(HEAD + """
          - name: events
            path: data/events/*.csv
            partitioning: hive
            timestamp: ts
        """ + VIEW, 6, "partitioning: hive reads Parquet datasets");
    assertProblem(HEAD + """
          - name: events
            path: data/epoch.parquet
            partition_types: {day: int64}
            timestamp: ts
        """ + VIEW, 6, "partition_types of source 'events' type hive partition columns; add partitioning: hive");
    assertProblem(HEAD + """
          - name: events
            path: data/events/
            partitioning: hive
            partition_types: {day: bytes}
            timestamp: ts
        """ + VIEW, 7, "partition column 'day' of source 'events' has type 'bytes'");
    assertProblem(HEAD + """
          - name: events
            path: data/events
            timestamp: ts
        """ + VIEW, 5, "cannot tell the format of 'data/events'", "end the path in / or add partitioning: hive");
  }

  @Test
  void theRegistryRoundTripsTableSettingsAndPlanShowsTheirChanges() {
    Definitions defs = loadAndValidate(HEAD + """
          - name: events
            path: data/events/
            partitioning: hive
            partition_types: {day: timestamp}
            timestamp: day
        """ + VIEW);
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", Instant.parse("2026-01-01T00:00:00Z"),
        "m", RegistryCodec.contentHash(defs)), defs);
    assertThat(RegistryCodec.decode(RegistryCodec.encode(snapshot))).isEqualTo(snapshot);

    FileSource s = (FileSource) defs.source("events").orElseThrow();
    FileSource changed = new FileSource(s.name(), s.path(), s.format(), s.timestampColumn(), s.createdColumn(),
        s.fieldMapping(), s.metadata(), s.table().withTimestampFormat(TimestampFormat.parse("epoch_millis"))
            .withPartitioning(Partitioning.NONE, Map.of()));
    Definitions after = new Definitions(defs.project(), defs.entities(), List.of(changed), defs.views(),
        defs.onDemandViews(), defs.services());
    String plan = Planner.plan(1, defs, after, List.of()).changes().toString();
    assertThat(plan).contains("timestamp_format", "epoch_millis", "partitioning", "none", "partition_types.day");

    FileSource plain = new FileSource("events", "data/events/", FileFormat.PARQUET, "day", null, null, null);
    assertThat(RegistryCodec.contentHash(new Definitions(defs.project(), defs.entities(), List.of(plain), defs.views(),
        defs.onDemandViews(), defs.services())))
        .as("a plain source hashes as before: no settings are written for it")
        .isEqualTo(RegistryCodec.contentHash(new Definitions(defs.project(), defs.entities(), List.of(new FileSource(
            "events", "data/events/", FileFormat.PARQUET, "day", null, null, null, null)), defs.views(),
            defs.onDemandViews(), defs.services())));
    assertThat(new String(RegistryCodec.encode(new RegistrySnapshot(snapshot.info(), new Definitions(defs.project(),
        defs.entities(), List.of(plain), defs.views(), defs.onDemandViews(), defs.services()))),
        java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("\"table\"");
  }

  private void assertProblem(String yaml, int line, String... fragments) {
    assertThatThrownBy(() -> loadAndValidate(yaml))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.getMessage()).contains(fragments);
          assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.origin().line()).isEqualTo(line);
            assertThat(p.origin().file()).endsWith("defs.yaml");
            assertThat(p.message()).contains(fragments[0]);
          });
        });
  }

  private LoadedRepo load(String yaml) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    return new DefinitionLoader().load(dir);
  }

  private Definitions loadAndValidate(String yaml) {
    LoadedRepo repo = load(yaml);
    return new DefinitionValidator(TestRepos.schemas(FILES), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }
}
