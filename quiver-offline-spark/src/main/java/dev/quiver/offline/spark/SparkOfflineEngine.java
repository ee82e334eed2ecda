package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.LatestRowsWriter;
import dev.quiver.core.online.OnlineStoreOpener;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.offline.TileRowsWriter;
import dev.quiver.core.online.TileRowsJob;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * The Apache Spark offline engine: the executors scan the sources, partition them by key and run the
 * core sweeps; the driver plans and streams results. Thread-safe; every engine of a JVM shares its
 * session ({@link SparkSessions}), which closing an engine leaves running.
 */
final class SparkOfflineEngine implements OfflineEngine, LatestRowsWriter, TileRowsWriter {
  private final SparkSession spark;

  SparkOfflineEngine(SparkSession spark) {
    this.spark = spark;
  }

  SparkSession spark() {
    return spark;
  }

  /**
   * Makes the session this thread's active one: Spark reads its settings (the Java 8 time API the
   * row encoders rely on) from the active session, and a server's request threads have none.
   */
  private void active() {
    SparkSession.setActiveSession(spark);
  }

  @Override
  public List<SourceColumn> describe(QueryInput query, List<FileSource> tables, Path repoRoot) {
    active();
    Dataset<Row> rows = QueryRows.read(spark, query, tables, repoRoot);
    List<SourceColumn> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      columns.add(new SourceColumn(f.name(), SparkTypes.toQuiver(f.dataType()), f.dataType().simpleString()));
    }
    return columns;
  }

  @Override
  public List<FileSource> tablesRead(QueryInput.Sql query, List<FileSource> tables) {
    active();
    return QuerySql.check(spark, query, null).read(tables);
  }

  /** Spark SQL quotes identifiers with backticks. */
  @Override
  public String quoteIdentifier(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  @Override
  public PointInTimePlan pinned(PointInTimePlan plan, Path repoRoot) {
    active();
    java.util.Map<FileSource, FileSource> pins = new java.util.HashMap<>();
    return plan.withSources(s -> s.isIceberg() ? pins.computeIfAbsent(s, x -> SparkIcebergFiles.pinned(spark, x, repoRoot)) : s);
  }

  @Override
  public HistoricalRows rows(PointInTimePlan plan, Path repoRoot) {
    active();
    TrainingSetJob job = new TrainingSetJob(spark, plan, repoRoot);
    try {
      return new SparkRows(plan.columns(), job.result.toLocalIterator(), () -> job.release.forEach(Runnable::run));
    } catch (Exception e) { // Spark throws its checked SparkException too
      job.release.forEach(Runnable::run);
      throw failure(e, plan, repoRoot);
    }
  }

  /**
   * Writes the training set as one file (see {@link TrainingSetFile}): the executors compute it and
   * one task writes it, ordered; nothing passes through the driver.
   */
  @Override
  public long write(PointInTimePlan plan, Path repoRoot, Path out, FileFormat format, DoubleConsumer progress) {
    active();
    TrainingSetJob job = new TrainingSetJob(spark, plan, repoRoot);
    long rows;
    try (SparkProgress running = new SparkProgress(spark.sparkContext(), progress)) {
      rows = TrainingSetFile.write(job.result.drop(QueryRows.ID), out, format);
    } catch (Exception e) { // Spark throws its checked SparkException too
      throw failure(e, plan, repoRoot);
    } finally {
      job.release.forEach(Runnable::run);
    }
    progress.accept(100);
    return rows;
  }

  /**
   * Writes the training set as a Parquet dataset directory (see {@link TrainingSetDirectory}): one
   * part file per partition of the ordered result, written by the executors in parallel.
   */
  @Override
  public long writeDataset(PointInTimePlan plan, Path repoRoot, Path dir, DoubleConsumer progress) {
    active();
    DatasetDirectory.checkTarget(dir.toAbsolutePath());
    return writeDataset(new TrainingSetJob(spark, plan, repoRoot), plan, repoRoot, dir, progress);
  }

  /** Runs a training set job built (its sources listed) before: {@link #writeDataset}'s second half. */
  long writeDataset(TrainingSetJob job, PointInTimePlan plan, Path repoRoot, Path dir, DoubleConsumer progress) {
    long rows;
    try (SparkProgress running = new SparkProgress(spark.sparkContext(), progress)) {
      rows = TrainingSetDirectory.write(job.result.drop(QueryRows.ID), dir);
    } catch (Exception e) { // Spark throws its checked SparkException too
      throw failure(e, plan, repoRoot);
    } finally {
      job.release.forEach(Runnable::run);
    }
    progress.accept(100);
    return rows;
  }

  /** A failure while Spark ran a training set: Quiver's own exceptions as they are, Spark's named. */
  private static QuiverException failure(Exception e, PointInTimePlan plan, Path repoRoot) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof QuiverException q) {
        return q;
      }
    }
    var unreadable = SourceReadFailure.of(e, plan, repoRoot);
    if (unreadable.isPresent()) {
      return unreadable.get();
    }
    return new QuiverException("the offline engine (Spark) failed computing the training set for " + plan.query().describe()
        + ": " + dev.quiver.core.load.Secrets.redact(SparkSessions.firstLine(e.getMessage())), e);
  }

  @Override
  public HistoricalRows latestRows(LatestRowsPlan plan, Path repoRoot) {
    active();
    SparkLatestRows rows = new SparkLatestRows(spark, plan, repoRoot);
    return rows.stream(rows.latest(), rows.latestColumns());
  }

  @Override
  public HistoricalRows sourceRows(LatestRowsPlan plan, Path repoRoot) {
    active();
    return sourceRows(plan, repoRoot, false);
  }

  @Override
  public HistoricalRows sourceRowsWithPositions(LatestRowsPlan plan, Path repoRoot) {
    active();
    return sourceRows(plan, repoRoot, true);
  }

  @Override
  public Written writeLatestRows(LatestRowsPlan plan, Path repoRoot, OnlineStoreOpener store, String table,
      boolean replaceEqual, Progress progress) {
    active();
    return SparkOnlineWriter.write(spark, new SparkLatestRows(spark, plan, repoRoot), store, table, replaceEqual, progress);
  }

  @Override
  public TileRowsJob.Counts writeTileRows(TileRowsJob job, Path repoRoot, OnlineStoreOpener store, String table,
      Progress progress) {
    active();
    return SparkTileWriter.write(spark, new SparkLatestRows(spark, job.scan(), repoRoot), job, store, table, progress);
  }

  @Override
  public boolean writesTo(OnlineStoreOpener store) {
    return store.shared() || spark.sparkContext().isLocal();
  }

  private HistoricalRows sourceRows(LatestRowsPlan plan, Path repoRoot, boolean positions) {
    SparkLatestRows rows = new SparkLatestRows(spark, plan, repoRoot);
    Dataset<Row> sorted = rows.sorted(positions);
    return rows.stream(sorted, rows.sortedColumns(sorted, positions));
  }

  @Override
  public String explain(PointInTimePlan plan, Path repoRoot) {
    active();
    TrainingSetJob job = new TrainingSetJob(spark, plan, repoRoot);
    try {
      StringBuilder out = new StringBuilder("-- Spark (").append(dev.quiver.core.load.Secrets.redact(spark.sparkContext().master())).append("), step by step:\n");
      job.steps.forEach(s -> out.append("-- ").append(s).append('\n'));
      return out.append(job.result.queryExecution().logical().treeString()).toString();
    } finally {
      job.release.forEach(Runnable::run);
    }
  }

  @Override
  public HistoricalRows read(Path file, FileFormat format) {
    active();
    List<Path> files = SourceFiles.resolve("training set", file.toString(), format, Path.of(""));
    Dataset<Row> rows = SparkScans.files(spark, files, format);
    List<PointInTimePlan.Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      columns.add(new PointInTimePlan.Column(f.name(), SparkTypes.toQuiver(f.dataType())));
    }
    return new SparkRows(columns, rows.toLocalIterator(), () -> {});
  }

  /** Writes uploaded query rows to one local Parquet file with parquet-java, without a Spark job ({@link QueryRowsFile}). */
  @Override
  public long writeQueryRows(Path out, List<PointInTimePlan.Column> columns, java.util.Iterator<Object[]> rows) {
    return QueryRowsFile.write(out, columns, rows);
  }

  /** Appends a Parquet file beside the source's others on a local path or mount, without a Spark job ({@link ParquetAppender}). */
  @Override
  public Path appendToSource(FileSource source, Path repoRoot, List<String> columns, List<Object[]> rows) {
    return ParquetAppender.append(source, repoRoot, null, columns, rows, null);
  }

  @Override
  public Path appendToSource(FileSource source, Path repoRoot, List<String> columns, List<Object[]> rows, String tag) {
    return ParquetAppender.append(source, repoRoot, null, columns, rows, tag);
  }

  @Override
  public Path appendToSource(FileSource source, Path repoRoot, String fileName, List<String> columns, List<Object[]> rows) {
    java.util.Objects.requireNonNull(fileName, "fileName");
    return ParquetAppender.append(source, repoRoot, fileName, columns, rows, null);
  }

  @Override
  public void close() {
    // the session is shared by every engine of this JVM and stops when the JVM exits
  }
}
