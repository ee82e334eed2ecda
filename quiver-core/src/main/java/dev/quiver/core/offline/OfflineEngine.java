package dev.quiver.core.offline;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.spi.SourceColumn;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * Computes training sets from a {@link PointInTimePlan}. Implementations (DuckDB embedded, Spark
 * later) render the plan to their own language; they pass the offline contract suite of {@code
 * quiver-testkit}, which compares them with a naive reference on randomized data. Thread-safe; close
 * it to release connections.
 */
public interface OfflineEngine extends AutoCloseable {

  /**
   * The columns of the query rows, read cheaply (schemas, not data), so a request is checked before
   * heavy work starts.
   *
   * @param tables the sources a SQL query may read by name
   * @throws dev.quiver.core.QuiverException when the input cannot be read, naming it
   */
  List<SourceColumn> describe(QueryInput query, List<FileSource> tables, Path repoRoot);

  /**
   * The sources a SQL query reads by name, out of {@code tables}, after checking that it is one
   * {@code SELECT}: a training set fingerprints, and its engine opens, only those. A superset is
   * correct, only slower; this default returns every table.
   *
   * @throws dev.quiver.core.InvalidRequestException when the query is not exactly one {@code SELECT},
   *     naming the problem
   */
  default List<FileSource> tablesRead(QueryInput.Sql query, List<FileSource> tables) {
    return tables;
  }

  /**
   * {@code name} quoted as an identifier in this engine's SQL dialect, for SQL that Quiver itself
   * writes (a source read by name): DuckDB's double quotes by default.
   */
  default String quoteIdentifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** Streams the training set. The caller closes the result. */
  HistoricalRows rows(PointInTimePlan plan, Path repoRoot);

  /**
   * The training set as Arrow record batches made by the engine itself ({@link ArrowRows}), for
   * servers that send Arrow: the same rows and values as {@link #rows}, without converting each row.
   * Nothing runs until {@link ArrowRows#reader()}. This default returns empty; the caller then reads
   * {@link #rows} and converts.
   *
   * @param allocator an {@code org.apache.arrow.memory.BufferAllocator} (typed {@code Object}: core has
   *     no Arrow dependency)
   * @param batchRows the most rows in one batch
   */
  default java.util.Optional<ArrowRows> arrowRows(PointInTimePlan plan, Path repoRoot, Object allocator, int batchRows) {
    return java.util.Optional.empty();
  }

  /**
   * The plan with each source that has versions of its own pinned to the version it holds now (an
   * Iceberg table to its current snapshot, {@link dev.quiver.core.model.IcebergTable#snapshot()}), so
   * that a training set reads, and a saved dataset records, one version of each; a source already
   * pinned stays as it is. This default returns the plan unchanged: files have no versions an engine
   * can read back.
   *
   * @throws dev.quiver.core.SourceDataException when a source's current version cannot be read
   */
  default PointInTimePlan pinned(PointInTimePlan plan, Path repoRoot) {
    return plan;
  }

  /**
   * Writes the training set to {@code out}, replacing it atomically once complete. Timestamps are
   * written in UTC whatever their type in the query or the sources and whatever the machine's time
   * zone: in Parquet as UTC-adjusted microsecond timestamps ({@code isAdjustedToUTC=true}), in CSV
   * as ISO-8601 with six fraction digits and {@code Z} ({@code 2026-03-01T10:15:00.123456Z}).
   *
   * @param progress receives the percentage done (0 to 100) from time to time, on another thread
   * @return the number of rows written
   */
  long write(PointInTimePlan plan, Path repoRoot, Path out, FileFormat format, DoubleConsumer progress);

  /**
   * Writes the training set as a Parquet dataset directory ({@link DatasetDirectory}): part files
   * {@code part-00000.parquet}, … whose rows, taken in file name order, are in query order; written
   * into a hidden directory beside {@code dir} and renamed onto it only once complete. Timestamps as
   * {@link #write} writes them in Parquet. This default refuses; engines that write directories
   * override it.
   *
   * @param progress as {@link #write}
   * @return the number of rows written
   * @throws dev.quiver.core.QuiverException from this default, naming the engine; or when {@code dir}
   *     exists and is not a training set directory ({@link DatasetDirectory#checkTarget})
   */
  default long writeDataset(PointInTimePlan plan, Path repoRoot, Path dir, DoubleConsumer progress) {
    throw new dev.quiver.core.QuiverException("the offline engine " + getClass().getSimpleName() + " cannot write a training"
        + " set directory (" + dir + "); give --out a .parquet or .csv file");
  }

  /**
   * Streams the latest source row per entity key in a time range, for materialization (see {@link
   * LatestRowsPlan}); memory stays bounded whatever the number of keys. The caller closes the result.
   */
  HistoricalRows latestRows(LatestRowsPlan plan, Path repoRoot);

  /**
   * Streams every source row with {@code start <= event_ts <= end} and non-null keys, ordered by the
   * keys, then the tie order {@code (event_ts, created_ts, position)} ({@link LatestRowsPlan#TIE_ORDER}):
   * what materialization of window aggregates folds into tiles. Columns as {@link #latestRows} up to
   * the features (no position or count columns follow); a feature column whose {@link
   * PointInTimePlan.LatestValue#type()} is null has the source's type, reported by {@link
   * HistoricalRows#columns()}. The caller closes the result.
   */
  HistoricalRows sourceRows(LatestRowsPlan plan, Path repoRoot);

