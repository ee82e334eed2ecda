package dev.quiver.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a batch source says beyond a file glob: how its folders add columns, how its times are
 * written, the columns it declares when this machine cannot read it, and the Iceberg table it is.
 * Every engine reads these from the plan's {@link FileSource}.
 *
 * @param partitioning how folders add columns; not null
 * @param partitionTypes declared types of hive partition columns (others are inferred); never null
 * @param timestampFormat how the event and created columns are written; not null
 * @param schema the raw columns and types, declared for a source this machine cannot read (a URI or
 *     an Iceberg table), in order; empty for local files, whose columns come from the files; never null
 * @param iceberg the Iceberg table the source is, or null for files
 */
public record TableSettings(Partitioning partitioning, Map<String, ScalarType> partitionTypes,
    TimestampFormat timestampFormat, Map<String, ValueType> schema, IcebergTable iceberg) implements java.io.Serializable {

  /** A plain file or glob: partitions as the engine detects them, timestamp columns, no declared schema. */
  public static final TableSettings DEFAULT =
      new TableSettings(Partitioning.AUTO, Map.of(), TimestampFormat.TIMESTAMP, Map.of(), null);

  public TableSettings {
    Objects.requireNonNull(partitioning, "partitioning");
    Objects.requireNonNull(timestampFormat, "timestampFormat");
    partitionTypes = partitionTypes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(partitionTypes));
    schema = schema == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(schema));
  }

  /** Whether these are the {@link #DEFAULT} settings. */
  public boolean isDefault() {
    return equals(DEFAULT);
  }

  /** These settings with another time format. */
  public TableSettings withTimestampFormat(TimestampFormat format) {
    return new TableSettings(partitioning, partitionTypes, format, schema, iceberg);
  }

  /** These settings with another partitioning and declared partition types. */
  public TableSettings withPartitioning(Partitioning p, Map<String, ScalarType> types) {
    return new TableSettings(p, types, timestampFormat, schema, iceberg);
  }

  /** These settings with declared columns. */
  public TableSettings withSchema(Map<String, ValueType> columns) {
    return new TableSettings(partitioning, partitionTypes, timestampFormat, columns, iceberg);
  }

  /** These settings for an Iceberg table. */
  public TableSettings withIceberg(IcebergTable table) {
    return new TableSettings(partitioning, partitionTypes, timestampFormat, schema, table);
  }
}
