package dev.quiver.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Maps a JSON tree of registry format 1 back to a snapshot, and one of dataset format 1 or 2 back
 * to a dataset record. Strict: a missing or mistyped field, an unknown field or kind, or a value the model
 * rejects fails with a {@link QuiverException} naming the JSON path ({@code
 * definitions.feature_views[0].features[2].kind}). Unknown fields are refused rather than skipped
 * because dropping them would silently lose definitions written by a newer Quiver; a new field means
 * a new format number.
 */
final class SnapshotReader {
  private SnapshotReader() {}

  /** The documents this reader reads, for messages. */
  private enum Document {
    SNAPSHOT("registry snapshot", RegistryCodec.FORMAT),
    DATASET("dataset record", RegistryCodec.DATASET_FORMAT);

    final String description;
    final int format;

    Document(String description, int format) {
      this.description = description;
      this.format = format;
    }
  }

  static RegistrySnapshot snapshot(JsonNode root) {
    At at = new At(root, "", Document.SNAPSHOT);
    at.requireObject();
    at.allowOnly("format", "info", "definitions");
    return new RegistrySnapshot(info(at.field("info")), definitions(at.field("definitions")));
  }

  /**
   * A dataset document whose {@code "format"} and {@code "kind"} the caller has checked. Format 1
   * has no {@code allow_external_files} in a SQL query: true, since format 1 put no limit on the
   * files a query read. The paths of both formats are kept as written (format 1 wrote them absolute,
   * format 2 relative to the feature repo when inside it).
   */
  static DatasetRecord dataset(JsonNode root) {
    int format = root.get("format").intValue();
    At at = new At(root, "", Document.DATASET);
    at.requireObject();
    at.allowOnly(
        "format",
        "kind",
        "name",
        "registry_version",
        "features",
        "service",
        "full_feature_names",
        "timestamp_column",
        "query",
        "query_fingerprint",
        "source_fingerprints",
        "output",
        "output_format",
        "output_fingerprint",
        "rows",
        "author",
        "created_at");
    return at.build(
        () ->
            new DatasetRecord(
                at.field("name").text(),
                at.field("registry_version").longValue(),
                at.field("features").list(SnapshotReader::ref),
                at.field("service").textOrNull(),
                at.field("full_feature_names").bool(),
                at.field("timestamp_column").text(),
                query(at.field("query"), format),
                at.field("query_fingerprint").text(),
                at.field("source_fingerprints").stringMap(),
                at.field("output").text(),
                at.field("output_format").fileFormat(),
                at.field("output_fingerprint").text(),
                at.field("rows").longValue(),
                at.field("author").text(),
                at.field("created_at").instant()));
  }

  private static QueryInput query(At at, int datasetFormat) {
    String kind = at.field("kind").text();
    return switch (kind) {
      case "files" -> {
        at.allowOnly("kind", "path", "format");
        yield at.build(
            () -> new QueryInput.Files(at.field("path").text(), at.field("format").fileFormat()));
      }
      case "sql" -> {
        if (datasetFormat == 1) {
          // format 1 put no limit on the files a query read: its reproduction may read them again
          at.allowOnly("kind", "sql");
          yield at.build(() -> new QueryInput.Sql(at.field("sql").text(), true));
        }
        at.allowOnly("kind", "sql", "allow_external_files");
        yield at.build(() -> new QueryInput.Sql(at.field("sql").text(), at.field("allow_external_files").bool()));
      }
      default ->
          throw at.field("kind").damaged("unknown query kind '" + kind + "' (expected files or sql)");
    };
  }

  private static VersionInfo info(At at) {
    at.allowOnly("version", "parent", "author", "applied_at", "message", "content_hash");
    return at.build(
        () ->
            new VersionInfo(
                at.field("version").longValue(),
                at.field("parent").longValue(),
                at.field("author").text(),
                at.field("applied_at").instant(),
                at.field("message").text(),
                at.field("content_hash").text()));
  }

  private static Definitions definitions(At at) {
    at.allowOnly(
        "project", "entities", "sources", "feature_views", "on_demand_views", "feature_services", "permissions");
    // "permissions" is written only when there are some (versions before permissions never have it)
    List<Permission> permissions =
        at.node().has("permissions") ? at.field("permissions").list(SnapshotReader::permission) : List.of();
    return at.build(
        () ->
            new Definitions(
                at.field("project").text(),
                at.field("entities").list(SnapshotReader::entity),
                at.field("sources").list(SnapshotReader::source),
                at.field("feature_views").list(SnapshotReader::view),
                at.field("on_demand_views").list(SnapshotReader::onDemandView),
                at.field("feature_services").list(SnapshotReader::service),
                permissions));
  }

