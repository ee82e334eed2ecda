package dev.quiver.offline.duckdb;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import java.nio.file.Path;
import java.util.List;

/** DuckDB table functions reading files, and identifier quoting. */
final class Scans {
  private Scans() {}

  /** {@code read_parquet([...])} or {@code read_csv([...], auto_detect = true)}, with extra options. */
  static String scan(List<Path> files, FileFormat format, String options) {
    String list = SourceFiles.sqlList(files);
    String extra = options.isEmpty() ? "" : ", " + options;
    return switch (format) {
      case PARQUET -> "read_parquet(" + list + extra + ")";
      case CSV -> "read_csv(" + list + ", auto_detect = true" + extra + ")";
    };
  }

  static String scan(FileSource source, Path repoRoot) {
    return scan(SourceFiles.resolve(source, repoRoot), source.format(), "");
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
