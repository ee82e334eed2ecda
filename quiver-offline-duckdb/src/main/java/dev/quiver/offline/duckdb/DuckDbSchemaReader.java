package dev.quiver.offline.duckdb;

import dev.quiver.core.spi.SourceFiles;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.spi.SourceSchemaReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.duckdb.DuckDBDriver;

/**
 * Reads the columns of Parquet and CSV sources with DuckDB.
 *
 * <p>The source's path (a file or a glob, relative to the feature repo unless absolute) is expanded
 * to a sorted list of files, then DuckDB describes {@code read_parquet([files])} or {@code
 * read_csv([files], auto_detect = true)}. Columns come back in file order with their DuckDB
 * spelling kept as {@link SourceColumn#nativeType()}; their Quiver types are:
 *
 * <ul>
 *   <li>BIGINT, HUGEINT, UINTEGER → int64; INTEGER, SMALLINT, TINYINT, USMALLINT, UTINYINT → int32
 *   <li>DOUBLE, DECIMAL → float64; FLOAT → float32
 *   <li>BOOLEAN → bool; VARCHAR → string; BLOB → bytes
 *   <li>TIMESTAMP (any precision, with or without time zone) and DATE → timestamp
 *   <li>{@code T[]} or {@code T[n]} of a scalar above → {@code list<T>}
 *   <li>anything else (UBIGINT, TIME, INTERVAL, UUID, STRUCT, MAP, nested lists, ...) → a null
 *       type, so the validator can name the column and its native type
 * </ul>
 *
 * <p>With several Parquet files the schema is the first file's (as DuckDB reads it) and every
 * other file's footer is read too, so a damaged file anywhere in the glob is reported. CSV files
 * are sniffed from the first file only. Files under {@code key=value/} directories gain those
 * columns, as they do when the engine reads them: always for a dataset directory or {@code
 * partitioning: hive} (typed as {@code partition_types} declares, else as DuckDB infers: integers
 * BIGINT, dates DATE, else VARCHAR), never for {@code partitioning: none}, and by DuckDB's own
 * detection otherwise. A source that is not local files (an Iceberg table, a URI) is refused.
 *
 * <p>Thread-safe: each call opens its own in-memory DuckDB connection and closes it before
 * returning. Calls block on file I/O.
 */
public final class DuckDbSchemaReader implements SourceSchemaReader {

  private static final Driver DRIVER = new DuckDBDriver();

  /** Creates a reader; it holds no resources. Used by {@link java.util.ServiceLoader}. */
  public DuckDbSchemaReader() {}

  /**
   * {@inheritDoc}
   *
   * @throws SourceDataException when the path is a directory or a URL, when no file matches (the
   *     message names the directory searched), or when a file cannot be read as the source's format
   *     (the message names the file and carries DuckDB's reason)
   * @throws NullPointerException if an argument is null
   */
  @Override
  public List<SourceColumn> columns(FileSource source, Path repoRoot) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(repoRoot, "repoRoot");
    List<Path> files = Scans.files(source, repoRoot);
    String list = Scans.sqlList(files);
    String scan = Scans.scan(files, source.format(), Scans.partitionOptions(source, repoRoot));
    try (Connection connection = openInMemory()) {
      List<SourceColumn> columns = describe(connection, scan);
      if (files.size() > 1 && source.format() == FileFormat.PARQUET) {
        readFooters(connection, list);
      }
      return columns;
    } catch (SQLException e) {
      throw unreadable(source, repoRoot, files, e);
    }
  }

  static Connection openInMemory() throws SQLException {
    return openInMemory(false);
  }

  /** A fresh in-memory database; {@code stream}: query results are streamed to the reader (DuckDB's {@code jdbc_stream_results}). */
  static Connection openInMemory(boolean stream) throws SQLException {
    Properties properties = new Properties();
    if (stream) {
      properties.setProperty("jdbc_stream_results", "true");
    }
    Connection connection = DRIVER.connect("jdbc:duckdb:", properties);
    if (connection == null) {
      throw new SQLException("the DuckDB driver refused the URL jdbc:duckdb:");
    }
    return connection;
  }

  static List<SourceColumn> describe(Connection connection, String scan)
      throws SQLException {
    List<SourceColumn> columns = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("DESCRIBE SELECT * FROM " + scan)) {
      while (rows.next()) {
        String name = rows.getString("column_name");
        String nativeType = rows.getString("column_type");
        columns.add(new SourceColumn(name, DuckDbTypes.toQuiver(nativeType), nativeType));
      }
    }
    return List.copyOf(columns);
  }

  /** Reads every file's footer; DuckDB's DESCRIBE of a list looks at the first file only. */
  private static void readFooters(Connection connection, String list) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT file_name FROM parquet_file_metadata(" + list + ")")) {
      while (rows.next()) {
        // reading the rows is the check
      }
    }
  }

  /** A source's files that DuckDB could not read, naming the file its reason names (or the only one). */
  static SourceDataException unreadable(
      FileSource source, Path repoRoot, List<Path> files, SQLException e) {
    String reason = reason(e.getMessage());
    String what = source.path();
    for (Path file : files) {
      if (reason.contains(file.toAbsolutePath().toString())) {
        what = SourceFiles.display(file, repoRoot);
        break;
      }
    }
    if (files.size() == 1) {
      what = SourceFiles.display(files.get(0), repoRoot);
    }
    return new SourceDataException(source.name(), what,
        "source '" + source.name() + "': cannot read " + what + " as "
            + source.format().spelling() + ": " + reason,
        e);
  }

  /**
   * The useful part of a DuckDB error: at most two lines, without the echoed SQL, the raw bytes of
   * a bad CSV line, or the list of suggestions.
   */
  static String reason(String message) {
    if (message == null || message.isBlank()) {
      return "DuckDB gave no reason";
    }
    List<String> kept = new ArrayList<>();
    for (String line : message.split("\\R")) {
      String l = line.strip();
      if (l.startsWith("LINE ") || l.startsWith("Possible")) {
        break;
      }
      if (!l.isEmpty() && !l.startsWith("Original Line:")) {
        kept.add(l);
      }
      if (kept.size() == 2) {
        break;
      }
    }
    return kept.isEmpty() ? message.strip() : String.join(" ", kept);
  }
}
