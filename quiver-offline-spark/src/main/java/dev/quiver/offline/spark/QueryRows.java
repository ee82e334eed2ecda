package dev.quiver.offline.spark;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * The query rows of a training set as a Dataset: files (read as sources are, {@link SparkScans}) or
 * the result of a Spark SQL query over the project's sources, each visible as a temporary view named
 * after it (in a session of the query's own, so concurrent requests never see each other's views).
 */
final class QueryRows {
  /** The column holding a query row's place in input order (ascending, not necessarily consecutive). */
  static final String ID = "__quiver_id";

  private QueryRows() {}

  /** The query rows, columns normalized. */
  static Dataset<Row> read(SparkSession spark, QueryInput query, List<FileSource> tables, Path repoRoot) {
    return switch (query) {
      case QueryInput.Files f -> SparkScans.files(spark, files(f), f.format());
      case QueryInput.Sql s -> sql(spark, s, tables, repoRoot);
    };
  }

  /**
   * The query rows and {@link #ID}. Files: a row's position (files in path order, rows in file
   * order). SQL: the order the query returns, fixed once: the result is computed once and kept on
   * the executors (memory, then disk) so every join sees the same ids; {@code release} unpersists it.
   */
  static Dataset<Row> withIds(SparkSession spark, QueryInput query, List<FileSource> tables, Path repoRoot,
      List<Runnable> release) {
    return switch (query) {
      case QueryInput.Files f -> SparkScans.withPositions(spark, files(f), f.format())
          .withColumnRenamed(SparkScans.POSITION, ID);
      case QueryInput.Sql s -> {
        Dataset<Row> kept = sql(spark, s, tables, repoRoot).withColumn(ID, functions.monotonically_increasing_id())
            .persist(StorageLevel.MEMORY_AND_DISK());
        release.add(() -> kept.unpersist(false));
        yield kept;
      }
    };
  }

  private static List<Path> files(QueryInput.Files f) {
    return SourceFiles.resolve("query rows", f.path(), f.format(), Path.of(""));
  }

  private static Dataset<Row> sql(SparkSession spark, QueryInput.Sql query, List<FileSource> tables, Path repoRoot) {
    List<FileSource> read = QuerySql.check(spark, query, repoRoot).read(tables);
    SparkSession own = SparkSessions.isolated(spark);
    for (FileSource t : read) {
      SparkScans.table(own, t, repoRoot).createOrReplaceTempView(t.name());
    }
    try {
      return own.sql(query.sql());
    } catch (RuntimeException e) {
      throw new InvalidRequestException("the query rows' SQL (Spark SQL) cannot run: " + SparkSessions.firstLine(e.getMessage()));
    }
  }
}
