package dev.quiver.offline.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.spi.SourceFiles;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads Parquet and CSV files into Datasets, with each row's position in the tie order of DESIGN §3:
 * files in sorted path order ({@link SourceFiles#resolve} expands globs and sorts, for every engine),
 * rows in file order. The position is one {@code bigint}, the file's index in the bits above {@link
 * #FILE_SHIFT} and the row's number in its file below:
 *
 * <ul>
 *   <li>Parquet: Spark's {@code _metadata.row_index}, the row's number in its file whatever split
 *       reads it.
 *   <li>CSV: read with {@code multiLine}, so no file is split (it is also what reads quoted line
 *       breaks); within a partition a file's rows come in file order, numbered as they pass.
 * </ul>
 *
 * <p>CSV columns are typed by Spark's inference; integers are read as {@code bigint} as DuckDB
 * sniffs them. Every column is {@linkplain SparkTypes#normalize normalized}.
 */
final class SparkScans {
  /** The column holding a row's position. */
  static final String POSITION = "__quiver_pos";
  /** The bits of a position below the file index. */
  static final int FILE_SHIFT = 40;
  private static final String FILE = "__quiver_file";

  private SparkScans() {}

  /**
   * The source's rows (raw columns, normalized; its event and created columns converted to
   * timestamps by its {@link dev.quiver.core.model.TimestampFormat}) and {@link #POSITION}.
   */
  static Dataset<Row> source(SparkSession spark, FileSource source, Path repoRoot) {
    return source(spark, source, repoRoot, SparkRemoteFiles.of(spark, source, repoRoot));
  }

  /**
   * As {@link #source(SparkSession, FileSource, Path)}, over files already listed: {@code remote} for
   * an Iceberg table or a URI ({@link SparkRemoteFiles#of}), null for local files.
   */
  static Dataset<Row> source(SparkSession spark, FileSource source, Path repoRoot, SparkRemoteFiles remote) {
    Dataset<Row> rows;
    if (remote != null) {
      try {
        rows = withPositions(spark, remote.paths().toArray(String[]::new), remote.keys(), null, source.format(), remote.read(),
            remote.schema(), remote.partitionValues());
      } catch (RuntimeException e) {
        throw new SourceDataException(source.name(), source.path(), "source '" + source.name() + "' (" + source.path()
            + "): Spark cannot read its files: " + SparkSessions.firstLine(e.getMessage()), e);
      }
      return SparkTimes.converted(rows, source);
    }
    List<Path> files = SourceFiles.resolve(source, repoRoot);
    try {
      rows = withPositions(spark, files, source.format(), SparkTables.read(source, repoRoot, files));
    } catch (RuntimeException e) {
      throw new SourceDataException(source.name(), source.path(), "source '" + source.name() + "' (" + source.path()
          + "): Spark cannot read its files: " + SparkSessions.firstLine(e.getMessage()), e);
    }
    return SparkTimes.converted(rows, source);
  }

  /** The source's rows, raw columns normalized, without positions (what a SQL query sees). */
  static Dataset<Row> table(SparkSession spark, FileSource source, Path repoRoot) {
    SparkRemoteFiles remote = SparkRemoteFiles.of(spark, source, repoRoot);
    try {
      if (remote != null) {
        Dataset<Row> raw = reader(spark, remote.paths().toArray(String[]::new), null, source.format(), remote.read(),
            remote.schema());
        return raw.select(normalizedColumns(raw.schema(), source.format(), remote.partitionValues()).toArray(Column[]::new));
      }
      List<Path> files = SourceFiles.resolve(source, repoRoot);
      return normalized(reader(spark, files, source.format(), SparkTables.read(source, repoRoot, files)), source.format());
    } catch (RuntimeException e) {
      throw new SourceDataException(source.name(), source.path(), "source '" + source.name() + "' (" + source.path()
          + "): Spark cannot read its files: " + SparkSessions.firstLine(e.getMessage()), e);
    }
  }

  /** The files' rows, normalized, without positions. */
  static Dataset<Row> files(SparkSession spark, List<Path> files, FileFormat format) {
    return normalized(reader(spark, files, format, SparkTables.PLAIN), format);
  }

  /** The files' rows (columns normalized) and their {@link #POSITION}. */
  static Dataset<Row> withPositions(SparkSession spark, List<Path> files, FileFormat format) {
    return withPositions(spark, files, format, SparkTables.PLAIN);
  }

  /** The files' rows read as {@code read} says (partition columns), columns normalized, and their {@link #POSITION}. */
  static Dataset<Row> withPositions(SparkSession spark, List<Path> files, FileFormat format, SparkTables.Read read) {
    return withPositions(spark, files.stream().map(SparkScans::literalPath).toArray(String[]::new),
        files.stream().map(SparkScans::sparkFilePath).toList(), fileKey(files), format, read, null, Map.of());
  }

  /**
   * The files' rows and positions: {@code paths} as Spark reads them, {@code keys} as its {@code
   * _metadata.file_path} names them (in position order), {@code schemaKey} what identifies the files'
   * versions for the schema cache (null: infer), {@code schema} the schema to read them with (null:
   * infer), {@code partitionValues} Iceberg identity-partition values for files without the column.
   */
  private static Dataset<Row> withPositions(SparkSession spark, String[] paths, List<String> keys, List<String> schemaKey,
      FileFormat format, SparkTables.Read read, StructType schema, Map<String, Map<String, Object>> partitionValues) {
    Dataset<Row> raw = reader(spark, paths, schemaKey, format, read, schema);
    Column file = col("_metadata.file_path");
    if (format == FileFormat.PARQUET) {
      Column index = functions.array_position(functions.array(keys.stream().map(functions::lit).toArray(Column[]::new)), file);
      Column position = functions.when(index.equalTo(0), functions.raise_error(functions.concat(
              lit("Spark read a file Quiver did not list: "), file)).cast(DataTypes.LongType))
          .otherwise(index.minus(1).cast(DataTypes.LongType).multiply(lit(1L << FILE_SHIFT)).plus(col("_metadata.row_index")));
      List<Column> columns = normalizedColumns(raw.schema(), format, partitionValues);
      columns.add(position.as(POSITION));
      return raw.select(columns.toArray(Column[]::new));
    }
    // CSV: number rows as they pass; a file is never split (multiLine), so they pass in file order
    Map<String, Long> index = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      index.put(keys.get(i), (long) i << FILE_SHIFT);
    }
    Dataset<Row> named = normalized(raw, format).withColumn(FILE, file);
    int width = named.schema().size() - 1;
    StructType out = new StructType(java.util.Arrays.copyOf(named.schema().fields(), width))
        .add(POSITION, DataTypes.LongType, false);
    return named.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new java.util.Iterator<>() {
      String current;
      long next;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row r = rows.next();
        String path = r.getString(width);
        if (!path.equals(current)) {
          Long base = index.get(path);
          if (base == null) {
            throw new IllegalStateException("Spark read a file Quiver did not list: " + path);
          }
          current = path;
          next = base;
        }
        Object[] values = new Object[width + 1];
        for (int i = 0; i < width; i++) {
          values[i] = r.get(i);
        }
        values[width] = next++;
        return RowFactory.create(values);
      }
    }, Encoders.row(out));
  }

  private static Dataset<Row> reader(SparkSession spark, List<Path> files, FileFormat format, SparkTables.Read read) {
    return reader(spark, files.stream().map(SparkScans::literalPath).toArray(String[]::new), fileKey(files), format, read, null);
  }

  private static Dataset<Row> reader(SparkSession spark, String[] paths, List<String> fileKey, FileFormat format,
      SparkTables.Read read, StructType given) {
    if (given != null) {
      return read.options(spark.read()).schema(given).parquet(paths);
    }
    return switch (format) {
      case PARQUET -> {
        // Spark infers a Parquet schema with a job; a request reads the same files several times
        List<String> key = fileKey == null ? null : new ArrayList<>(fileKey);
        if (key != null) {
          key.add("basePath " + read.basePath() + " " + read.partitionTypes());
        }
        StructType known = key == null ? null : PARQUET_SCHEMAS.get(key);
        if (known != null) {
          yield read.options(spark.read()).schema(known).parquet(paths);
        }
        Dataset<Row> inferred = read.options(spark.read()).parquet(paths);
        StructType schema = read.declared(inferred.schema());
        Dataset<Row> out = schema == inferred.schema() ? inferred : read.options(spark.read()).schema(schema).parquet(paths);
        if (key != null) {
          if (PARQUET_SCHEMAS.size() > 256) {
            PARQUET_SCHEMAS.clear();
          }
          PARQUET_SCHEMAS.put(key, schema);
        }
        yield out;
      }
      case CSV -> {
        Dataset<Row> inferred = read.options(spark.read()).option("header", "true").option("inferSchema", "true")
            .option("multiLine", "true").option("mode", "FAILFAST").csv(paths);
        StructType schema = read.declared(inferred.schema());
        yield schema == inferred.schema() ? inferred : read.options(spark.read()).option("header", "true")
            .option("multiLine", "true").option("mode", "FAILFAST").schema(schema).csv(paths);
      }
    };
  }

  /** Parquet schemas Spark inferred, by the files' paths, inodes, sizes and modification times. */
  private static final Map<List<String>, StructType> PARQUET_SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

  /** The files' paths, inodes, sizes and modification times (ns); null when one cannot be read. */
  private static List<String> fileKey(List<Path> files) {
    List<String> key = new ArrayList<>(files.size());
    try {
      for (Path f : files) {
        var a = java.nio.file.Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
        key.add(f.toAbsolutePath() + " " + a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
      }
    } catch (java.io.IOException e) {
      return null;
    }
    return key;
  }

  private static Dataset<Row> normalized(Dataset<Row> raw, FileFormat format) {
    return raw.select(normalizedColumns(raw.schema(), format, Map.of()).toArray(Column[]::new));
  }

  /** The columns normalized; those of {@code partitionValues} filled from it where a file lacks them. */
  private static List<Column> normalizedColumns(StructType schema, FileFormat format, Map<String, Map<String, Object>> partitionValues) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : schema.fields()) {
      Map<String, Object> byFile = partitionValues.get(f.name());
      Column c = byFile == null ? col(quoted(f.name())) : IcebergPartitionValues.filled(col(quoted(f.name())), byFile, f.dataType());
      if (format == FileFormat.CSV && f.dataType() instanceof IntegerType) {
        columns.add(c.cast(DataTypes.LongType).as(f.name())); // DuckDB sniffs integers as BIGINT
      } else {
        columns.add(SparkTypes.normalize(c, f.dataType()).as(f.name()));
      }
    }
    return columns;
  }

  /** A column name quoted for {@link functions#col}, which parses dots and backticks. */
  static String quoted(String name) {
    return '`' + name.replace("`", "``") + '`';
  }

  /** The file as Spark's path argument, its glob characters escaped so it names this file only. */
  static String literalPath(Path file) {
    String path = file.toAbsolutePath().toString();
    StringBuilder s = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if ("\\{}[]*?".indexOf(c) >= 0) {
        s.append('\\');
      }
      s.append(c);
    }
    return s.toString();
  }

  /** The file as Spark's {@code _metadata.file_path} names it: its URI, percent-encoded. */
  static String sparkFilePath(Path file) {
    try {
      URI uri = new URI("file", null, file.toAbsolutePath().toString(), null, null);
      return new org.apache.hadoop.fs.Path(uri).toUri().toString();
    } catch (URISyntaxException e) {
      throw new QuiverException("cannot name " + file + " for Spark: " + e.getMessage(), e);
    }
  }
}
