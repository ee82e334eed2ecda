package dev.quiver.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.QueryInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The dataset record document of {@link RegistryCodec}: round trips, the golden file, strictness. */
class DatasetCodecTest {

  /**
   * Regenerate with {@code ./mvnw -pl quiver-core test -Dtest=DatasetCodecTest
   * -Dquiver.golden.update=true}.
   */
  private static final Path GOLDEN =
      Path.of(System.getProperty("basedir", "."), "src/test/resources/registry/dataset-golden-v2.json");

  /** What dataset format 1 wrote (absolute source paths, no allow_external_files); still read. */
  private static final Path GOLDEN_V1 =
      Path.of(System.getProperty("basedir", "."), "src/test/resources/registry/dataset-golden-v1.json");

  private static final String SHA_A = "sha256:" + "a1".repeat(32);
  private static final String SHA_B = "sha256:" + "b2".repeat(32);
  private static final String SHA_C = "sha256:" + "c3".repeat(32);

  /** Every field set, a file query, a service, two source files: what the golden file pins. */
  static DatasetRecord fromFiles() {
    return fromFiles("data/transactions/part-1.parquet", "data/merchants.csv");
  }

  /** The record of {@link #fromFiles()} as dataset format 1 recorded it: absolute source paths. */
  static DatasetRecord fromFilesV1() {
    return fromFiles("/data/transactions/part-1.parquet", "/data/merchants.csv");
  }

  private static DatasetRecord fromFiles(String transactions, String merchants) {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put(transactions, SHA_B);
    sources.put(merchants, SHA_C);
    return new DatasetRecord(
        "fraud_train_2024_05",
        3,
        List.of(
            FeatureRef.of("user_txn@v2:amount_avg_30d"),
            FeatureRef.of("user_txn@v2:txn_count_7d"),
            FeatureRef.of("txn_risk@v1:amount_ratio")),
        "fraud_model@v1",
        true,
        "event_ts",
        new QueryInput.Files("data/labels/*.parquet", FileFormat.PARQUET),
        SHA_A,
        sources,
        "out/fraud_train.csv",
        FileFormat.CSV,
        SHA_C,
        1_000_000L,
        "ana",
        Instant.parse("2024-05-01T12:00:00.123456Z"));
  }

  /** A SQL query, no service, no source files, text that needs escaping. */
  static DatasetRecord fromSql() {
    return new DatasetRecord(
        "_adhoc",
        1,
        List.of(FeatureRef.of("user_txn:last_country")),
        null,
        false,
        "ts",
        new QueryInput.Sql("select user_id, \"ts\"\nfrom labels -- naïve ✓\twhere x = 'a\\b'", true),
        SHA_A,
        Map.of(),
        "C:\\out\\train.parquet",
        FileFormat.PARQUET,
        SHA_B,
        0,
        "bo \"the builder\"",
        Instant.EPOCH);
  }

  // ---- round trips ------------------------------------------------------------------------------

  @Test
  void roundTripKeepsEveryField() {
    for (DatasetRecord d : List.of(fromFiles(), fromSql())) {
      byte[] bytes = RegistryCodec.encodeDataset(d);

      DatasetRecord back = RegistryCodec.decodeDataset(bytes);

      assertThat(back).isEqualTo(d);
      assertThat(RegistryCodec.encodeDataset(back)).isEqualTo(bytes);
    }
  }

  @Test
  void roundTripHoldsForRandomRecords() {
    for (long seed = 0; seed < 300; seed++) {
      DatasetRecord d = random(seed);
      byte[] bytes = RegistryCodec.encodeDataset(d);

      DatasetRecord back = RegistryCodec.decodeDataset(bytes);

      assertThat(back).as("seed %d", seed).isEqualTo(d);
      assertThat(RegistryCodec.encodeDataset(back)).as("seed %d re-encoded", seed).isEqualTo(bytes);
    }
  }

  @Test
  void equalRecordsGiveEqualBytesWhateverTheMapOrder() {
    DatasetRecord d = fromFiles();
    Map<String, String> reversed = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(d.sourceFingerprints().keySet());
    for (int i = keys.size() - 1; i >= 0; i--) {
      reversed.put(keys.get(i), d.sourceFingerprints().get(keys.get(i)));
    }
    DatasetRecord same =
        new DatasetRecord(
            d.name(), d.registryVersion(), d.features(), d.service(), d.fullFeatureNames(),
            d.timestampColumn(), d.query(), d.queryFingerprint(), reversed, d.output(),
            d.outputFormat(), d.outputFingerprint(), d.rows(), d.author(), d.createdAt());

    assertThat(RegistryCodec.encodeDataset(same)).isEqualTo(RegistryCodec.encodeDataset(d));
  }

