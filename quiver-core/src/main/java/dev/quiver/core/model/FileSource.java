package dev.quiver.core.model;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A batch source over Parquet or CSV files.
 *
 * @param path a file or glob ({@code data/txns/*.parquet}), relative to the feature repo unless absolute
 * @param format how to read the files
 * @param createdColumn may be null
 */
public record FileSource(
    String name,
    String path,
    FileFormat format,
    String timestampColumn,
    String createdColumn,
    Map<String, String> fieldMapping,
    Metadata metadata)
    implements Source, java.io.Serializable {
  public FileSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(timestampColumn, "timestampColumn");
    fieldMapping =
        fieldMapping == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(fieldMapping));
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
  }

  /** This source itself: its files are its offline rows. */
  @Override
  public FileSource batch() {
    return this;
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
