package dev.quiver.offline.duckdb;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * DuckDB table functions reading files (with a source's partitioning options), the refusal of
 * sources that are not local files, file and identifier quoting.
 */
final class Scans {
  private Scans() {}

  /** {@code read_parquet([...])} or {@code read_csv([...], auto_detect = true)}, with extra options. */
  static String scan(List<Path> files, FileFormat format, String options) {
    String list = sqlList(files);
    String extra = options.isEmpty() ? "" : ", " + options;
    return switch (format) {
      case PARQUET -> "read_parquet(" + list + extra + ")";
      case CSV -> "read_csv(" + list + ", auto_detect = true" + extra + ")";
    };
  }

  static String scan(FileSource source, Path repoRoot) {
    return scan(files(source, repoRoot), source.format(), partitionOptions(source, repoRoot));
  }

  /**
   * The source's files ({@link SourceFiles#resolve(FileSource, Path)}), after refusing a source
   * that is not local files with one line that says which engine reads it.
   */
  static List<Path> files(FileSource source, Path repoRoot) {
    requireLocal(source);
    return SourceFiles.resolve(source, repoRoot);
  }

  /**
   * Refuses an Iceberg table or files at a URI: this engine reads local files. Files at a URI are
   * the Spark engine's; an Iceberg table no engine reads yet (docs/spark.md, "Table sources").
   */
  static void requireLocal(FileSource source) {
    if (source.isLocal()) {
      return;
    }
    if (source.isIceberg()) {
      throw new SourceDataException(source.name(), source.path(), "source '" + source.name() + "' is an Iceberg table ("
          + source.path() + "); the DuckDB engine reads local files; use offline: {engine: spark}, which reads Iceberg"
          + " tables (docs/spark.md, \"Table sources\")");
    }
    throw new SourceDataException(source.name(), source.path(), "source '" + source.name() + "' is at " + source.path()
        + "; the DuckDB engine reads local files; use offline: {engine: spark}");
  }

  /**
   * The reader options for the source's folders: {@code hive_partitioning = true} (with declared
   * {@code hive_types}) for {@code partitioning: hive} and for a dataset directory, {@code false} for
   * {@code none}; nothing otherwise (DuckDB detects {@code key=value} folders itself).
   */
  static String partitionOptions(FileSource source, Path repoRoot) {
    TableSettings t = source.table();
    boolean hive = t.partitioning() == Partitioning.HIVE
        || t.partitioning() == Partitioning.AUTO && SourceFiles.isDataset(source, repoRoot);
    if (t.partitioning() == Partitioning.NONE) {
      return "hive_partitioning = false";
    }
    if (!hive) {
      return "";
    }
    StringBuilder options = new StringBuilder("hive_partitioning = true");
    if (!t.partitionTypes().isEmpty()) {
      options.append(", hive_types = {");
      int i = 0;
      for (var e : t.partitionTypes().entrySet()) {
        options.append(i++ == 0 ? "" : ", ").append(literal(e.getKey())).append(": ").append(DuckDbValues.type(e.getValue()));
      }
      options.append('}');
    }
    return options.toString();
  }

  /** Joins reader options, skipping empty ones. */
  static String options(String... parts) {
    StringBuilder out = new StringBuilder();
    for (String p : parts) {
      if (!p.isEmpty()) {
        out.append(out.isEmpty() ? "" : ", ").append(p);
      }
    }
    return out.toString();
  }

  /** A DuckDB list literal of the files, e.g. {@code ['/a/x.parquet', '/a/it''s.parquet']}. */
  static String sqlList(List<Path> files) {
    StringBuilder sql = new StringBuilder("[");
    for (int i = 0; i < files.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(sqlPath(files.get(i)));
    }
    return sql.append(']').toString();
  }

  /**
   * A DuckDB string literal naming exactly this file: single quotes doubled, and glob characters
   * bracketed so that DuckDB matches them literally ({@code [} becomes {@code [[]}): DuckDB would
   * expand them again, and a file literally named {@code it's [a]*.parquet} must be read as that file
   * and nothing else.
   */
  static String sqlPath(Path file) {
    String path = file.toAbsolutePath().toString();
    StringBuilder literal = new StringBuilder(path.length() + 2).append('\'');
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      switch (c) {
        case '\'' -> literal.append("''");
        case '[' -> literal.append("[[]");
        case '*' -> literal.append("[*]");
        case '?' -> literal.append("[?]");
        default -> literal.append(c);
      }
    }
    return literal.append('\'').toString();
  }

  /** A double-quoted SQL identifier. */
  static String id(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A single-quoted SQL string literal. */
  static String literal(String text) {
    return '\'' + text.replace("'", "''") + '\'';
  }
}