  // ---- the layout -------------------------------------------------------------------------------

  @Test
  void formatOneRecordsAreStillReadWithTheirAbsolutePaths() throws IOException {
    DatasetRecord v1 = RegistryCodec.decodeDataset(Files.readAllBytes(GOLDEN_V1));

    assertThat(v1).isEqualTo(fromFilesV1());
    assertThat(v1.sourceFingerprints()).containsOnlyKeys("/data/merchants.csv", "/data/transactions/part-1.parquet");
    String sqlV1 = "{\"author\":\"a\",\"created_at\":\"2024-05-01T12:00:00Z\",\"features\":[],\"format\":1,"
        + "\"full_feature_names\":false,\"kind\":\"dataset\",\"name\":\"d\",\"output\":\"/o.parquet\","
        + "\"output_fingerprint\":\"x\",\"output_format\":\"parquet\",\"query\":{\"kind\":\"sql\",\"sql\":\"SELECT 1\"},"
        + "\"query_fingerprint\":\"y\",\"registry_version\":1,\"rows\":0,\"service\":null,\"source_fingerprints\":{},"
        + "\"timestamp_column\":\"ts\"}";
    assertThat(decode(sqlV1).query()).as("format 1 queries could read any file, and still may")
        .isEqualTo(new QueryInput.Sql("SELECT 1", true));
    assertThatThrownBy(() -> decode(sqlV1.replace("\"sql\":\"SELECT 1\"}", "\"sql\":\"SELECT 1\",\"allow_external_files\":true}")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("query: unknown field 'allow_external_files'");
    assertThatThrownBy(() -> decode(sqlV1.replace("\"format\":1", "\"format\":2")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("query.allow_external_files: missing");
  }

  @Test
  void goldenFilePinsDatasetFormatTwo() throws IOException {
    DatasetRecord d = fromFiles();
    byte[] encoded = RegistryCodec.encodeDataset(d);
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.createDirectories(GOLDEN.getParent());
      Files.write(GOLDEN, encoded);
    }

    byte[] golden = Files.readAllBytes(GOLDEN);

    assertThat(new String(encoded, StandardCharsets.UTF_8))
        .as("encoding differs from %s; a deliberate change needs a new dataset format number", GOLDEN)
        .isEqualTo(new String(golden, StandardCharsets.UTF_8));
    assertThat(RegistryCodec.decodeDataset(golden)).isEqualTo(d);
  }

  @Test
  void encodingHasTheDocumentedLayout() {
    String files = text(fromFiles());
    String sql = text(fromSql());

    assertThat(files).startsWith("{\n  \"author\" : \"ana\",\n").endsWith("}\n").doesNotContain("\r");
    assertThat(files)
        .contains(
            "\"format\" : 2,\n",
            "\"kind\" : \"dataset\",\n",
            "\"created_at\" : \"2024-05-01T12:00:00.123456Z\"",
            "\"user_txn@v2:amount_avg_30d\"",
            "\"output_format\" : \"csv\"",
            "\"full_feature_names\" : true",
            "\"rows\" : 1000000",
            "\"service\" : \"fraud_model@v1\"");
    assertThat(sql)
        .contains("\"service\" : null", "\"source_fingerprints\" : { }", "\"kind\" : \"sql\"",
            "\"allow_external_files\" : true");
  }

  @Test
  void everyFieldIsWrittenAndEveryObjectsKeysAreSorted() throws IOException {
    JsonNode files = new ObjectMapper().readTree(RegistryCodec.encodeDataset(fromFiles()));
    JsonNode sql = new ObjectMapper().readTree(RegistryCodec.encodeDataset(fromSql()));

    assertThat(fieldNames(files))
        .containsExactly(
            "author", "created_at", "features", "format", "full_feature_names", "kind", "name",
            "output", "output_fingerprint", "output_format", "query", "query_fingerprint",
            "registry_version", "rows", "service", "source_fingerprints", "timestamp_column");
    assertThat(fieldNames(sql)).isEqualTo(fieldNames(files));
    assertThat(fieldNames(files.get("query"))).containsExactly("format", "kind", "path");
    assertThat(fieldNames(sql.get("query"))).containsExactly("allow_external_files", "kind", "sql");
    assertThat(fieldNames(files.get("source_fingerprints")))
        .containsExactly("data/merchants.csv", "data/transactions/part-1.parquet");
  }

  @Test
  void toJsonIsTheRecordWithoutTheEnvelope() throws IOException {
    JsonNode json = RegistryCodec.toJson(fromFiles());
    JsonNode document = new ObjectMapper().readTree(RegistryCodec.encodeDataset(fromFiles()));

    assertThat(json.has("format")).isFalse();
    assertThat(json.has("kind")).isFalse();
    assertThat(json.size()).isEqualTo(document.size() - 2);
    assertThat(json.get("name").textValue()).isEqualTo("fraud_train_2024_05");
  }

  // ---- strict decoding --------------------------------------------------------------------------

  @Test
  void rejectsBytesThatAreNotJson() {
    assertThatThrownBy(() -> decode("not json at all"))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver dataset record");
    assertThatThrownBy(() -> RegistryCodec.decodeDataset(new byte[0]))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver dataset record: the input is empty");
    assertThatThrownBy(() -> decode("[1, 2]"))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("\"format\"");
  }

  @Test
  void aSnapshotIsNotADatasetAndADatasetIsNotASnapshot() {
    byte[] snapshot = RegistryCodec.encode(CodecFixtures.everyKind());
    byte[] dataset = RegistryCodec.encodeDataset(fromFiles());

    assertThatThrownBy(() -> RegistryCodec.decodeDataset(snapshot))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver dataset record")
        .hasMessageContaining("it is a registry snapshot");
    assertThatThrownBy(() -> RegistryCodec.decode(dataset))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver registry snapshot")
        .hasMessageContaining("dataset record");
  }

  @Test
  void rejectsAnotherKind() {
    String json = text(fromFiles()).replace("\"kind\" : \"dataset\"", "\"kind\" : \"model\"");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("expected \"kind\" : \"dataset\", found \"model\"");
  }

  @Test
  void rejectsANewerFormatWithAnUpgradeHint() {
    String json = text(fromFiles()).replace("\"format\" : 2", "\"format\" : 3");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("dataset record format 3 is not supported: this Quiver reads format 1 to 2")
        .hasMessageContaining("upgrade");
    assertThatThrownBy(() -> decode(text(fromFiles()).replace("\"format\" : 2", "\"format\" : 0")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("dataset record format 0 is not supported");
  }

  @Test
  void rejectsEveryTruncation() {
    byte[] bytes = RegistryCodec.encodeDataset(fromFiles());
    int end = new String(bytes, StandardCharsets.UTF_8).stripTrailing().getBytes(StandardCharsets.UTF_8).length;
    for (int length = 0; length < end; length += 3) {
      byte[] prefix = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> RegistryCodec.decodeDataset(prefix))
          .as("prefix of %d bytes", length)
          .isInstanceOf(QuiverException.class);
    }
  }

  @Test
  void rejectsTrailingGarbageAndDuplicateKeys() {
    String json = text(fromFiles());

    assertThatThrownBy(() -> decode(json + json)).isInstanceOf(QuiverException.class);
    assertThatThrownBy(() -> decode(json.replace("\"rows\" : 1000000,", "\"rows\" : 1000000, \"rows\" : 1,")))
        .isInstanceOf(QuiverException.class);
  }

  @Test
  void rejectsUnknownAndMissingFields() {
    String json = text(fromFiles());
    String extra = json.replace("\"rows\" : 1000000,", "\"rows\" : 1000000, \"shiny\" : 1,");
    String missing = json.replace("\"rows\" : 1000000,", "");
    String missingInQuery = json.replace("\"path\" : \"data/labels/*.parquet\"", "\"sql\" : \"x\"");

    assertThatThrownBy(() -> decode(extra))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("damaged dataset record at the top level: unknown field 'shiny'")
        .hasMessageContaining("reads format 2");
    assertThatThrownBy(() -> decode(missing))
        .isInstanceOf(QuiverException.class)
        .hasMessage("damaged dataset record at rows: missing");
    assertThatThrownBy(() -> decode(missingInQuery))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("damaged dataset record at query: unknown field 'sql'");
  }

  @Test
  void namesThePathOfAMalformedValue() {
    String json = text(fromFiles());

    assertDamaged(json.replace("\"rows\" : 1000000", "\"rows\" : \"many\""), "rows: expected an integer");
    assertDamaged(json.replace("\"rows\" : 1000000", "\"rows\" : 1.5"), "rows: expected an integer");
    assertDamaged(
        json.replace("\"full_feature_names\" : true", "\"full_feature_names\" : \"yes\""),
        "full_feature_names: expected true or false");
    assertDamaged(
        json.replace("\"output_format\" : \"csv\"", "\"output_format\" : \"CSV\""),
        "output_format: 'CSV' is not a file format (parquet, csv)");
    assertDamaged(
        json.replace("\"format\" : \"parquet\"", "\"format\" : \"orc\""),
        "query.format: 'orc' is not a file format");
    assertDamaged(
        json.replace("\"kind\" : \"files\"", "\"kind\" : \"table\""),
        "query.kind: unknown query kind 'table' (expected files or sql)");
    assertDamaged(
        json.replace("\"user_txn@v2:txn_count_7d\"", "\"user_txn txn_count_7d\""),
        "features[1]: 'user_txn txn_count_7d' is not a feature ref");
    assertDamaged(
        json.replace("\"2024-05-01T12:00:00.123456Z\"", "\"yesterday\""),
        "created_at: 'yesterday' is not an ISO-8601 instant");
    assertDamaged(json.replace("\"name\" : \"fraud_train_2024_05\"", "\"name\" : null"), "name: expected a string");
    assertDamaged(with("query", "[ ]"), "query: expected an object, found array");
    assertDamaged(with("features", "{ }"), "features: expected an array, found object");
    assertDamaged(with("source_fingerprints", "{ \"a\" : 1 }"), "source_fingerprints.a: expected a string");
  }

  private static void assertDamaged(String json, String problem) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("damaged dataset record at ")
        .hasMessageContaining(problem);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static String text(DatasetRecord d) {
    return new String(RegistryCodec.encodeDataset(d), StandardCharsets.UTF_8);
  }

  private static DatasetRecord decode(String json) {
    return RegistryCodec.decodeDataset(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The golden record's document with one top-level field replaced by {@code json}. */
  private static String with(String field, String json) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(text(fromFiles()));
      root.set(field, mapper.readTree(json));
      return mapper.writeValueAsString(root);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A record with every field drawn at random, nulls and awkward text included. */
  private static DatasetRecord random(long seed) {
    Random r = new Random(seed);
    List<FeatureRef> features = new ArrayList<>();
    for (int i = r.nextInt(6); i > 0; i--) {
      features.add(new FeatureRef(word(r), r.nextInt(4), r.nextInt(8) == 0 ? "*" : word(r)));
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      sources.put(text(r), r.nextInt(10) == 0 ? null : "sha256:" + Long.toHexString(r.nextLong()));
    }
    QueryInput query =
        r.nextBoolean()
            ? new QueryInput.Files(text(r), FileFormat.values()[r.nextInt(FileFormat.values().length)])
            : new QueryInput.Sql(text(r), r.nextBoolean());
    return new DatasetRecord(
        word(r),
        r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(100),
        features,
        r.nextBoolean() ? null : word(r) + "@v" + r.nextInt(9),
        r.nextBoolean(),
        text(r),
        query,
        text(r),
        sources,
        text(r),
        FileFormat.values()[r.nextInt(FileFormat.values().length)],
        text(r),
        r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1_000_000),
        text(r),
        Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 250_000_000_000L), r.nextInt(1_000_000_000)));
  }

  private static String word(Random r) {
    String first = "abcxyz_ABQ";
    String rest = "abcxyz_ABQ0189";
    StringBuilder b = new StringBuilder().append(first.charAt(r.nextInt(first.length())));
    for (int i = r.nextInt(12); i > 0; i--) {
      b.append(rest.charAt(r.nextInt(rest.length())));
    }
    return b.toString();
  }

  private static String text(Random r) {
    String[] pieces = {"a", "Z", " ", "\n", "\t", "\"", "\\", "/", "é", "✓", "😀", "\u0000", "'", "{", "}", "sha256:"};
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(10); i > 0; i--) {
      b.append(pieces[r.nextInt(pieces.length)]);
    }
    return b.toString();
  }
}
