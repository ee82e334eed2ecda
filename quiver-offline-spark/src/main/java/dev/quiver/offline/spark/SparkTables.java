package dev.quiver.offline.spark;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How a source's folders add columns when Spark reads its files, as the DuckDB engine reads them
 * ({@code Scans.partitionOptions}): {@code partitioning: hive}, and a dataset directory under the
 * default {@code auto}, read {@code key=value/} folders as columns (Spark's partition discovery from
 * {@code basePath}); {@code none} reads none; for a glob under {@code auto}, folders count when every
 * file below the glob's directory sits in a {@code key=value/} folder (DuckDB's detection). Declared
 * {@code partition_types} give those columns their types; others are inferred by Spark (a date as a
 * date, an integer as an integer, else a string, as DuckDB infers them).
 */
final class SparkTables {
  /** Plain files: no partition columns. */
  static final Read PLAIN = new Read(null, Map.of());

  private SparkTables() {}

  /**
   * How to read files.
   *
   * @param basePath the directory whose {@code key=value/} folders below are columns, or null for none
   * @param partitionTypes declared types of partition columns, by name
   */
  record Read(String basePath, Map<String, ScalarType> partitionTypes) {
    /** The reader with {@code basePath} set when there is one. */
    DataFrameReader options(DataFrameReader reader) {
      return basePath == null ? reader : reader.option("basePath", basePath);
    }

    /** {@code inferred} with the declared partition types; {@code inferred} itself when none apply. */
    StructType declared(StructType inferred) {
      if (basePath == null || partitionTypes.isEmpty()) {
        return inferred;
      }
      Map<String, ScalarType> byName = new LinkedHashMap<>();
      partitionTypes.forEach((k, v) -> byName.put(k.toLowerCase(Locale.ROOT), v));
      boolean changed = false;
      StructField[] fields = inferred.fields().clone();
      for (int i = 0; i < fields.length; i++) {
        ScalarType t = byName.get(fields[i].name().toLowerCase(Locale.ROOT));
        if (t != null) {
          fields[i] = new StructField(fields[i].name(), SparkTypes.toSpark(t), true, fields[i].metadata());
          changed = true;
        }
      }
      return changed ? new StructType(fields) : inferred;
    }
  }

  /** How to read the source's files ({@link SourceFiles#resolve(FileSource, Path)} listed them). */
  static Read read(FileSource source, Path repoRoot, List<Path> files) {
    Partitioning p = source.table().partitioning();
    if (p == Partitioning.NONE) {
      return PLAIN;
    }
    Path root = repoRoot.toAbsolutePath().normalize();
    if (SourceFiles.isDataset(source, repoRoot)) {
      return new Read(root.resolve(source.path()).normalize().toString(), source.table().partitionTypes());
    }
    Path dir = SourceFiles.isGlob(source.path()) ? SourceFiles.globDirectory(source.path(), root)
        : root.resolve(source.path()).normalize().getParent();
    boolean hive = p == Partitioning.HIVE || files.stream().allMatch(f -> inKeyValueFolder(dir, f));
    return hive && dir != null ? new Read(dir.toString(), source.table().partitionTypes()) : PLAIN;
  }

  private static boolean inKeyValueFolder(Path dir, Path file) {
    if (dir == null || !file.startsWith(dir)) {
      return false;
    }
    Path rel = dir.relativize(file);
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      String part = rel.getName(i).toString();
      if (part.indexOf('=') > 0) {
        return true;
      }
    }
    return false;
  }
}
