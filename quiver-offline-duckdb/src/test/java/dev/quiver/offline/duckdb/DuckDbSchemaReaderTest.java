package dev.quiver.offline.duckdb;

import dev.quiver.core.spi.SourceFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.spi.SourceSchemaReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSchemaReaderTest {

  @TempDir Path repo;

  private final DuckDbSchemaReader reader = new DuckDbSchemaReader();

  @BeforeEach
  void dataDir() throws IOException {
    Files.createDirectories(repo.resolve("data"));
  }

  @Test
  void mapsEveryParquetTypeAndKeepsTheNativeSpelling() throws Exception {
    copy(
        """
        SELECT 1::BIGINT c_bigint, 2::INTEGER c_integer, 3::SMALLINT c_smallint, 4::TINYINT c_tinyint,
               5::UTINYINT c_utinyint, 6::USMALLINT c_usmallint, 7::UINTEGER c_uinteger,
               8::UBIGINT c_ubigint,
               1.5::DOUBLE c_double, 1.25::DECIMAL(18,3) c_decimal, 1.5::FLOAT c_float,
               true c_boolean, 'x' c_varchar, 'x'::BLOB c_blob,
               TIMESTAMP '2026-01-01 10:00:00' c_timestamp,
               TIMESTAMPTZ '2026-01-01 10:00:00+00' c_timestamptz,
               TIMESTAMP_NS '2026-01-01 10:00:00' c_timestamp_ns,
               DATE '2026-01-01' c_date,
               [1.0, 2.0]::FLOAT[] c_embedding, [1, 2, 3]::BIGINT[3] c_fixed, ['a'] c_strings,
               [[1]] c_nested, {'x': 1} c_struct, MAP {'k': 1} c_map, uuid() c_uuid,
               INTERVAL 1 DAY c_interval, TIME '12:00' c_time
        """,
        "data/all.parquet",
        "FORMAT parquet");

    Map<String, SourceColumn> columns = byName(reader.columns(source("data/all.parquet", FileFormat.PARQUET), repo));

    assertThat(columns.keySet()).startsWith("c_bigint", "c_integer", "c_smallint").endsWith("c_time");
    assertType(columns, "c_bigint", ScalarType.INT64, "BIGINT");
    assertType(columns, "c_integer", ScalarType.INT32, "INTEGER");
    assertType(columns, "c_smallint", ScalarType.INT32, "SMALLINT");
    assertType(columns, "c_tinyint", ScalarType.INT32, "TINYINT");
    assertType(columns, "c_utinyint", ScalarType.INT32, "UTINYINT");
    assertType(columns, "c_usmallint", ScalarType.INT32, "USMALLINT");
    assertType(columns, "c_uinteger", ScalarType.INT64, "UINTEGER");
    assertType(columns, "c_ubigint", null, "UBIGINT");
    assertType(columns, "c_double", ScalarType.FLOAT64, "DOUBLE");
    assertType(columns, "c_decimal", ScalarType.FLOAT64, "DECIMAL(18,3)");
    assertType(columns, "c_float", ScalarType.FLOAT32, "FLOAT");
    assertType(columns, "c_boolean", ScalarType.BOOL, "BOOLEAN");
    assertType(columns, "c_varchar", ScalarType.STRING, "VARCHAR");
    assertType(columns, "c_blob", ScalarType.BYTES, "BLOB");
    assertType(columns, "c_timestamp", ScalarType.TIMESTAMP, "TIMESTAMP");
    assertType(columns, "c_timestamptz", ScalarType.TIMESTAMP, "TIMESTAMP WITH TIME ZONE");
    assertType(columns, "c_timestamp_ns", ScalarType.TIMESTAMP, "TIMESTAMP_NS");
    assertType(columns, "c_date", ScalarType.TIMESTAMP, "DATE");
    assertType(columns, "c_embedding", new ListType(ScalarType.FLOAT32), "FLOAT[]");
    // Parquet has no fixed-size arrays: DuckDB reads them back as lists
    assertType(columns, "c_fixed", new ListType(ScalarType.INT64), "BIGINT[]");
    assertType(columns, "c_strings", new ListType(ScalarType.STRING), "VARCHAR[]");
    assertType(columns, "c_nested", null, "INTEGER[][]");
    assertType(columns, "c_struct", null, "STRUCT(x INTEGER)");
    assertType(columns, "c_map", null, "MAP(VARCHAR, INTEGER)");
    assertType(columns, "c_uuid", null, "UUID");
    assertType(columns, "c_interval", null, "INTERVAL");
    assertType(columns, "c_time", null, "TIME");
  }

  @Test
  void sniffsCsvTypes() throws Exception {
    copy(
        """
        SELECT 42::BIGINT user_id, 12.5::DOUBLE amount, 'US' country, true is_fraud,
               TIMESTAMP '2026-01-01 10:00:00.123456' event_ts, DATE '2026-01-02' settled_on
        """,
        "data/txns.csv",
        "FORMAT csv, HEADER true");

    List<SourceColumn> columns = reader.columns(source("data/txns.csv", FileFormat.CSV), repo);

    assertThat(columns)
        .extracting(SourceColumn::name)
        .containsExactly("user_id", "amount", "country", "is_fraud", "event_ts", "settled_on");
    assertThat(columns)
        .extracting(SourceColumn::type)
        .containsExactly(
            ScalarType.INT64,
            ScalarType.FLOAT64,
            ScalarType.STRING,
            ScalarType.BOOL,
            ScalarType.TIMESTAMP,
            ScalarType.TIMESTAMP);
  }

  @Test
  void readsGzippedCsv() throws Exception {
    copy("SELECT 1::BIGINT id, 'a' name", "data/people.csv.gz", "FORMAT csv, HEADER true, COMPRESSION gzip");

    assertThat(reader.columns(source("data/people.csv.gz", FileFormat.CSV), repo))
        .extracting(SourceColumn::name, SourceColumn::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("id", ScalarType.INT64),
            org.assertj.core.groups.Tuple.tuple("name", ScalarType.STRING));
  }

  @Test
  void readsEveryFileAGlobMatches() throws Exception {
    for (int day = 1; day <= 3; day++) {
      copy("SELECT " + day + "::BIGINT user_id, 1.0 amount", "data/txns/day=" + day + "/part-0.parquet", "FORMAT parquet");
    }
    copy("SELECT 1::BIGINT user_id, 1.0 amount", "data/txns/top.parquet", "FORMAT parquet");

    List<SourceColumn> nested = reader.columns(source("data/txns/*/*.parquet", FileFormat.PARQUET), repo);
    List<SourceColumn> anyDepth = reader.columns(source("data/txns/**/*.parquet", FileFormat.PARQUET), repo);
    List<SourceColumn> top = reader.columns(source("data/txns/*.parquet", FileFormat.PARQUET), repo);

    // hive partitioning: day=1/ directories add a "day" column, as they do when DuckDB scans them
    assertThat(nested).extracting(SourceColumn::name).containsExactly("user_id", "amount", "day");
    assertThat(anyDepth).extracting(SourceColumn::name).contains("user_id", "amount");
    assertThat(top).extracting(SourceColumn::name).containsExactly("user_id", "amount");
    assertThat(SourceFiles.resolve(source("data/txns/**/*.parquet", FileFormat.PARQUET), repo))
        .extracting(p -> repo.relativize(p).toString())
        .containsExactly(
            "data/txns/day=1/part-0.parquet",
            "data/txns/day=2/part-0.parquet",
            "data/txns/day=3/part-0.parquet",
            "data/txns/top.parquet");
  }

  @Test
  void acceptsAnAbsolutePath() throws Exception {
    copy("SELECT 1::INTEGER a", "data/abs.parquet", "FORMAT parquet");
    String absolute = repo.resolve("data/abs.parquet").toAbsolutePath().toString();

    List<SourceColumn> columns = reader.columns(source(absolute, FileFormat.PARQUET), Path.of("/nonexistent-repo"));

    assertThat(columns).containsExactly(new SourceColumn("a", ScalarType.INT32, "INTEGER"));
  }

  @Test
  void readsFilesWhoseNamesHoldQuotesAndGlobCharacters() throws Exception {
    copy("SELECT 'literal' AS literal_file", "data/it's [a]*.parquet", "FORMAT parquet");
    copy("SELECT 'decoy' AS decoy_file", "data/it's a.parquet", "FORMAT parquet");

    List<SourceColumn> escaped =
        reader.columns(source("data/it's [[]a][*].parquet", FileFormat.PARQUET), repo);
    List<SourceColumn> viaGlob = reader.columns(source("data/it's [[]*", FileFormat.PARQUET), repo);

    assertThat(escaped).extracting(SourceColumn::name).containsExactly("literal_file");
    assertThat(viaGlob).extracting(SourceColumn::name).containsExactly("literal_file");
  }

  @Test
  void namesTheDirectorySearchedWhenAGlobMatchesNothing() throws IOException {
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("data/txns/readme.txt"), "not data");

    assertThatThrownBy(() -> reader.columns(source("data/txns/*.parquet", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessage(
            "source 'transactions': no file matches data/txns/*.parquet (looked in "
                + repo.toAbsolutePath().normalize().resolve("data/txns") + ")");
  }

  @Test
  void namesTheDirectorySearchedWhenTheGlobDirectoryIsMissing() {
    assertThatThrownBy(() -> reader.columns(source("missing/*.parquet", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessage(
            "source 'transactions': no file matches missing/*.parquet (looked in "
                + repo.toAbsolutePath().normalize().resolve("missing") + ")");
  }

  @Test
  void namesAMissingFile() {
    assertThatThrownBy(() -> reader.columns(source("data/transactions.parquet", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessage(
            "source 'transactions': no file matches data/transactions.parquet (looked in "
                + repo.toAbsolutePath().normalize().resolve("data") + ")");
  }

  @Test
  void aDirectoryWithoutParquetFilesIsNamed() throws Exception {
    java.nio.file.Files.createDirectories(repo.resolve("data/empty"));
    assertThatThrownBy(() -> reader.columns(source("data/empty", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("source 'transactions': no .parquet file under data/empty (looked in ");
    assertThatThrownBy(() -> reader.columns(source("data/empty", FileFormat.CSV), repo))
        .hasMessageContaining("data/empty is a directory, read as a Parquet dataset; give format: parquet");
  }

  @Test
  void aDatasetDirectoryHasItsPartitionColumnsTypedAsInferredOrDeclared() throws Exception {
    copy("SELECT 1::BIGINT user_id, 1.0 amount", "data/ev/day=2026-01-01/bucket=3/p.parquet", "FORMAT parquet");
    copy("SELECT 2::BIGINT user_id, 2.0 amount", "data/ev/day=2026-01-02/bucket=4/p.parquet", "FORMAT parquet");
    copy("SELECT 2::BIGINT user_id, 2.0 amount", "data/flat/day=2026-01-02/p.parquet", "FORMAT parquet");

    assertThat(reader.columns(source("data/ev/", FileFormat.PARQUET), repo))
        .extracting(SourceColumn::name, SourceColumn::nativeType)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("user_id", "BIGINT"),
            org.assertj.core.groups.Tuple.tuple("amount", "DECIMAL(2,1)"),
            org.assertj.core.groups.Tuple.tuple("day", "DATE"), org.assertj.core.groups.Tuple.tuple("bucket", "BIGINT"));
    var declared = dev.quiver.core.model.TableSettings.DEFAULT.withPartitioning(dev.quiver.core.model.Partitioning.HIVE,
        java.util.Map.of("day", dev.quiver.core.model.ScalarType.TIMESTAMP, "bucket", dev.quiver.core.model.ScalarType.INT32));
    assertThat(reader.columns(new FileSource("transactions", "data/ev/*/*/*.parquet", FileFormat.PARQUET, "day", null, null,
        null, declared), repo))
        .extracting(SourceColumn::name, SourceColumn::type)
        .contains(org.assertj.core.groups.Tuple.tuple("day", dev.quiver.core.model.ScalarType.TIMESTAMP),
            org.assertj.core.groups.Tuple.tuple("bucket", dev.quiver.core.model.ScalarType.INT32));
    var none = dev.quiver.core.model.TableSettings.DEFAULT.withPartitioning(dev.quiver.core.model.Partitioning.NONE,
        java.util.Map.of());
    assertThat(reader.columns(new FileSource("transactions", "data/flat/*/*.parquet", FileFormat.PARQUET, "day", null, null,
        null, none), repo)).extracting(SourceColumn::name).containsExactly("user_id", "amount");
  }

  @Test
  void rejectsAUrl() {
    assertThatThrownBy(() -> reader.columns(source("s3://bucket/txns.parquet", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessage("source 'transactions' is at s3://bucket/txns.parquet; the DuckDB engine reads local files; use offline:"
            + " {engine: spark}");
  }

  @Test
  void reportsAGarbageParquetFile() throws IOException {
    Files.writeString(repo.resolve("data/garbage.parquet"), "this is not parquet");

    assertThatThrownBy(() -> reader.columns(source("data/garbage.parquet", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("source 'transactions': cannot read data/garbage.parquet as parquet: ")
        .hasMessageContaining("magic bytes")
        .hasMessageNotContaining("LINE 1");
  }

  @Test
  void reportsAGarbageFileAnywhereInAGlob() throws Exception {
    copy("SELECT 1::INTEGER a", "data/parts/a.parquet", "FORMAT parquet");
    copy("SELECT 2::INTEGER a", "data/parts/b.parquet", "FORMAT parquet");
    Files.writeString(repo.resolve("data/parts/c.parquet"), "truncated");

    assertThatThrownBy(() -> reader.columns(source("data/parts/*.parquet", FileFormat.PARQUET), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("source 'transactions': cannot read data/parts/c.parquet as parquet: ");
  }

  @Test
  void reportsABinaryFileGivenAsCsv() throws Exception {
    copy("SELECT 'x' AS a, 1 AS b", "data/actually.parquet", "FORMAT parquet");
    Files.copy(repo.resolve("data/actually.parquet"), repo.resolve("data/binary.csv"));

    assertThatThrownBy(() -> reader.columns(source("data/binary.csv", FileFormat.CSV), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("source 'transactions': cannot read data/binary.csv as csv: ")
        .hasMessageNotContaining("PAR1");
  }

  @Test
  void servesConcurrentCallers() throws Exception {
    copy("SELECT 1::BIGINT user_id, 2.0::DOUBLE amount", "data/shared.parquet", "FORMAT parquet");
    FileSource shared = source("data/shared.parquet", FileFormat.PARQUET);
    List<SourceColumn> expected = reader.columns(shared, repo);

    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      List<java.util.concurrent.Future<List<SourceColumn>>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> reader.columns(shared, repo)));
      }
      for (var result : results) {
        assertThat(result.get()).isEqualTo(expected);
      }
    }
  }

  @Test
  void isFoundByServiceLoader() {
    assertThat(ServiceLoader.load(SourceSchemaReader.class).stream().map(ServiceLoader.Provider::type))
        .contains(DuckDbSchemaReader.class);
  }

  private static void assertType(
      Map<String, SourceColumn> columns, String name, ValueType type, String nativeType) {
    assertThat(columns.get(name)).as(name).isEqualTo(new SourceColumn(name, type, nativeType));
  }

  private static Map<String, SourceColumn> byName(List<SourceColumn> columns) {
    Map<String, SourceColumn> map = new LinkedHashMap<>();
    columns.forEach(c -> map.put(c.name(), c));
    return map;
  }

  private static FileSource source(String path, FileFormat format) {
    return new FileSource("transactions", path, format, "event_ts", null, Map.of(), null);
  }

  /** Writes the query's rows to a file under the repo with DuckDB's COPY. */
  private void copy(String query, String relativePath, String options) throws IOException, SQLException {
    Path target = repo.resolve(relativePath);
    Files.createDirectories(target.getParent());
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute(
          "COPY (" + query + ") TO '" + target.toString().replace("'", "''") + "' (" + options + ")");
    }
  }
}
