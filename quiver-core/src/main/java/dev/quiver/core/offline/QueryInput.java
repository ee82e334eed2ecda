package dev.quiver.core.offline;

import dev.quiver.core.model.FileFormat;
import java.util.Objects;

/**
 * Where the query rows of a training set come from: files, or a SQL query over the project's
 * sources (each source is visible as a table named after it).
 */
public sealed interface QueryInput extends java.io.Serializable permits QueryInput.Files, QueryInput.Sql {

  /** A short description for messages and the dataset record. */
  String describe();

  /**
   * Parquet or CSV files.
   *
   * @param path a file or glob; relative paths resolve against the working directory
   */
  record Files(String path, FileFormat format) implements QueryInput {
    public Files {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(format, "format");
    }

    /** Files whose format follows from the extension; throws IllegalArgumentException otherwise. */
    public static Files of(String path) {
      return new Files(path, FileFormat.fromPath(path).orElseThrow(() -> new IllegalArgumentException(
          "cannot tell the format of '" + path + "' from its name; use a .parquet or .csv file")));
    }

    @Override
    public String describe() {
      return path;
    }
  }

  /**
   * A SQL query (the offline engine's dialect) whose result rows are the query rows: exactly one
   * {@code SELECT} (a {@code WITH ... SELECT} is one), checked before it runs; any other statement
   * is refused. It may read files inside the feature repo besides the sources' tables; files outside
   * it (absolute paths elsewhere, {@code ../}, symbolic links leading out, URLs) only with {@code
   * allowExternalFiles}.
   *
   * @param allowExternalFiles let the query read files outside the feature repo
   */
  record Sql(String sql, boolean allowExternalFiles) implements QueryInput {
    public Sql {
      Objects.requireNonNull(sql, "sql");
    }

    /** A query that reads no files outside the feature repo. */
    public Sql(String sql) {
      this(sql, false);
    }

    @Override
    public String describe() {
      return "sql: " + sql;
    }
  }
}
