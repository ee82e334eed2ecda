package dev.quiver.offline.spark;

import static org.apache.spark.sql.functions.col;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.DatasetDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructField;

/**
 * Writes a training set as one file, by one executor task, into a hidden directory beside the target
 * ({@code .NAME.quiver-tmp/}); the file is then moved onto the target, so readers never see a partial
 * file. One file, as {@link dev.quiver.core.offline.OfflineEngine#write} promises and saved datasets
 * need (they fingerprint it and compare reproductions byte for byte). Parquet timestamps are UTC
 * microseconds ({@code isAdjustedToUTC=true}, the session's {@code outputTimestampType}); CSV has a
 * header line, ISO-8601 UTC timestamps with six fraction digits and {@code Z}, lists as {@code [a, b]}
 * and bytes as hex.
 */
final class TrainingSetFile {
  static final String CSV_TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX";

  private TrainingSetFile() {}

  /** Writes {@code rows} (already ordered) to {@code out}; returns the number of rows written. */
  static long write(Dataset<Row> rows, Path out, FileFormat format) {
    Path target = out.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + ".quiver-tmp");
    try {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      DatasetDirectory.deleteTree(temp);
      Dataset<Row> one = (format == FileFormat.CSV ? csvReady(rows) : rows).coalesce(1);
      SparkWrites.run(rows.sparkSession().sparkContext(), () -> {
        switch (format) {
          case PARQUET -> one.write().mode(SaveMode.Overwrite).parquet(temp.toString());
          case CSV -> one.write().mode(SaveMode.Overwrite).option("header", "true").option("timestampFormat", CSV_TIMESTAMP)
              .option("emptyValue", "\"\"").csv(temp.toString());
        }
      });
      Path part;
      try (Stream<Path> files = Files.list(temp)) {
        List<Path> parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
        if (parts.size() != 1) {
          throw new QuiverException("Spark wrote " + parts.size() + " files for the training set into " + temp + "; expected one");
        }
        part = parts.getFirst();
      }
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return rowsIn(rows, target, format);
    } catch (IOException e) {
      throw new QuiverException("cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      try {
        DatasetDirectory.deleteTree(temp);
      } catch (IOException ignored) {
        // best effort: a leftover hidden directory is harmless and replaced next time
      }
    }
  }

  private static long rowsIn(Dataset<Row> rows, Path file, FileFormat format) {
    return switch (format) {
      case PARQUET -> parquetRows(rows.sparkSession(), file);
      case CSV -> rows.sparkSession().read().option("header", "true").option("multiLine", "true")
          .csv(SparkScans.literalPath(file)).count();
    };
  }

  /** The rows of a Parquet file, from its footer. */
  static long parquetRows(org.apache.spark.sql.SparkSession spark, Path file) {
    try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), spark.sparkContext().hadoopConfiguration()))) {
      return reader.getRecordCount();
    } catch (IOException e) {
      throw new QuiverException("cannot read back " + file + " to count its rows: " + e.getMessage(), e);
    }
  }

  /** Lists and bytes, which Spark's CSV writer refuses, as text. */
  private static Dataset<Row> csvReady(Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Column c = col(SparkScans.quoted(f.name()));
      if (f.dataType() instanceof ArrayType a) {
        Column elements = functions.transform(c, x -> a.elementType() instanceof BinaryType ? functions.hex(x) : x.cast("string"));
        c = functions.when(c.isNull(), functions.lit(null).cast("string"))
            .otherwise(functions.concat(functions.lit("["), functions.array_join(elements, ", ", "NULL"), functions.lit("]")));
      } else if (f.dataType() instanceof BinaryType) {
        c = functions.hex(c);
      }
      columns.add(c.as(f.name()));
    }
    return rows.select(columns.toArray(Column[]::new));
  }
}