  private static Permission permission(At at) {
    at.allowOnly("name", "roles", "actions", "kinds", "names", "tags", "description");
    return at.build(
        () ->
            new Permission(
                at.field("name").text(),
                java.util.Set.copyOf(at.field("roles").list(At::text)),
                java.util.Set.copyOf(at.field("actions").list(a -> a.parsed("an action (" + actionSpellings() + ")",
                    s -> java.util.Arrays.stream(Action.values()).filter(x -> x.wireName().equals(s)).findFirst()))),
                java.util.Set.copyOf(at.field("kinds").list(k -> k.parsed("a resource kind (" + Permission.kindSpellings() + ")",
                    s -> java.util.Arrays.stream(Resource.Kind.values()).filter(x -> Permission.spelling(x).equals(s)).findFirst()))),
                at.field("names").list(At::text),
                at.field("tags").stringMap(),
                at.field("description").textOrNull()));
  }

  private static String actionSpellings() {
    return String.join(", ", java.util.Arrays.stream(Action.values()).map(Action::wireName).toList());
  }

  private static Entity entity(At at) {
    at.allowOnly("name", "join_keys", "metadata");
    return at.build(
        () ->
            new Entity(
                at.field("name").text(),
                at.field("join_keys").list(SnapshotReader::joinKey),
                metadata(at.field("metadata"))));
  }

  private static JoinKey joinKey(At at) {
    at.allowOnly("name", "type");
    return at.build(() -> new JoinKey(at.field("name").text(), at.field("type").scalarType()));
  }

  private static Source source(At at) {
    String kind = at.field("kind").text();
    return switch (kind) {
      case "file" -> {
        at.allowOnly(
            "kind",
            "name",
            "path",
            "format",
            "timestamp_column",
            "created_column",
            "field_mapping",
            "metadata",
            "table");
        yield at.build(
            () ->
                new FileSource(
                    at.field("name").text(),
                    at.field("path").text(),
                    at.field("format").parsed("a file format (parquet, csv)", FileFormat::parse),
                    at.field("timestamp_column").text(),
                    at.field("created_column").textOrNull(),
                    at.field("field_mapping").stringMap(),
                    metadata(at.field("metadata")),
                    at.node().has("table") ? table(at.field("table")) : TableSettings.DEFAULT));
      }
      case "kafka" -> {
        at.allowOnly(
            "kind", "name", "brokers", "topic", "format", "consumer", "group_id", "append_to_batch", "batch", "avro");
        yield at.build(
            () ->
                new StreamSource(
                    at.field("name").text(),
                    at.field("brokers").text(),
                    at.field("topic").text(),
                    at.field("format").parsed("a stream format (json, avro)", StreamFormat::parse),
                    at.field("consumer").stringMap(),
                    at.field("group_id").textOrNull(),
                    at.field("append_to_batch").bool(),
                    (FileSource) source(at.field("batch")),
                    at.node().has("avro") ? avro(at.field("avro")) : null));
      }
      default -> throw at.field("kind").damaged("unknown source kind '" + kind + "' (expected file or kafka)");
    };
  }

  private static TableSettings table(At at) {
    at.allowOnly("partitioning", "partition_types", "timestamp_format", "schema", "iceberg");
    Partitioning partitioning = at.field("partitioning").parsed("a partitioning (auto, hive, none)",
        s -> java.util.Arrays.stream(Partitioning.values()).filter(p -> p.spelling().equals(s)).findFirst());
    Map<String, ScalarType> types = new LinkedHashMap<>();
    At typesAt = at.field("partition_types");
    typesAt.requireObject();
    for (var column : typesAt.node().properties()) {
      types.put(column.getKey(), typesAt.field(column.getKey()).scalarType());
    }
    TimestampFormat format = at.field("timestamp_format").parsed("a timestamp format (epoch_millis, yyyy-MM-dd, ...)",
        s -> {
          try {
            return Optional.of(TimestampFormat.parse(s));
          } catch (IllegalArgumentException e) {
            return Optional.empty();
          }
        });
    Map<String, ValueType> schema = new LinkedHashMap<>();
    at.field("schema").list(c -> {
      c.allowOnly("name", "type");
      return Map.entry(c.field("name").text(), c.field("type").valueType());
    }).forEach(e -> schema.put(e.getKey(), e.getValue()));
    IcebergTable iceberg = null;
    if (at.node().has("iceberg")) {
      At i = at.field("iceberg");
      i.allowOnly("table", "catalog");
      iceberg = i.build(() -> new IcebergTable(i.field("table").text(), i.field("catalog").stringMap()));
    }
    IcebergTable table = iceberg;
    return at.build(() -> new TableSettings(partitioning, types, format, schema, table));
  }