  /**
   * Streams what {@link #sourceRows} streams, each row followed by its position in the source: {@link
   * LatestRowsPlan#SOURCE_FILE} and {@link LatestRowsPlan#SOURCE_ROW}, as {@link #latestRows} names the
   * row it picks. Materialization reads it for a stream source's batch twin, whose file names say
   * which stream offsets a row holds ({@link dev.quiver.core.online.TwinFile}). This default refuses;
   * engines that read files override it. The caller closes the result.
   *
   * @throws dev.quiver.core.QuiverException from this default, naming the engine
   */
  default HistoricalRows sourceRowsWithPositions(LatestRowsPlan plan, Path repoRoot) {
    throw new dev.quiver.core.QuiverException("the offline engine " + getClass().getSimpleName() + " cannot say which file"
        + " each row of source '" + plan.source().name() + "' comes from, which materializing a view over a stream source"
        + " needs; use the DuckDB engine");
  }

  /** What the engine would run for the plan, for people (e.g. the SQL statements), without running it. */
  String explain(PointInTimePlan plan, Path repoRoot);

  /**
   * Reads back a training set that {@link #write} produced, row by row in file order (for previews
   * and checks). The caller closes the result.
   */
  HistoricalRows read(Path file, FileFormat format);

  /**
   * Appends rows to a file source as one new file beside its others, written completely before it
   * becomes visible to readers. The source's path must be a glob ({@code data/txns/*.parquet}); the
   * new file has the same columns and types as the files already there (columns not given are null).
   *
   * @param columns raw file column names, aligned with each row's values (Java values as {@link
   *     HistoricalRows} documents; timestamps as {@code Instant})
   * @return the new file
   * @throws dev.quiver.core.InvalidRequestException when the source is a single file, a column is
   *     unknown, or a value does not fit its column; nothing is written then
   */
  Path appendToSource(FileSource source, Path repoRoot, List<String> columns, List<Object[]> rows);

  /**
   * Appends as {@link #appendToSource(FileSource, Path, List, List)} does, once per {@code tag}
   * (letters, digits and dashes; null for none): the new file's name carries the tag (after the
   * time that keeps appended files in order), and when the source already has a file with that tag,
   * nothing is written and that file is returned. For pushes with an idempotency key.
   *
   * <p>This default refuses a tag; engines that append files override it.
   */
  default Path appendToSource(FileSource source, Path repoRoot, List<String> columns, List<Object[]> rows, String tag) {
    if (tag == null) {
      return appendToSource(source, repoRoot, columns, rows);
    }
    throw new dev.quiver.core.InvalidRequestException("this offline engine cannot append a file once per idempotency key;"
        + " push without one, or with \"to\": \"online\"");
  }

  /**
   * Appends rows as {@link #appendToSource(FileSource, Path, List, List)} does, to a file named {@code
   * fileName} (a plain name the source's glob matches, not yet in its directory): stream consumers
   * name the files they add by partition and offset range. This default refuses; engines that can
   * append override it.
   *
   * @throws dev.quiver.core.InvalidRequestException as the other form, or when the name is taken
   */
  default Path appendToSource(FileSource source, Path repoRoot, String fileName, List<String> columns, List<Object[]> rows) {
    throw new dev.quiver.core.QuiverException("the offline engine " + getClass().getSimpleName()
        + " cannot append named files to source '" + source.name() + "'; use the DuckDB engine for streams that append to their batch");
  }

  /**
   * Writes query rows that arrived over the network (Feast's {@code entity_df}, uploaded as Arrow) to
   * a Parquet file that this engine reads back as {@link QueryInput.Files}: the columns in the given
   * order and types, the rows in the given order, timestamps as UTC instants. The feature server then
   * plans the training set over that file, as {@code quiver historical --query FILE} does. Memory stays
   * bounded whatever the number of rows. This default refuses; engines that read Parquet override it.
   *
   * @param columns the columns' names and Quiver types (scalars; lists are refused)
   * @param rows values as {@link HistoricalRows} documents them, aligned with {@code columns}
   * @return the number of rows written
   * @throws dev.quiver.core.InvalidRequestException when a value does not fit its column's type
   */
  default long writeQueryRows(Path out, List<PointInTimePlan.Column> columns, java.util.Iterator<Object[]> rows) {
    throw new dev.quiver.core.QuiverException("the offline engine " + getClass().getSimpleName() + " cannot take uploaded"
        + " query rows (Feast's entity_df); send the query as SQL (entity_df as a string) or use the DuckDB engine");
  }

  /**
   * Writes uploaded query rows to a Parquet file as {@link #writeQueryRows(Path, List, java.util.Iterator)}
   * does, the same file, taking them as the engine reads them fastest: DuckDB reads {@link
   * UploadedQueryRows#arrowStream()} column-wise; this default reads {@link UploadedQueryRows#rows()}
   * row by row.
   *
   * @return the number of rows written
   * @throws dev.quiver.core.InvalidRequestException when a value does not fit its column's type
   */
  default long writeQueryRows(Path out, UploadedQueryRows rows) {
    return writeQueryRows(out, rows.columns(), rows.rows());
  }

  @Override
  void close();
}
