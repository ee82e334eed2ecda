package dev.quiver.core.model;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A batch source: Parquet or CSV files, a hive-partitioned Parquet dataset directory, files at a URI
 * an engine reads ({@code s3://}, {@code gs://}, {@code hdfs://}, {@code abfs://}), or an Apache
 * Iceberg table. {@link #table()} holds what goes beyond a file glob (partitioning, how times are
 * written, declared columns, the Iceberg table); the seven-argument constructor makes a plain one.
 *
 * @param path a file, glob ({@code data/txns/*.parquet}) or dataset directory ({@code data/events/}),
 *     relative to the feature repo unless absolute or a URI; for an Iceberg table, its identifier
 *     ({@code db.events}, the same as {@code table().iceberg().table()})
 * @param format how to read the files (Parquet for an Iceberg table)
 * @param createdColumn may be null
 * @param table the settings beyond a file glob; null means {@link TableSettings#DEFAULT}
 */
public record FileSource(
    String name,
    String path,
    FileFormat format,
    String timestampColumn,
    String createdColumn,
    Map<String, String> fieldMapping,
    Metadata metadata,
    TableSettings table)
    implements Source, java.io.Serializable {
  /** The URI schemes of file systems an engine such as Spark reads and this machine may not. */
  public static final java.util.List<String> REMOTE_SCHEMES = java.util.List.of("s3", "s3a", "gs", "hdfs", "abfs", "abfss");

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://.*");

  public FileSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(timestampColumn, "timestampColumn");
    fieldMapping =
        fieldMapping == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(fieldMapping));
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
    table = Objects.requireNonNullElse(table, TableSettings.DEFAULT);
  }

  /** A plain file or glob source ({@link TableSettings#DEFAULT}). */
  public FileSource(String name, String path, FileFormat format, String timestampColumn, String createdColumn,
      Map<String, String> fieldMapping, Metadata metadata) {
    this(name, path, format, timestampColumn, createdColumn, fieldMapping, metadata, TableSettings.DEFAULT);
  }

  /** This source with other table settings. */
  public FileSource withTable(TableSettings settings) {
    return new FileSource(name, path, format, timestampColumn, createdColumn, fieldMapping, metadata, settings);
  }

  /** This source itself: its files are its offline rows. */
  @Override
  public FileSource batch() {
    return this;
  }

  /** How the event and created columns are written. */
  public TimestampFormat timestampFormat() {
    return table.timestampFormat();
  }

  /** Whether this source is an Iceberg table ({@link TableSettings#iceberg()}). */
  public boolean isIceberg() {
    return table.iceberg() != null;
  }

  /** The path's URI scheme in lower case ({@code s3}), or null for a local path. */
  public String scheme() {
    if (isIceberg()) {
      return null;
    }
    return schemeOf(path);
  }

  /** A path's URI scheme in lower case ({@code s3} for {@code s3://bucket/x}), or null for a local path. */
  public static String schemeOf(String path) {
    Matcher m = SCHEME.matcher(path);
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  /**
   * Whether the source is files on this machine's file system: neither an Iceberg table nor a URI.
   * Only such sources are checked against their data at {@code plan}, fingerprinted, and read by
   * the embedded engine.
   */
  public boolean isLocal() {
    return !isIceberg() && scheme() == null;
  }

  /** How people name where the rows are: the path, or {@code iceberg table db.events}. */
  public String location() {
    return isIceberg() ? "iceberg table " + table.iceberg().table() : path;
  }

  /** The raw file column that {@link #fieldMapping()} renames to {@code mapped}, else {@code mapped} itself. */
  public String rawColumn(String mapped) {
    for (var e : fieldMapping.entrySet()) {
      if (e.getValue().equals(mapped)) {
        return e.getKey();
      }
    }
    return mapped;
  }
}