  private static AvroSettings avro(At at) {
    at.allowOnly("schema_registry", "username", "password", "schema");
    return at.build(
        () ->
            new AvroSettings(
                at.field("schema_registry").textOrNull(),
                at.field("username").textOrNull(),
                at.field("password").textOrNull(),
                at.field("schema").textOrNull()));
  }

  private static FeatureView view(At at) {
    at.allowOnly(
        "name", "version", "entities", "source", "ttl", "online", "features", "metadata", "validation");
    // "validation" is written only for views with rules, so snapshots without any keep their bytes
    List<dev.quiver.core.model.ValidationRule> rules =
        at.node().has("validation") ? at.field("validation").list(SnapshotReader::rule) : List.of();
    return at.build(
        () ->
            new FeatureView(
                at.field("name").text(),
                at.field("version").intValue(),
                at.field("entities").list(At::text),
                at.field("source").text(),
                at.field("ttl").durationOrNull(),
                at.field("online").bool(),
                at.field("features").list(SnapshotReader::feature),
                metadata(at.field("metadata")),
                rules));
  }

  private static dev.quiver.core.model.ValidationRule rule(At at) {
    String kind = at.field("kind").text();
    dev.quiver.core.model.OnFail onFail = at.field("on_fail").parsed("warn, skip_row or fail",
        dev.quiver.core.model.OnFail::parse);
    String feature = at.field("feature").textOrNull();
    return at.build(() -> switch (kind) {
      case "not_null" -> {
        at.allowOnly("kind", "feature", "on_fail", "max_null_rate");
        JsonNode rate = at.field("max_null_rate").node();
        yield new dev.quiver.core.model.ValidationRule.NotNull(feature,
            rate.isNull() ? null : at.field("max_null_rate").doubleValue(), onFail);
      }
      case "min", "max" -> {
        at.allowOnly("kind", "feature", "on_fail", "value");
        java.math.BigDecimal value = new java.math.BigDecimal(at.field("value").text());
        yield kind.equals("min") ? new dev.quiver.core.model.ValidationRule.Min(feature, value, onFail)
            : new dev.quiver.core.model.ValidationRule.Max(feature, value, onFail);
      }
      case "allowed" -> {
        at.allowOnly("kind", "feature", "on_fail", "values");
        yield new dev.quiver.core.model.ValidationRule.Allowed(feature, at.field("values").list(At::text), onFail);
      }
      case "pattern" -> {
        at.allowOnly("kind", "feature", "on_fail", "regex");
        yield new dev.quiver.core.model.ValidationRule.Pattern(feature, at.field("regex").text(), onFail);
      }
      case "expr" -> {
        at.allowOnly("kind", "feature", "on_fail", "expression");
        yield new dev.quiver.core.model.ValidationRule.Expr(feature, at.field("expression").text(), onFail);
      }
      case "row_count" -> {
        at.allowOnly("kind", "feature", "on_fail", "min", "max");
        JsonNode lo = at.field("min").node();
        JsonNode hi = at.field("max").node();
        yield new dev.quiver.core.model.ValidationRule.RowCount(lo.isNull() ? null : at.field("min").longValue(),
            hi.isNull() ? null : at.field("max").longValue(), onFail);
      }
      case "freshness" -> {
        at.allowOnly("kind", "feature", "on_fail", "max_age");
        yield new dev.quiver.core.model.ValidationRule.Freshness(at.field("max_age").durationOrNull(), onFail);
      }
      default -> throw at.damaged("unknown validation rule kind '" + kind + "' (written by a newer Quiver?)");
    });
  }

