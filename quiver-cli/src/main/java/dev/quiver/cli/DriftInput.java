package dev.quiver.cli;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.DatasetRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One side of {@code quiver monitor drift}: a saved training set's output or a Parquet/CSV file or
 * directory of Parquet files (or a partitioned tree of them, such as feature logs), read with DuckDB one column at a time. A numeric column is held as
 * its non-null values (8 bytes a row) while it is compared; categories as counts per value, grouped
 * by DuckDB.
 */
final class DriftInput {
  /** A column of this side as drift sees it. */
  enum ColumnKind {
    NUMERIC,
    CATEGORICAL,
    TIMESTAMP,
    OTHER
  }

  /** One column's non-null values and null count. */
  record Numbers(double[] values, long nulls) {}

  /** One column's count per non-null value and null count. */
  record Counts(Map<String, Long> counts, long nulls) {}

  final String label;
  final DatasetRecord record;
  private final String scan;
  private final Connection duckdb;
  private final Map<String, String> types = new LinkedHashMap<>();

  private DriftInput(String label, DatasetRecord record, String scan, Connection duckdb) {
    this.label = label;
    this.record = record;
    this.scan = scan;
    this.duckdb = duckdb;
    try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + scan)) {
      while (rs.next()) {
        types.put(rs.getString(1), rs.getString(2));
      }
    } catch (SQLException e) {
      throw new QuiverException(label + " cannot be read: " + firstLine(e));
    }
  }

  /** A saved training set's output, read where the record says it was written. */
  static DriftInput dataset(DatasetRecord d, Path repoRoot, Connection duckdb) {
    boolean directory = d.output().endsWith("/");
    Path out = repoRoot.toAbsolutePath().resolve(directory ? d.output().substring(0, d.output().length() - 1) : d.output());
    if (!Files.exists(out)) {
      throw new QuiverException("dataset '" + d.name() + "': its output " + d.output() + " is gone; write it again with"
          + " quiver datasets reproduce " + d.name() + " --out " + d.output());
    }
    String kind = d.outputFormat() == dev.quiver.core.model.FileFormat.CSV ? "csv" : "parquet";
    return new DriftInput("dataset '" + d.name() + "' (" + d.output() + ")", d, scan(out, kind), duckdb);
  }

  /** A Parquet or CSV file, or a directory of Parquet files. */
  static DriftInput path(Path p, Connection duckdb) {
    if (Files.isDirectory(p)) {
      boolean top;
      try (Stream<Path> files = Files.list(p)) {
        top = files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
      } catch (IOException e) {
        throw new QuiverException("cannot list " + p + ": " + e.getMessage());
      }
      if (top) {
        return new DriftInput(p.toString(), null, scan(p, "parquet"), duckdb);
      }
      // no part files at the top: a partitioned tree such as feature logs (SERVICE/date=YYYY-MM-DD/part-....parquet)
      try (Stream<Path> files = Files.walk(p)) {
        if (files.noneMatch(f -> f.getFileName().toString().endsWith(".parquet"))) {
          throw new InvalidRequestException(p + " holds no .parquet files; give a training set directory, a directory of feature logs,"
              + " a .parquet or a .csv file");
        }
      } catch (IOException e) {
        throw new QuiverException("cannot list " + p + ": " + e.getMessage());
      }
      String glob = p.toAbsolutePath().normalize() + "/**/*.parquet";
      return new DriftInput(p.toString(), null, "read_parquet(" + literal(glob) + ", hive_partitioning = true, union_by_name = true)", duckdb);
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    String kind = name.endsWith(".parquet") ? "parquet" : name.endsWith(".csv") ? "csv" : null;
    if (kind == null) {
      throw new InvalidRequestException(p + " is neither a .parquet nor a .csv file; give one, a directory of .parquet files,"
          + " or a saved dataset's name (quiver datasets list)");
    }
    return new DriftInput(p.toString(), null, scan(p, kind), duckdb);
  }

  private static String scan(Path p, String kind) {
    String abs = p.toAbsolutePath().normalize().toString();
    if (Files.isDirectory(p)) {
      return "read_parquet(" + literal(abs + "/*.parquet") + ")";
    }
    return kind.equals("csv") ? "read_csv(" + literal(abs) + ", auto_detect = true)" : "read_parquet(" + literal(abs) + ")";
  }

  /** The columns, in file order. */
  List<String> columns() {
    return List.copyOf(types.keySet());
  }

  boolean has(String column) {
    return types.containsKey(column);
  }

  String type(String column) {
    return types.get(column);
  }

  ColumnKind kind(String column) {
    String t = types.get(column).toUpperCase(Locale.ROOT);
    if (t.startsWith("DECIMAL") || List.of("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE").contains(t)) {
      return ColumnKind.NUMERIC;
    }
    if (t.equals("VARCHAR") || t.equals("BOOLEAN")) {
      return ColumnKind.CATEGORICAL;
    }
    if (t.startsWith("TIMESTAMP") || t.equals("DATE") || t.startsWith("TIME")) {
      return ColumnKind.TIMESTAMP;
    }
    return ColumnKind.OTHER;
  }

  /** The rows of this side. */
  long rows() {
    try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + scan)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new QuiverException(label + " cannot be read: " + firstLine(e));
    }
  }

  /** A numeric column's non-null values; NaN counts as null. */
  Numbers numbers(String column) {
    String v = "CAST(" + identifier(column) + " AS DOUBLE)";
    try (Statement s = duckdb.createStatement()) {
      long nonNull;
      long nulls;
      try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE " + v + " IS NOT NULL AND NOT isnan(" + v + ")),"
          + " count(*) FILTER (WHERE " + v + " IS NULL OR isnan(" + v + ")) FROM " + scan)) {
        rs.next();
        nonNull = rs.getLong(1);
        nulls = rs.getLong(2);
      }
      if (nonNull > Integer.MAX_VALUE - 8) {
        throw new QuiverException(label + ": column " + column + " has " + nonNull + " values, more than one array holds");
      }
      double[] values = new double[(int) nonNull];
      int i = 0;
      try (ResultSet rs = s.executeQuery("SELECT " + v + " FROM " + scan + " WHERE " + v + " IS NOT NULL AND NOT isnan(" + v + ")")) {
        while (rs.next() && i < values.length) {
          values[i++] = rs.getDouble(1);
        }
      }
      return new Numbers(i == values.length ? values : java.util.Arrays.copyOf(values, i), nulls);
    } catch (SQLException e) {
      throw new QuiverException(label + ": column " + column + " cannot be read as numbers: " + firstLine(e));
    }
  }

  /** A string or boolean column's count per value. */
  Counts counts(String column) {
    String c = identifier(column);
    Map<String, Long> counts = new HashMap<>();
    long nulls = 0;
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("SELECT CAST(" + c + " AS VARCHAR), count(*) FROM " + scan + " GROUP BY 1")) {
      while (rs.next()) {
        String value = rs.getString(1);
        if (value == null) {
          nulls = rs.getLong(2);
        } else {
          counts.put(value, rs.getLong(2));
        }
      }
      return new Counts(counts, nulls);
    } catch (SQLException e) {
      throw new QuiverException(label + ": column " + column + " cannot be read: " + firstLine(e));
    }
  }

  /** A time column as UTC epoch microseconds, for grouping by time bucket. */
  private static String micros(String timeColumn) {
    return "epoch_us(CAST(" + identifier(timeColumn) + " AS TIMESTAMP))";
  }

  private static String bucket(String timeColumn, long widthMicros) {
    return "(" + micros(timeColumn) + " // " + widthMicros + ") * " + widthMicros;
  }

  /** The earliest and latest value of a time column as UTC epoch microseconds; null when it has none. */
  long[] timeRange(String timeColumn) {
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("SELECT min(" + micros(timeColumn) + "), max(" + micros(timeColumn) + ") FROM " + scan)) {
      rs.next();
      long min = rs.getLong(1);
      return rs.wasNull() ? null : new long[] {min, rs.getLong(2)};
    } catch (SQLException e) {
      throw new QuiverException(label + ": time column " + timeColumn + " cannot be read: " + firstLine(e));
    }
  }

  /** Rows per time bucket (start as epoch microseconds, buckets aligned to the epoch, so days to UTC midnight). */
  java.util.TreeMap<Long, Long> rowsPerBucket(String timeColumn, long widthMicros) {
    java.util.TreeMap<Long, Long> out = new java.util.TreeMap<>();
    try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery("SELECT " + bucket(timeColumn, widthMicros)
        + " AS b, count(*) FROM " + scan + " WHERE " + identifier(timeColumn) + " IS NOT NULL GROUP BY b")) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getLong(2));
      }
      return out;
    } catch (SQLException e) {
      throw new QuiverException(label + ": time column " + timeColumn + " cannot be read: " + firstLine(e));
    }
  }

  /**
   * Per time bucket, a numeric column's non-null values counted in the bins of {@code edges} as
   * {@link dev.quiver.core.monitor.DriftStatistics#histogram} counts them (a value's bin is the
   * number of edges below it); grouped by DuckDB.
   */
  java.util.TreeMap<Long, long[]> histogramsPerBucket(String column, String timeColumn, long widthMicros, double[] edges) {
    String v = "CAST(" + identifier(column) + " AS DOUBLE)";
    StringBuilder bin = new StringBuilder();
    for (double e : edges) {
      bin.append(bin.isEmpty() ? "" : " + ").append("CAST(").append(v).append(" > CAST('").append(e).append("' AS DOUBLE) AS INTEGER)");
    }
    java.util.TreeMap<Long, long[]> out = new java.util.TreeMap<>();
    try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery("SELECT " + bucket(timeColumn, widthMicros) + " AS b, "
        + (edges.length == 0 ? "0" : bin) + " AS bin, count(*) FROM " + scan + " WHERE " + identifier(timeColumn) + " IS NOT NULL AND "
        + v + " IS NOT NULL AND NOT isnan(" + v + ") GROUP BY b, bin")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getLong(1), k -> new long[edges.length + 1])[rs.getInt(2)] += rs.getLong(3);
      }
      return out;
    } catch (SQLException e) {
      throw new QuiverException(label + ": column " + column + " cannot be read as numbers: " + firstLine(e));
    }
  }

  /** Per time bucket, a string or boolean column's count per non-null value; grouped by DuckDB. */
  java.util.TreeMap<Long, Map<String, Long>> countsPerBucket(String column, String timeColumn, long widthMicros) {
    java.util.TreeMap<Long, Map<String, Long>> out = new java.util.TreeMap<>();
    String c = identifier(column);
    try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery("SELECT " + bucket(timeColumn, widthMicros)
        + " AS b, CAST(" + c + " AS VARCHAR), count(*) FROM " + scan + " WHERE " + identifier(timeColumn) + " IS NOT NULL AND "
        + c + " IS NOT NULL GROUP BY ALL")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
      }
      return out;
    } catch (SQLException e) {
      throw new QuiverException(label + ": column " + column + " cannot be read: " + firstLine(e));
    }
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String identifier(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  private static String firstLine(SQLException e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
