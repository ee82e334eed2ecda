package dev.quiver.core.load;

import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.model.ValueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a batch source ({@code type: file}, the default): files or a glob, a hive-partitioned
 * dataset directory ({@code partitioning}, {@code partition_types}), files at a URI or an Iceberg
 * table ({@code format: iceberg}, {@code table}, {@code catalog}) with their declared {@code schema},
 * and how its times are written ({@code timestamp_format}). Problems name the file and line of the
 * key at fault and the fix.
 */
final class FileSourceReader {
  static final List<String> KEYS = DefinitionReader.with(List.of("description", "owner", "tags"), "name", "type", "path",
      "format", "timestamp", "created", "field_mapping", "timestamp_format", "partitioning", "partition_types", "schema",
      "table", "catalog");
  private static final List<String> SECRET_WORDS = List.of("token", "secret", "password", "credential");

  private FileSourceReader() {}

  static void read(YamlMap m, String name, Metadata metadata, Origins origins, Definitions.Builder out) {
    String key = Origins.source(name);
    for (String k : List.of("path", "timestamp", "created", "field_mapping", "timestamp_format", "partitioning",
        "partition_types", "schema", "table", "catalog", "format")) {
      if (m.has(k)) {
        origins.put(key + "/" + k, m.origin(k));
      }
    }
    String what = "source '" + name + "'";
    boolean iceberg = "iceberg".equalsIgnoreCase(strip(m.string("format")));
    String ts = m.required("timestamp", what + " (the event-time column)");
    TableSettings settings = TableSettings.DEFAULT;
    String path;
    FileFormat format;
    if (iceberg) {
      path = icebergTable(m, what);
      settings = settings.withIceberg(path == null ? null : new IcebergTable(path, catalog(m, what)));
      format = FileFormat.PARQUET;
      for (String k : List.of("path", "partitioning", "partition_types")) {
        if (m.has(k)) {
          m.problem(m.origin(k), what + " is an Iceberg table, which has its own layout; remove '" + k + "'");
          path = null;
        }
      }
    } else {
      for (String k : List.of("table", "catalog")) {
        if (m.has(k)) {
          m.problem(m.origin(k), "'" + k + "' of " + what + " is for an Iceberg table; add format: iceberg, or remove it");
        }
      }
      path = m.required("path", what);
      Partitioning partitioning = partitioning(m, what);
      format = format(m, what, path, partitioning);
      if (partitioning == null || format == null) {
        return;
      }
      if (partitioning == Partitioning.HIVE && format != FileFormat.PARQUET) {
        m.problem(m.origin("partitioning"), what + ": partitioning: hive reads Parquet datasets; remove it, or use"
            + " format: parquet");
        return;
      }
      Map<String, ScalarType> types = partitionTypes(m, what, partitioning, path);
      settings = settings.withPartitioning(partitioning, types);
      if (path != null && !schemeAllowed(m, what, path)) {
        return;
      }
    }
    if (m.has("timestamp_format")) {
      String text = m.string("timestamp_format");
      try {
        settings = settings.withTimestampFormat(TimestampFormat.parse(text == null ? "" : text));
      } catch (IllegalArgumentException e) {
        m.problem(m.origin("timestamp_format"), "timestamp_format of " + what + ": " + e.getMessage()
            + "; use epoch_seconds, epoch_millis, epoch_micros or a pattern such as yyyy-MM-dd HH:mm:ss");
        return;
      }
    }
    boolean local = !iceberg && path != null && FileSource.schemeOf(path) == null;
    Map<String, ValueType> schema = schema(m, what, local, iceberg ? "an Iceberg table" : "at " + path);
    if (schema == null) {
      return;
    }
    settings = settings.withSchema(schema);
    if (path == null || ts == null) {
      return;
    }
    out.source(new FileSource(name, path, format, ts, m.string("created"), m.stringMap("field_mapping"), metadata, settings));
  }

  private static String icebergTable(YamlMap m, String what) {
    String table = m.required("table", what + " (the Iceberg table's identifier, e.g. table: db.events)");
    if (table != null && !table.strip().matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+")) {
      m.problem(m.origin("table"), "table of " + what + " must be namespace.table, e.g. db.events, not '" + table + "'");
      return null;
    }
    if (!m.has("catalog")) {
      m.problem(m.origin(), what + " is an Iceberg table and needs 'catalog', the catalog's properties, e.g."
          + " catalog: {type: rest, uri: http://catalog:8181} or catalog: {type: hadoop, warehouse: /data/warehouse}");
      return null;
    }
    return table == null ? null : table.strip();
  }