  private static Feature feature(At at) {
    String kind = at.field("kind").text();
    return switch (kind) {
      case "column" -> {
        at.allowOnly("kind", "name", "column", "type", "description");
        yield at.build(
            () ->
                new ColumnFeature(
                    at.field("name").text(),
                    at.field("column").text(),
                    at.field("type").valueTypeOrNull(),
                    at.field("description").text()));
      }
      case "aggregate" -> {
        at.allowOnly("kind", "name", "aggregation", "type", "description");
        yield at.build(
            () ->
                new AggregateFeature(
                    at.field("name").text(),
                    aggregation(at.field("aggregation")),
                    at.field("type").valueTypeOrNull(),
                    at.field("description").text()));
      }
      case "derived" -> derived(at);
      default ->
          throw at.field("kind")
              .damaged("unknown feature kind '" + kind + "' (expected column, aggregate or derived)");
    };
  }

  private static DerivedFeature derived(At at) {
    String kind = at.field("kind").text();
    if (!kind.equals("derived")) {
      throw at.field("kind").damaged("an on-demand view holds only derived features, found '" + kind + "'");
    }
    at.allowOnly("kind", "name", "expression", "type", "description", "transform", "arguments");
    boolean transform = at.node().has("transform");
    return at.build(
        () ->
            new DerivedFeature(
                at.field("name").text(),
                at.field("expression").text(),
                at.field("type").valueTypeOrNull(),
                at.field("description").text(),
                transform ? at.field("transform").text() : null,
                transform ? at.field("arguments").list(At::text) : List.of()));
  }

  private static Aggregation aggregation(At at) {
    at.allowOnly("function", "column", "window", "hop", "where", "k", "percentile");
    return at.build(
        () ->
            new Aggregation(
                at.field("function")
                    .parsed("an aggregate function (" + AggregateFunction.spellings() + ")",
                        SnapshotReader::function),
                at.field("column").textOrNull(),
                at.field("window").window(),
                at.field("hop").durationOrNull(),
                at.field("where").textOrNull(),
                at.field("k").intValue(),
                at.field("percentile").doubleValue()));
  }

