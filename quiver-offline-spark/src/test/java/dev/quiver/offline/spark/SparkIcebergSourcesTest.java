package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import dev.quiver.testkit.TableSourcePlans;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Iceberg table sources through the Spark engine: tables written with Iceberg's own Parquet writer
 * (field ids in the files) into a Hadoop catalog, in several commits, checked against the DuckDB
 * engine over the same rows written as plain files in commit order (the tie order Iceberg sources
 * get); schema evolution; and every refusal in one line.
 */
class SparkIcebergSourcesTest {
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.optional(1, "user_id", Types.LongType.get()),
      Types.NestedField.optional(2, "v", Types.LongType.get()),
      Types.NestedField.optional(3, "event_ts", Types.TimestampType.withZone()),
      Types.NestedField.optional(4, "created_ts", Types.TimestampType.withoutZone()),
      Types.NestedField.optional(5, "region", Types.StringType.get()));

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
  void aTableGivesDuckDbsAnswerOverTheSameRowsInCommitOrder(long seed) throws Exception {
    Random r = new Random(seed);
    Path warehouse = repo.resolve("warehouse");
    HadoopCatalog catalog = catalog(warehouse);
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, PartitionSpec.unpartitioned());
    int commits = 2 + r.nextInt(3);
    int written = 0;
    for (int c = 0; c < commits; c++) {
      List<DataFile> files = new ArrayList<>();
      for (int f = 0; f < 1 + r.nextInt(3); f++) {
        List<Record> rows = randomRows(r, written);
        written += rows.size();
        // the table's files sort by path within a commit as the flat files do overall
        files.add(write(table, table.locationProvider().newDataLocation("c" + c + "-f" + f + ".parquet"), rows));
        writeFlat(repo.resolve("data/flat/f" + c + f + ".parquet"), rows);
      }
      var append = table.newAppend();
      files.forEach(append::appendFile);
      append.commit();
    }
    writeQuery(seed);
    FileSource iceberg = icebergSource(Map.of("type", "hadoop", "warehouse", warehouse.toString()));
    FileSource flat = new FileSource("events", "data/flat/*.parquet", FileFormat.PARQUET, "event_ts", "created_ts", null, null);

    List<List<Object>> got = rows(spark.rows(plan(iceberg), repo));
    assertThat(got).as("seed %d: training set, Iceberg on Spark vs files on DuckDB", seed)
        .isEqualTo(rows(duck.rows(plan(flat), repo))).hasSize(300);
    assertThat(got.stream().filter(row -> row.get(2) != null).count()).as("seed %d: matches", seed).isPositive();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2026-01-06T00:00:00Z");
    assertThat(fileIndexes(rows(spark.latestRows(latest(iceberg, start, end), repo)))).as("seed %d: latest rows", seed)
        .isNotEmpty().containsExactlyInAnyOrderElementsOf(fileIndexes(rows(duck.latestRows(latest(flat, start, end), repo))));
    assertThat(fileIndexes(rows(spark.sourceRowsWithPositions(latest(iceberg, start, end), repo))))
        .as("seed %d: source rows with positions", seed)
        .isEqualTo(fileIndexes(rows(duck.sourceRowsWithPositions(latest(flat, start, end), repo))));
    catalog.close();
  }

  @Test
  void aColumnAddedLaterReadsNullInTheFilesWrittenBeforeIt() throws Exception {
    HadoopCatalog catalog = catalog(repo.resolve("warehouse"));
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, PartitionSpec.unpartitioned());
    List<Record> before = List.of(record(1L, 10L, 0), record(2L, 20L, 1));
    table.newAppend().appendFile(write(table, table.locationProvider().newDataLocation("a.parquet"), before)).commit();
    table.updateSchema().addColumn("score", Types.DoubleType.get()).commit();
    Schema evolved = table.schema();
    Record later = GenericRecord.create(evolved);
    later.setField("user_id", 3L);
    later.setField("v", 30L);
    later.setField("event_ts", OffsetDateTime.of(2026, 1, 2, 0, 0, 0, 0, ZoneOffset.UTC));
    later.setField("score", 0.5);
    table.newAppend().appendFile(write(table, evolved, table.locationProvider().newDataLocation("b.parquet"), List.of(later)))
        .commit();

    FileSource source = icebergSource(Map.of("type", "hadoop", "warehouse", repo.resolve("warehouse").toString()));
    List<Row> rows = SparkScans.table(TestSpark.session(), source, repo).orderBy("v").collectAsList();
    assertThat(rows).extracting(row -> row.getAs("v"), row -> row.getAs("score"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(10L, null), org.assertj.core.groups.Tuple.tuple(20L, null),
            org.assertj.core.groups.Tuple.tuple(30L, 0.5));
    catalog.close();
  }

  @Test
  void aFileImportedWithoutItsPartitionColumnReadsItFromTheTablesMetadata() throws Exception {
    HadoopCatalog catalog = catalog(repo.resolve("warehouse"));
    PartitionSpec byRegion = PartitionSpec.builderFor(SCHEMA).identity("region").build();
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, byRegion);
    // as migrate / add_files import a Hive layout: the region lives in the path and the metadata, not the file
    Schema withoutRegion = SCHEMA.select("user_id", "v", "event_ts", "created_ts");
    String imported = table.locationProvider().newDataLocation("region=eu/imported.parquet");
    DataFile plain = write(table, withoutRegion, imported, List.of(record(withoutRegion, 1L, 10L, 0, "v"),
        record(withoutRegion, 2L, 20L, 1, "v")));
    table.updateProperties().set(org.apache.iceberg.TableProperties.DEFAULT_NAME_MAPPING, org.apache.iceberg.mapping.NameMappingParser
        .toJson(org.apache.iceberg.mapping.MappingUtil.create(SCHEMA))).commit(); // as add_files marks a table it imports into
    table.newAppend().appendFile(org.apache.iceberg.DataFiles.builder(byRegion).withPath(imported)
        .withFormat(org.apache.iceberg.FileFormat.PARQUET).withFileSizeInBytes(plain.fileSizeInBytes()).withRecordCount(2)
        .withPartitionPath("region=eu").build()).commit();
    Record us = record(3L, 30L, 2);
    us.setField("region", "us");
    DataFile written = write(table, table.locationProvider().newDataLocation("region=us/written.parquet"), List.of(us));
    table.newAppend().appendFile(org.apache.iceberg.DataFiles.builder(byRegion).copy(written).withPartitionPath("region=us")
        .build()).commit();

    FileSource source = icebergSource(Map.of("type", "hadoop", "warehouse", repo.resolve("warehouse").toString()));
    assertThat(SparkScans.table(TestSpark.session(), source, repo).orderBy("v").collectAsList())
        .extracting(row -> row.getAs("v"), row -> row.getAs("region"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(10L, "eu"), org.assertj.core.groups.Tuple.tuple(20L, "eu"),
            org.assertj.core.groups.Tuple.tuple(30L, "us"));
    assertThat(SparkScans.source(TestSpark.session(), source, repo).orderBy("v").collectAsList())
        .as("the positioned read (training sets, materialization)").extracting(row -> row.getAs("region"))
        .containsExactly("eu", "eu", "us");
    catalog.close();
  }

  @Test
  void aRenamedColumnIsRefusedUntilTheFilesCarryTheNewName() throws Exception {
    HadoopCatalog catalog = catalog(repo.resolve("warehouse"));
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, PartitionSpec.unpartitioned());
    DataFile old = write(table, table.locationProvider().newDataLocation("a.parquet"), List.of(record(1L, 10L, 0)));
    table.newAppend().appendFile(old).commit();
    table.updateSchema().renameColumn("v", "amount").commit();
    FileSource source = icebergSource(Map.of("type", "hadoop", "warehouse", repo.resolve("warehouse").toString()));
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), source, repo)).isInstanceOf(SourceDataException.class)
        .hasMessageStartingWith("source 'events' (Iceberg table db.events): column 'amount' was named 'v' when some of its"
            + " data files were written (Iceberg field id 2, schema 0)")
        .hasMessageContaining("rewrite_data_files");
    // the files rewritten under the new name: read
    DataFile rewritten = write(table, table.schema(), table.locationProvider().newDataLocation("b.parquet"),
        List.of(record(table.schema(), 1L, 10L, 0, "amount")));
    table.newRewrite().deleteFile(old).addFile(rewritten).commit();
    assertThat(SparkScans.table(TestSpark.session(), source, repo).collectAsList())
        .extracting(row -> row.getAs("amount")).containsExactly(10L);
    catalog.close();
  }

  @Test
  void rowLevelDeletesAreRefusedNamingTheFixAndTheDeleteFile() throws Exception {
    HadoopCatalog catalog = catalog(repo.resolve("warehouse"));
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, PartitionSpec.unpartitioned(),
        Map.of("format-version", "2"));
    table.newAppend().appendFile(write(table, table.locationProvider().newDataLocation("a.parquet"), List.of(record(1L, 10L, 0))))
        .commit();
    DeleteFile deletes = FileMetadata.deleteFileBuilder(PartitionSpec.unpartitioned()).ofPositionDeletes()
        .withPath(table.locationProvider().newDataLocation("deletes.parquet")).withFormat(org.apache.iceberg.FileFormat.PARQUET)
        .withFileSizeInBytes(100).withRecordCount(1).build();
    table.newRowDelta().addDeletes(deletes).commit();
    FileSource source = icebergSource(Map.of("type", "hadoop", "warehouse", repo.resolve("warehouse").toString()));
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), source, repo)).isInstanceOf(SourceDataException.class)
        .hasMessageStartingWith("source 'events' (Iceberg table db.events) has row-level delete files at snapshot ")
        .hasMessageContaining("deletes.parquet").hasMessageContaining("rewrite_data_files");
    catalog.close();
  }

  @Test
  void whatCannotBeReadIsRefusedInOneLineNamingTheSourceAndTheFix() throws Exception {
    Path warehouse = repo.resolve("warehouse");
    HadoopCatalog catalog = catalog(warehouse);
    catalog.createTable(TableIdentifier.of("db", "empty"), SCHEMA, PartitionSpec.unpartitioned());
    catalog.close();
    Map<String, String> hadoop = Map.of("type", "hadoop", "warehouse", warehouse.toString());
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.nope", hadoop), repo))
        .isInstanceOf(SourceDataException.class)
        .hasMessage("source 'events' (Iceberg table db.nope): the catalog has no table 'db.nope'; check the table's name"
            + " (namespace.table) and the catalog's properties");
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.empty", hadoop), repo))
        .isInstanceOf(SourceDataException.class)
        .hasMessage("source 'events' (Iceberg table db.empty) has no snapshot yet (no rows were ever committed); write to"
            + " the table first");
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.events", Map.of("warehouse", "/w")), repo))
        .isInstanceOf(SourceDataException.class)
        .hasMessage("source 'events' (Iceberg table db.events): its catalog has no type; give catalog: {type: rest, uri: ...}"
            + " or {type: hadoop, warehouse: ...}");
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.events", Map.of("type", "hive",
        "uri", "thrift://nowhere:9083")), repo)).isInstanceOf(SourceDataException.class)
        .hasMessageContaining("catalog type 'hive' needs Iceberg's Hive metastore client, which Quiver does not ship");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String rest = "http://127.0.0.1:" + port;
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.events", Map.of("type", "rest",
        "uri", rest)), repo)).isInstanceOf(SourceDataException.class)
        .hasMessageStartingWith("source 'events' (Iceberg table db.events): cannot open its catalog (type rest): ")
        .hasMessageEndingWith("; check the catalog's properties and that it is reachable");
    assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.events", Map.of("type", "hadoop",
        "warehouse", "${QUIVER_TEST_UNSET_WAREHOUSE}")), repo)).isInstanceOf(SourceDataException.class)
        .hasMessageContaining("QUIVER_TEST_UNSET_WAREHOUSE, which is not set");
  }

  @Test
  void catalogPropertiesResolveSecretReferencesWhereTheTableIsRead() throws Exception {
    Path warehouse = repo.resolve("warehouse");
    HadoopCatalog catalog = catalog(warehouse);
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, PartitionSpec.unpartitioned());
    table.newAppend().appendFile(write(table, table.locationProvider().newDataLocation("a.parquet"), List.of(record(1L, 10L, 0))))
        .commit();
    catalog.close();
    Files.writeString(repo.resolve("warehouse.txt"), warehouse + "\n");
    FileSource source = icebergSource(Map.of("type", "hadoop", "warehouse", "${file:warehouse.txt}"));
    assertThat(SparkScans.table(TestSpark.session(), source, repo).collectAsList()).extracting(row -> row.getAs("v"))
        .containsExactly(10L);
  }

  @Test
  void aRestCatalogServesTheSameTableWithTheTokenFromASecretReference() throws Exception {
    Path warehouse = repo.resolve("warehouse");
    HadoopCatalog catalog = catalog(warehouse);
    Table table = catalog.createTable(TableIdentifier.of("db", "events"), SCHEMA, PartitionSpec.unpartitioned());
    table.newAppend().appendFile(write(table, table.locationProvider().newDataLocation("a.parquet"),
        List.of(record(1L, 10L, 0), record(2L, 20L, 1)))).commit();
    table.newAppend().appendFile(write(table, table.locationProvider().newDataLocation("b.parquet"), List.of(record(1L, 11L, 2))))
        .commit();
    Files.writeString(repo.resolve("catalog-token"), "s3cr3t-token\n");
    try (RestCatalogServer rest = new RestCatalogServer(catalog, "s3cr3t-token")) {
      FileSource viaRest = icebergSource(Map.of("type", "rest", "uri", rest.uri(), "token", "${file:catalog-token}"));
      FileSource viaHadoop = icebergSource(Map.of("type", "hadoop", "warehouse", warehouse.toString()));
      assertThat(SparkScans.table(TestSpark.session(), viaRest, repo).orderBy("v").collectAsList())
          .extracting(row -> row.getAs("v")).containsExactly(10L, 11L, 20L);
      writeQuery(5);
      assertThat(rows(spark.rows(plan(viaRest), repo))).isEqualTo(rows(spark.rows(plan(viaHadoop), repo)));
      assertThat(rest.requests).contains("GET /v1/config", "GET /v1/namespaces/db/tables/events");
      assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), icebergSource("db.nope", Map.of("type", "rest", "uri",
          rest.uri(), "token", "${file:catalog-token}")), repo)).isInstanceOf(SourceDataException.class)
          .hasMessage("source 'events' (Iceberg table db.nope): the catalog has no table 'db.nope'; check the table's name"
              + " (namespace.table) and the catalog's properties");
      FileSource wrongToken = icebergSource(Map.of("type", "rest", "uri", rest.uri(), "token", "wrong-token"));
      assertThatThrownBy(() -> SparkScans.table(TestSpark.session(), wrongToken, repo)).isInstanceOf(SourceDataException.class)
          .hasMessageStartingWith("source 'events' (Iceberg table db.events): cannot open its catalog (type rest): ")
          .hasMessageNotContaining("s3cr3t-token");
    }
    catalog.close();
  }

  private static HadoopCatalog catalog(Path warehouse) {
    HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toString());
    catalog.createNamespace(Namespace.of("db"));
    return catalog;
  }

  private static FileSource icebergSource(Map<String, String> catalog) {
    return icebergSource("db.events", catalog);
  }

  private static FileSource icebergSource(String table, Map<String, String> catalog) {
    return new FileSource("events", table, FileFormat.PARQUET, "event_ts", "created_ts", null, null,
        TableSettings.DEFAULT.withIceberg(new IcebergTable(table, catalog)));
  }

  /** Coarse times and few users: many ties on (event_ts, created_ts), settled by file then row. */
  private static List<Record> randomRows(Random r, int first) {
    List<Record> rows = new ArrayList<>();
    String[] regions = {"eu", "us", null};
    for (int i = 0; i < 1 + r.nextInt(40); i++) {
      Record row = GenericRecord.create(SCHEMA);
      row.setField("user_id", r.nextInt(11) == 0 ? null : (long) r.nextInt(6));
      row.setField("v", (long) (first + i));
      row.setField("event_ts", r.nextInt(25) == 0 ? null
          : OffsetDateTime.of(2026, 1, 1 + r.nextInt(4), r.nextInt(3) * 8, 0, 0, 0, ZoneOffset.UTC));
      row.setField("created_ts", r.nextInt(4) == 0 ? null : LocalDateTime.of(2026, 1, 1, r.nextInt(2), 0));
      row.setField("region", regions[r.nextInt(3)]);
      rows.add(row);
    }
    return rows;
  }

  private static Record record(long user, long v, int day) {
    return record(SCHEMA, user, v, day, "v");
  }

  private static Record record(Schema schema, long user, long v, int day, String vName) {
    Record row = GenericRecord.create(schema);
    row.setField("user_id", user);
    row.setField(vName, v);
    row.setField("event_ts", OffsetDateTime.of(2026, 1, 1 + day, 0, 0, 0, 0, ZoneOffset.UTC));
    return row;
  }

  private static DataFile write(Table table, String location, List<Record> rows) throws IOException {
    return write(table, table.schema(), location, rows);
  }

  private static DataFile write(Table table, Schema schema, String location, List<Record> rows) throws IOException {
    OutputFile out = table.io().newOutputFile(location);
    DataWriter<Record> writer = Parquet.writeData(out).schema(schema)
        .createWriterFunc(type -> GenericParquetWriter.create(schema, type)).withSpec(PartitionSpec.unpartitioned())
        .overwrite().build();
    try (writer) {
      rows.forEach(writer::write);
    }
    return writer.toDataFile();
  }

  /** The same rows as a plain Parquet file (Iceberg's writer, outside any table). */
  private static void writeFlat(Path file, List<Record> rows) throws IOException {
    Files.createDirectories(file.getParent());
    OutputFile out = org.apache.iceberg.Files.localOutput(file.toFile());
    DataWriter<Record> writer = Parquet.writeData(out).schema(SCHEMA)
        .createWriterFunc(type -> GenericParquetWriter.create(SCHEMA, type)).withSpec(PartitionSpec.unpartitioned())
        .overwrite().build();
    try (writer) {
      rows.forEach(writer::write);
    }
  }

  private void writeQuery(long seed) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT CASE WHEN i % 13 = 0 THEN NULL ELSE (hash(i, " + seed + ") % 6)::BIGINT END AS user_id,"
          + " TIMESTAMP '2026-01-01' + to_hours((hash(i, 3, " + seed + ") % 130)::BIGINT) AS ts FROM range(300) t(i))"
          + " TO '" + repo.resolve("query.parquet") + "' (FORMAT parquet)");
    }
  }

  private PointInTimePlan plan(FileSource source) {
    return TableSourcePlans.trainingSet(repo, source, null);
  }

  private static LatestRowsPlan latest(FileSource source, Instant start, Instant end) {
    return TableSourcePlans.latest(source, start, end);
  }

  private static List<List<Object>> rows(HistoricalRows rows) {
    return TableSourcePlans.collect(rows);
  }

  private static final Pattern ICEBERG_FILE = Pattern.compile(".*/c(\\d)-f(\\d)\\.parquet");
  private static final Pattern FLAT_FILE = Pattern.compile(".*/f(\\d)(\\d)\\.parquet");

  /** Rows with each file name replaced by its commit and file number, so both layouts compare. */
  private static List<List<Object>> fileIndexes(List<List<Object>> rows) {
    Map<String, String> seen = new HashMap<>();
    return rows.stream().map(row -> row.stream().map(v -> v instanceof String s && s.endsWith(".parquet")
        ? seen.computeIfAbsent(s, SparkIcebergSourcesTest::index) : v).toList()).toList();
  }

  private static String index(String file) {
    for (Pattern p : List.of(ICEBERG_FILE, FLAT_FILE)) {
      Matcher m = p.matcher(file);
      if (m.matches()) {
        return m.group(1) + "/" + m.group(2);
      }
    }
    throw new AssertionError("unexpected file name " + file);
  }
}