  private static Map<String, String> catalog(YamlMap m, String what) {
    Map<String, String> catalog = m.stringMap("catalog");
    if (!catalog.containsKey("type")) {
      m.problem(m.origin("catalog"), "catalog of " + what + " needs 'type' (rest, hadoop, hive, glue, ...)");
    }
    for (var e : catalog.entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (SECRET_WORDS.stream().anyMatch(k::contains) && !AvroSettings.isSecretReference(e.getValue().strip())) {
        m.problem(m.origin("catalog"), "catalog property '" + e.getKey() + "' of " + what + " looks like a secret;"
            + " definitions are stored in the registry, so give a reference: " + e.getKey() + ": ${ENV_VAR}");
      }
    }
    return catalog;
  }

  private static Partitioning partitioning(YamlMap m, String what) {
    if (!m.has("partitioning")) {
      return Partitioning.AUTO;
    }
    Partitioning p = Partitioning.parse(m.string("partitioning")).orElse(null);
    if (p == null) {
      m.problem(m.origin("partitioning"), "partitioning of " + what + " is hive (files under key=value/ folders, each"
          + " key a column) or none, not '" + m.string("partitioning") + "'");
    }
    return p;
  }

  private static FileFormat format(YamlMap m, String what, String path, Partitioning partitioning) {
    if (m.has("format")) {
      FileFormat format = FileFormat.parse(m.string("format")).orElse(null);
      if (format == null) {
        m.problem(m.origin("format"), "format '" + m.string("format") + "' is not supported; use parquet, csv or iceberg");
      }
      return format;
    }
    if (path == null) {
      return null;
    }
    FileFormat format = FileFormat.fromPath(path).orElse(null);
    if (format == null && (path.endsWith("/") || partitioning == Partitioning.HIVE)) {
      return FileFormat.PARQUET; // a dataset directory
    }
    if (format == null) {
      m.problem(m.origin("path"), "cannot tell the format of '" + path + "' from its name; add format: parquet or"
          + " format: csv (a dataset directory: end the path in / or add partitioning: hive)");
    }
    return format;
  }

  private static Map<String, ScalarType> partitionTypes(YamlMap m, String what, Partitioning p, String path) {
    Map<String, ScalarType> types = new LinkedHashMap<>();
    if (!m.has("partition_types")) {
      return types;
    }
    if (p != Partitioning.HIVE && (path == null || !path.endsWith("/"))) {
      m.problem(m.origin("partition_types"), "partition_types of " + what + " type hive partition columns; add"
          + " partitioning: hive, or remove it");
      return types;
    }
    YamlMap t = m.map("partition_types");
    if (t == null) {
      return types;
    }
    for (String column : t.keys()) {
      String text = t.string(column);
      ScalarType type = text == null ? null : ScalarType.parse(text).orElse(null);
      if (type == null || type == ScalarType.BYTES) {
        t.problem(t.origin(column), "partition column '" + column + "' of " + what + " has type '" + text
            + "'; use int32, int64, float64, bool, string or timestamp (a date)");
        continue;
      }
      types.put(column, type);
    }
    return types;
  }

  /** False (after a problem) when a URI path has a scheme no engine reads. */
  private static boolean schemeAllowed(YamlMap m, String what, String path) {
    String scheme = FileSource.schemeOf(path);
    if (scheme == null || FileSource.REMOTE_SCHEMES.contains(scheme)) {
      return true;
    }
    m.problem(m.origin("path"), "path of " + what + " is a " + scheme + ":// URL; use a local path or one of "
        + String.join(", ", FileSource.REMOTE_SCHEMES.stream().map(s -> s + "://").toList()));
    return false;
  }

  /** The declared columns; null after a problem. Required exactly when the source is not local. */
  private static Map<String, ValueType> schema(YamlMap m, String what, boolean local, String where) {
    Map<String, ValueType> schema = new LinkedHashMap<>();
    if (local) {
      if (m.has("schema")) {
        m.problem(m.origin("schema"), "'schema' of " + what + " declares the columns of a source plan cannot read;"
            + " this one's columns come from its files, so remove 'schema'");
        return null;
      }
      return schema;
    }
    if (!m.has("schema")) {
      m.problem(m.origin(), what + " is " + where + ", which plan does not read here, so it needs 'schema', its"
          + " columns and types, e.g. schema: {user_id: int64, amount: float64, event_ts: timestamp}");
      return null;
    }
    YamlMap s = m.map("schema");
    if (s == null) {
      return null;
    }
    boolean ok = true;
    for (String column : s.keys()) {
      String text = s.string(column);
      ValueType type = text == null ? null : ValueType.parse(text).orElse(null);
      if (type == null) {
        s.problem(s.origin(column), "column '" + column + "' in the schema of " + what + " has type '" + text
            + "'; use one of " + ValueType.spellings());
        ok = false;
      } else {
        schema.put(column, type);
      }
    }
    if (ok && schema.isEmpty()) {
      m.problem(m.origin("schema"), "the schema of " + what + " lists no columns");
      return null;
    }
    return ok ? schema : null;
  }

  private static String strip(String s) {
    return s == null ? null : s.strip();
  }
}