  /** Only the canonical spellings; the aliases the YAML loader accepts are never written. */
  private static Optional<AggregateFunction> function(String spelling) {
    for (AggregateFunction f : AggregateFunction.values()) {
      if (f.spelling().equals(spelling)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  private static OnDemandView onDemandView(At at) {
    at.allowOnly("name", "version", "inputs", "request_fields", "features", "metadata");
    return at.build(
        () ->
            new OnDemandView(
                at.field("name").text(),
                at.field("version").intValue(),
                at.field("inputs").list(At::text),
                at.field("request_fields").list(SnapshotReader::requestField),
                at.field("features").list(SnapshotReader::derived),
                metadata(at.field("metadata"))));
  }

  private static RequestField requestField(At at) {
    at.allowOnly("name", "type");
    return at.build(() -> new RequestField(at.field("name").text(), at.field("type").valueType()));
  }

  private static FeatureService service(At at) {
    at.allowOnly("name", "version", "features", "metadata", "logging");
    return at.build(
        () ->
            new FeatureService(
                at.field("name").text(),
                at.field("version").intValue(),
                at.field("features").list(SnapshotReader::ref),
                metadata(at.field("metadata")),
                at.node().hasNonNull("logging") ? logging(at.field("logging")) : null));
  }

  private static FeatureLogging logging(At at) {
    at.allowOnly("sample_rate");
    return at.build(() -> new FeatureLogging(at.field("sample_rate").doubleValue()));
  }

  private static FeatureRef ref(At at) {
    if (at.node().isTextual()) {
      return at.parsed("a feature ref (view:feature or view@v2:feature)", FeatureRef::parse);
    }
    at.requireObject();
    at.allowOnly("view", "version", "feature");
    return at.build(
        () ->
            new FeatureRef(
                at.field("view").text(), at.field("version").intValue(), at.field("feature").text()));
  }

  private static Metadata metadata(At at) {
    at.allowOnly("description", "owner", "tags");
    return at.build(
        () ->
            new Metadata(
                at.field("description").text(),
                at.field("owner").text(),
                at.field("tags").stringMap()));
  }

  /** A node and its JSON path, for messages that say where the damage is. */
  private record At(JsonNode node, String path, Document document) {

    At field(String name) {
      requireObject();
      JsonNode child = node.get(name);
      String childPath = path.isEmpty() ? name : path + "." + name;
      if (child == null) {
        throw new At(null, childPath, document).damaged("missing");
      }
      return new At(child, childPath, document);
    }

    void requireObject() {
      if (!node.isObject()) {
        throw damaged("expected an object, found " + describe());
      }
    }

    void allowOnly(String... names) {
      requireObject();
      Set<String> allowed = Set.of(names);
      node.properties()
          .forEach(
              property -> {
                if (!allowed.contains(property.getKey())) {
                  throw damaged(
                      "unknown field '"
                          + property.getKey()
                          + "' (written by a newer Quiver? this one reads format "
                          + document.format
                          + ")");
                }
              });
    }

    String text() {
      if (!node.isTextual()) {
        throw damaged("expected a string, found " + describe());
      }
      return node.textValue();
    }

    String textOrNull() {
      return node.isNull() ? null : text();
    }

    long longValue() {
      if (!node.isIntegralNumber() || !node.canConvertToLong()) {
        throw damaged("expected an integer, found " + describe());
      }
      return node.longValue();
    }

    int intValue() {
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw damaged("expected a 32-bit integer, found " + describe());
      }
      return node.intValue();
    }

    double doubleValue() {
      if (node.isNumber()) {
        return node.doubleValue();
      }
      if (node.isTextual()) { // NaN and the infinities are written as strings
        switch (node.textValue()) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            break;
        }
      }
      throw damaged("expected a number, found " + describe());
    }

    boolean bool() {
      if (!node.isBoolean()) {
        throw damaged("expected true or false, found " + describe());
      }
      return node.booleanValue();
    }

    Instant instant() {
      String text = text();
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw damaged("'" + text + "' is not an ISO-8601 instant");
      }
    }

    ValueType valueType() {
      return parsed("a type (" + ValueType.spellings() + ")", SnapshotReader.At::canonicalType);
    }

    ValueType valueTypeOrNull() {
      return node.isNull() ? null : valueType();
    }

    ScalarType scalarType() {
      ValueType t = valueType();
      if (t instanceof ScalarType s) {
        return s;
      }
      throw damaged("a join key has a scalar type, found '" + t.spelling() + "'");
    }

    /** Only the canonical spellings; aliases ({@code long}, {@code array<...>}) are never written. */
    private static Optional<ValueType> canonicalType(String spelling) {
      return ValueType.parse(spelling).filter(t -> t.spelling().equals(spelling));
    }

    /** Only the canonical spellings ({@code parquet}, {@code csv}). */
    FileFormat fileFormat() {
      return parsed(
          "a file format (parquet, csv)",
          s -> FileFormat.parse(s).filter(f -> f.spelling().equals(s)));
    }

    Duration durationOrNull() {
      return node.isNull() ? null : parsed("a duration (30d, 90m, 1500ms)", At::duration);
    }

    Window window() {
      return parsed(
          "a window (30d, lifetime)",
          s -> s.equals("lifetime") ? Optional.of(Window.lifetime()) : duration(s).map(Window::of));
    }

    /** The definition spelling, or ISO-8601 for the durations that spelling cannot carry. */
    private static Optional<Duration> duration(String s) {
      if (s.startsWith("P") || s.startsWith("-P")) {
        try {
          return Optional.of(Duration.parse(s));
        } catch (DateTimeParseException e) {
          return Optional.empty();
        }
      }
      return Durations.parse(s);
    }

    Map<String, String> stringMap() {
      requireObject();
      Map<String, String> map = new LinkedHashMap<>();
      node.properties()
          .forEach(
              property ->
                  map.put(property.getKey(), field(property.getKey()).textOrNull()));
      return map;
    }

    <T> List<T> list(Function<At, T> read) {
      if (!node.isArray()) {
        throw damaged("expected an array, found " + describe());
      }
      List<T> items = new ArrayList<>(node.size());
      for (int i = 0; i < node.size(); i++) {
        items.add(read.apply(new At(node.get(i), path + "[" + i + "]", document)));
      }
      return items;
    }

    <T> T parsed(String expected, Function<String, Optional<T>> parse) {
      String text = text();
      return parse
          .apply(text)
          .orElseThrow(() -> damaged("'" + text + "' is not " + expected));
    }

    /** Runs a record constructor, reporting what it rejects as damage at this path. */
    <T> T build(java.util.function.Supplier<T> construct) {
      try {
        return construct.get();
      } catch (IllegalArgumentException | NullPointerException e) {
        throw damaged(String.valueOf(e.getMessage()));
      }
    }

    QuiverException damaged(String problem) {
      return new QuiverException(
          "damaged "
              + document.description
              + " at "
              + (path.isEmpty() ? "the top level" : path)
              + ": "
              + problem);
    }

    private String describe() {
      if (node == null || node.isMissingNode()) {
        return "nothing";
      }
      String text = node.toString();
      return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
          + " "
          + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
  }
}
