package dev.quiver.offline.duckdb;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.util.List;

/** DuckDB table functions reading files, file and identifier quoting. */
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
    return scan(SourceFiles.resolve(source, repoRoot), source.format(), "");
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
