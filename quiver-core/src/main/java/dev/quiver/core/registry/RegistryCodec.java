package dev.quiver.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * The canonical, versioned byte format of a registry version: what every {@link RegistryStore}
 * writes, so a registry can be copied between stores and its hashes compared across them.
 *
 * <p>Format 1 is UTF-8 JSON, indented by two spaces, with {@code \n} line ends and a final newline:
 *
 * <pre>{@code
 * {
 *   "definitions" : { "entities" : [...], "feature_services" : [...], "feature_views" : [...],
 *                     "on_demand_views" : [...], "project" : "payments", "sources" : [...] },
 *   "format" : 1,
 *   "info" : { "applied_at" : "2024-05-01T12:00:00Z", "author" : "ana", "content_hash" : "sha256:...",
 *              "message" : "...", "parent" : 2, "version" : 3 }
 * }
 * }</pre>
 *
 * <p>The layout is fixed, so equal snapshots encode to equal bytes: object keys are sorted, the
 * definition lists keep the order {@link Definitions} gives them (by name, then version), every
 * field is present (absent values are {@code null}), and sealed kinds carry a {@code "kind"} field
 * ({@code file}; {@code column}, {@code aggregate}, {@code derived}). The one exception to "every
 * field is present": {@code "definitions"."permissions"} (each {@code name, roles, actions, kinds,
 * names, tags, description}) is written only when there are permissions, so definitions without
 * them keep the bytes and content hash they had before permissions existed. Values use the spellings of the
 * definition files: types as {@link dev.quiver.core.model.ValueType#spelling()}, durations as {@link
 * dev.quiver.core.model.Durations#format} ({@code 30d}), windows as {@link
 * dev.quiver.core.model.Window#spelling()}, refs as {@link dev.quiver.core.model.FeatureRef#toString()},
 * instants as ISO-8601. The golden file {@code registry/golden-v1.json} in the core tests pins the
 * format; a change to it is a new format number, and {@link #decode} keeps reading the old ones.
 *
 * <p>A saved training set ({@link DatasetRecord}) has its own document, {@link #encodeDataset}, with
 * its own format number ({@link #DATASET_FORMAT}) and a {@code "kind" : "dataset"} field, laid out
 * by the same rules:
 *
 * <pre>{@code
 * {
 *   "author" : "ana", "created_at" : "2024-05-01T12:00:00Z",
 *   "features" : [ "user_txn@v1:amount_avg_30d", ... ], "format" : 2, "full_feature_names" : false,
 *   "kind" : "dataset", "name" : "fraud_train", "output" : "out/train.parquet",
 *   "output_fingerprint" : "sha256:...", "output_format" : "parquet",
 *   "query" : { "format" : "parquet", "kind" : "files", "path" : "data/labels.parquet" },
 *   "query_fingerprint" : "sha256:...", "registry_version" : 3, "rows" : 1000,
 *   "service" : "fraud_model@v1", "source_fingerprints" : { "data/transactions.parquet" : "sha256:..." },
 *   "timestamp_column" : "event_ts"
 * }
 * }</pre>
 *
 * <p>The query is {@code {"kind" : "files", "path", "format"}} or {@code {"kind" : "sql", "sql",
 * "allow_external_files"}}; file formats are spelled as in definitions ({@code parquet}, {@code
 * csv}). Paths (the query's, the output's, the keys of {@code source_fingerprints}) are relative to
 * the feature repo, with {@code /} separators, when inside it, so a saved dataset can be reproduced
 * in a clone of the repo at another path; a path outside the repo is absolute. The golden file {@code
 * registry/dataset-golden-v2.json} pins the format. Format 1 (golden file {@code
 * dataset-golden-v1.json}) is still read: the same fields without {@code allow_external_files}
 * (read as true: queries then could read any file), and every path absolute.
 *
 * <p>A view version's materialization {@link Watermark} has a document of its own too, {@link
 * #encodeWatermark}, with its own format number ({@link #WATERMARK_FORMAT}) and a {@code "kind" :
 * "watermark"} field:
 *
 * <pre>{@code
 * {
 *   "author" : "ana", "end" : "2024-05-01T00:00:00Z", "format" : 1, "kind" : "watermark",
 *   "registry_version" : 3, "updated_at" : "2024-05-01T00:10:00.123456Z", "view" : "user_txn@v2"
 * }
 * }</pre>
 *
 * <p>The view is spelled {@code name@vN} ({@link Watermark#isValidView}). The golden file {@code
 * registry/watermark-golden-v1.json} pins it. Every document is decoded strictly: a missing,
 * unknown or malformed field fails with a message naming it.
 *
 * <p>Thread-safe and stateless.
 */
public final class RegistryCodec {

  /** The format number this codec writes, stored in the top-level {@code "format"} field. */
  public static final int FORMAT = 1;

  /**
   * The format number of the dataset records this codec writes ({@link #encodeDataset}), stored in
   * their top-level {@code "format"} field; it changes independently of {@link #FORMAT}. Format 2
   * records paths relative to the feature repo and a SQL query's {@code allow_external_files}; format
   * 1 records (absolute paths) are still read.
   */
  public static final int DATASET_FORMAT = 2;

  /** The oldest dataset format {@link #decodeDataset} reads. */
  static final int OLDEST_DATASET_FORMAT = 1;

  /**
   * The format number of the watermarks this codec writes ({@link #encodeWatermark}), stored in
   * their top-level {@code "format"} field; it changes independently of the others.
   */
  public static final int WATERMARK_FORMAT = 1;

  /** The top-level {@code "kind"} of a dataset record, which a registry snapshot does not have. */
  static final String DATASET_KIND = "dataset";

  /** The top-level {@code "kind"} of a watermark. */
  static final String WATERMARK_KIND = "watermark";

  private static final String SNAPSHOT = "registry snapshot";
  private static final String DATASET = "dataset record";
  private static final String WATERMARK = "watermark";

  /** The fields of a watermark document, each required. */
  private static final Set<String> WATERMARK_FIELDS =
      Set.of("format", "kind", "view", "end", "registry_version", "author", "updated_at");

  private static final String HASH_PREFIX = "sha256:";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private static final ObjectWriter COMPACT = MAPPER.writer();

  private RegistryCodec() {}

  /**
   * Encodes a snapshot in the current format. Equal snapshots give equal bytes; {@code
   * decode(encode(s)).equals(s)} for every snapshot, including definitions not yet validated (null
   * types).
   *
   * <p>The stored {@link VersionInfo#contentHash()} is written as given, not recomputed; stores set
   * it to {@link #contentHash(Definitions)}.
   *
   * @throws NullPointerException when {@code snapshot} is null
   */
  public static byte[] encode(RegistrySnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    return pretty(SnapshotWriter.canonical(SnapshotWriter.snapshot(snapshot)));
  }

  /**
   * Decodes bytes written by {@link #encode} (of this or an earlier format).
   *
   * <p>Does not check the content hash against the definitions; a store that wants to detect
   * tampering or corruption compares {@code info().contentHash()} with {@link
   * #contentHash(Definitions)} of the result.
   *
   * @throws QuiverException when the bytes are not a registry snapshot (not JSON, truncated, an
   *     unknown or newer format, a missing or malformed field); the message says what and where
   * @throws NullPointerException when {@code bytes} is null
   */
  public static RegistrySnapshot decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    JsonNode root = parse(bytes, SNAPSHOT);
    if (root.has("kind")) {
      throw new QuiverException(
          "not a Quiver registry snapshot: it is a "
              + (isDataset(root)
                  ? "saved dataset record"
                  : isKind(root, WATERMARK_KIND)
                      ? "materialization watermark"
                      : "document of kind " + root.get("kind")));
    }
    checkFormat(root, SNAPSHOT, FORMAT);
    return SnapshotReader.snapshot(root);
  }

  /**
   * Encodes a saved training set in the current dataset format ({@link #DATASET_FORMAT}). Equal
   * records give equal bytes, and {@code decodeDataset(encodeDataset(d)).equals(d)} for every record.
   *
   * @throws NullPointerException when {@code dataset} is null
   */
  public static byte[] encodeDataset(DatasetRecord dataset) {
    Objects.requireNonNull(dataset, "dataset");
    return pretty(SnapshotWriter.canonical(SnapshotWriter.datasetDocument(dataset)));
  }

  /**
   * Decodes bytes written by {@link #encodeDataset} (of this or an earlier dataset format).
   *
   * @throws QuiverException when the bytes are not a dataset record (not JSON, truncated, a registry
   *     snapshot, an unknown or newer format, a missing, unknown or malformed field); the message
   *     says what and where
   * @throws NullPointerException when {@code bytes} is null
   */
  public static DatasetRecord decodeDataset(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    JsonNode root = parse(bytes, DATASET);
    if (!isDataset(root)) {
      throw new QuiverException(
          "not a Quiver dataset record: expected \"kind\" : \""
              + DATASET_KIND
              + "\", found "
              + (root.has("kind")
                  ? root.get("kind").toString()
                  : "no \"kind\" field" + (root.has("definitions") ? " (it is a registry snapshot)" : "")));
    }
    checkFormat(root, DATASET, OLDEST_DATASET_FORMAT, DATASET_FORMAT);
    return SnapshotReader.dataset(root);
  }

  /**
   * Encodes a view version's watermark in the current watermark format ({@link #WATERMARK_FORMAT}).
   * Equal watermarks give equal bytes, and {@code decodeWatermark(encodeWatermark(w)).equals(w)} for
   * every watermark whose view is valid ({@link Watermark#isValidView}).
   *
   * @throws NullPointerException when {@code watermark} is null
   */
  public static byte[] encodeWatermark(Watermark watermark) {
    Objects.requireNonNull(watermark, "watermark");
    ObjectNode root = watermarkFields(watermark);
    root.put("format", WATERMARK_FORMAT);
    root.put("kind", WATERMARK_KIND);
    return pretty(SnapshotWriter.canonical(root));
  }

  /**
   * Decodes bytes written by {@link #encodeWatermark} (of this or an earlier watermark format).
   *
   * @throws QuiverException when the bytes are not a watermark (not JSON, truncated, another kind
   *     of document, an unknown or newer format, a missing, unknown or malformed field, a view not
   *     spelled {@code name@vN}); the message says what and where
   * @throws NullPointerException when {@code bytes} is null
   */
  public static Watermark decodeWatermark(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    JsonNode root = parse(bytes, WATERMARK);
    if (!isKind(root, WATERMARK_KIND)) {
      throw new QuiverException(
          "not a Quiver watermark: expected \"kind\" : \""
              + WATERMARK_KIND
              + "\", found "
              + (root.has("kind")
                  ? root.get("kind").toString()
                  : "no \"kind\" field" + (root.has("definitions") ? " (it is a registry snapshot)" : "")));
    }
    checkFormat(root, WATERMARK, WATERMARK_FORMAT);
    root.properties()
        .forEach(
            property -> {
              if (!WATERMARK_FIELDS.contains(property.getKey())) {
                throw damagedWatermark(
                    "the top level",
                    "unknown field '"
                        + property.getKey()
                        + "' (written by a newer Quiver? this one reads format "
                        + WATERMARK_FORMAT
                        + ")");
              }
            });
    String view = watermarkText(root, "view");
    if (!Watermark.isValidView(view)) {
      throw damagedWatermark("view", "'" + view + "' is not a view version (name@vN, such as user_txn@v2)");
    }
    JsonNode registryVersion = watermarkField(root, "registry_version");
    if (!registryVersion.isIntegralNumber() || !registryVersion.canConvertToLong()) {
      throw damagedWatermark("registry_version", "expected an integer, found " + registryVersion);
    }
    return new Watermark(
        view,
        watermarkInstant(root, "end"),
        registryVersion.longValue(),
        watermarkText(root, "author"),
        watermarkInstant(root, "updated_at"));
  }

  /**
   * A watermark as a JSON object in the watermark format's layout, without the {@code "format"} and
   * {@code "kind"} fields, for tools that print watermarks.
   */
  public static JsonNode toJson(Watermark watermark) {
    return SnapshotWriter.canonical(watermarkFields(Objects.requireNonNull(watermark, "watermark")));
  }

  /**
   * The definitions as a JSON tree in the registry format's layout (snake_case names, as in YAML),
   * for tools that print definitions ({@code quiver list/describe --output json}).
   */
  public static JsonNode toJson(Definitions definitions) {
    return SnapshotWriter.definitions(Objects.requireNonNull(definitions, "definitions"));
  }

  /** A version's audit record as a JSON object in the registry format's layout. */
  public static JsonNode toJson(VersionInfo info) {
    return SnapshotWriter.info(Objects.requireNonNull(info, "info"));
  }

  /**
   * A saved training set as a JSON object in the dataset format's layout, without the {@code
   * "format"} and {@code "kind"} fields, for tools that print datasets.
   */
  public static JsonNode toJson(DatasetRecord dataset) {
    return SnapshotWriter.dataset(Objects.requireNonNull(dataset, "dataset"));
  }

  /**
   * The content hash of definitions: {@code sha256:} and the lower-case hex SHA-256 of their
   * canonical JSON (the {@code "definitions"} member of the format, keys sorted, no whitespace,
   * UTF-8). Equal definitions have equal hashes, whatever order they were written in; stores record
   * it in {@link VersionInfo#contentHash()}.
   *
   * @throws NullPointerException when {@code definitions} is null
   */
  public static String contentHash(Definitions definitions) {
    Objects.requireNonNull(definitions, "definitions");
    JsonNode tree = SnapshotWriter.canonical(SnapshotWriter.definitions(definitions));
    try {
      byte[] canonical = COMPACT.writeValueAsBytes(tree);
      return HASH_PREFIX
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Parses a JSON object with a {@code "format"} field; {@code what} names the document in messages. */
  private static JsonNode parse(byte[] bytes, String what) {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new QuiverException(
          "not a Quiver " + what + ": the JSON is malformed or truncated ("
              + e.getOriginalMessage()
              + locationOf(e)
              + ")",
          e);
    } catch (IOException e) {
      throw new QuiverException("not a Quiver " + what + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new QuiverException("not a Quiver " + what + ": the input is empty");
    }
    if (!root.isObject() || !root.has("format")) {
      throw new QuiverException(
          "not a Quiver " + what + ": expected a JSON object with a \"format\" field");
    }
    return root;
  }

  /** Fails unless the document's {@code "format"} is {@code supported}. */
  private static void checkFormat(JsonNode root, String what, int supported) {
    checkFormat(root, what, supported, supported);
  }

  /** Fails unless the document's {@code "format"} is between {@code oldest} and {@code supported}. */
  private static void checkFormat(JsonNode root, String what, int oldest, int supported) {
    JsonNode format = root.get("format");
    if (!format.isIntegralNumber()) {
      throw new QuiverException(
          "not a Quiver " + what + ": \"format\" must be an integer, found " + format);
    }
    if (!format.canConvertToInt() || format.intValue() < oldest || format.intValue() > supported) {
      throw new QuiverException(
          what
              + " format "
              + format.asText()
              + " is not supported: this Quiver reads format "
              + (oldest == supported ? "" : oldest + " to ")
              + supported
              + (format.canConvertToInt() && format.intValue() > supported
                  ? "; it was written by a newer Quiver, upgrade to read it"
                  : ""));
    }
  }

  private static boolean isDataset(JsonNode root) {
    return isKind(root, DATASET_KIND);
  }

  private static boolean isKind(JsonNode root, String expected) {
    JsonNode kind = root.get("kind");
    return kind != null && kind.isTextual() && kind.textValue().equals(expected);
  }

  // ---- watermarks -------------------------------------------------------------------------------

  /** The watermark's own fields, unsorted. */
  private static ObjectNode watermarkFields(Watermark w) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("view", w.view());
    n.put("end", w.end().toString());
    n.put("registry_version", w.registryVersion());
    n.put("author", w.author());
    n.put("updated_at", w.updatedAt().toString());
    return n;
  }

  private static JsonNode watermarkField(JsonNode root, String name) {
    JsonNode field = root.get(name);
    if (field == null) {
      throw damagedWatermark(name, "missing");
    }
    return field;
  }

  private static String watermarkText(JsonNode root, String name) {
    JsonNode field = watermarkField(root, name);
    if (!field.isTextual()) {
      throw damagedWatermark(name, "expected a string, found " + field);
    }
    return field.textValue();
  }

  private static Instant watermarkInstant(JsonNode root, String name) {
    String text = watermarkText(root, name);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw damagedWatermark(name, "'" + text + "' is not an ISO-8601 instant");
    }
  }

  private static QuiverException damagedWatermark(String where, String problem) {
    return new QuiverException("damaged " + WATERMARK + " at " + where + ": " + problem);
  }

  /** Two-space indented JSON with {@code \n} line ends and a final newline. */
  private static byte[] pretty(JsonNode tree) {
    try {
      byte[] json = PRETTY.writeValueAsBytes(tree);
      byte[] out = new byte[json.length + 1];
      System.arraycopy(json, 0, out, 0, json.length);
      out[json.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  private static String locationOf(JsonProcessingException e) {
    var where = e.getLocation();
    if (where == null) {
      return "";
    }
    return " at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }
}
