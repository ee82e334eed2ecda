package dev.quiver.core.registry;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.ValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads a snapshot's sources: file sources with their table settings, Kafka sources with their batch twin and Avro settings. */
final class SnapshotSources {
  private SnapshotSources() {}

  static Source source(JsonAt at) {
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
                    SnapshotReader.metadata(at.field("metadata")),
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

  private static TableSettings table(JsonAt at) {
    at.allowOnly("partitioning", "partition_types", "timestamp_format", "schema", "iceberg");
    Partitioning partitioning = at.field("partitioning").parsed("a partitioning (auto, hive, none)",
        s -> java.util.Arrays.stream(Partitioning.values()).filter(p -> p.spelling().equals(s)).findFirst());
    Map<String, ScalarType> types = new LinkedHashMap<>();
    JsonAt typesAt = at.field("partition_types");
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
      JsonAt i = at.field("iceberg");
      i.allowOnly("table", "catalog");
      iceberg = i.build(() -> new IcebergTable(i.field("table").text(), i.field("catalog").stringMap()));
    }
    IcebergTable table = iceberg;
    return at.build(() -> new TableSettings(partitioning, types, format, schema, table));
  }

  private static AvroSettings avro(JsonAt at) {
    at.allowOnly("schema_registry", "username", "password", "schema");
    return at.build(
        () ->
            new AvroSettings(
                at.field("schema_registry").textOrNull(),
                at.field("username").textOrNull(),
                at.field("password").textOrNull(),
                at.field("schema").textOrNull()));
  }
}
