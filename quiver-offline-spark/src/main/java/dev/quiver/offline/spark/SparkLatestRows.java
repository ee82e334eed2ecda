package dev.quiver.offline.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.spi.SourceFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A {@link LatestRowsPlan} on Spark: the source rows in range ({@code start <= event_ts <= end},
 * non-null keys and event time), ordered by the tie order of {@link LatestRowsPlan#TIE_ORDER} —
 * {@code (event_ts, created_ts with null first, position)}, the position being the file's index in
 * sorted path order and the row's number in it ({@link SparkScans}).
 *
 * <ul>
 *   <li>{@link #latest()}: per key, the greatest row ({@code max_by} over that order, which holds
 *       one row per key and partition, never a sort of whole rows) and the key's row count.
 *   <li>{@link #sorted}: every row, range-partitioned and sorted by key then the tie order, so
 *       {@code toLocalIterator} streams them in order one partition at a time.
 * </ul>
 *
 * <p>Result columns as {@link dev.quiver.core.offline.OfflineEngine#latestRows} and {@code sourceRows}
 * document them, by position (Spark's own column names are internal).
 */
final class SparkLatestRows {
  /** Bytes of input files per partition of a sorted read: a partition is what the driver holds at once. */
  private static final long BYTES_PER_PARTITION = 16L << 20;
  private static final String KEY = "__quiver_k";
  private static final String EVENT = "__quiver_ev";
  private static final String CREATED = "__quiver_cr";
  private static final String FEATURE = "__quiver_f";
  private static final String LATEST = "__quiver_latest";
  private static final String COUNT = "__quiver_n";

  private final SparkSession spark;
  private final LatestRowsPlan plan;
  private final Path repoRoot;
  private final List<Path> files;
  /** The files of a source at a URI or of an Iceberg table, as people read them; null for local files. */
  private final SparkRemoteFiles remote;
  private final Dataset<Row> source;

  SparkLatestRows(SparkSession spark, LatestRowsPlan plan, Path repoRoot) {
    this.spark = spark;
    this.plan = plan;
    this.repoRoot = repoRoot;
    this.remote = SparkRemoteFiles.of(spark, plan.source(), repoRoot);
    this.files = remote == null ? SourceFiles.resolve(plan.source(), repoRoot) : List.of();
    this.source = SparkScans.source(spark, plan.source(), repoRoot, remote);
  }

  LatestRowsPlan plan() {
    return plan;
  }

  /** The source's files as {@link SourceFiles#display} names them, in position order. */
  List<String> fileNames() {
    if (remote != null) {
      return remote.names();
    }
    return files.stream().map(f -> SourceFiles.display(f, repoRoot)).toList();
  }

  /** The rows in range, columns renamed: keys, event, created, features, position. */
  private Dataset<Row> inRange() {
    FileSource s = plan.source();
    StructType schema = source.schema();
    List<Column> out = new ArrayList<>();
    Column where = null;
    for (int i = 0; i < plan.keys().size(); i++) {
      Column k = column(schema, plan.keys().get(i).sourceColumn(), "key");
      where = where == null ? k.isNotNull() : where.and(k.isNotNull());
      out.add(k.as(KEY + i));
    }
    Column event = column(schema, s.rawColumn(s.timestampColumn()), "event time").cast(DataTypes.TimestampType);
    Column micros = functions.unix_micros(event);
    where = (where == null ? event.isNotNull() : where.and(event.isNotNull()))
        .and(micros.geq(lit(Timestamps.toMicros(plan.start())))).and(micros.leq(lit(Timestamps.toMicros(plan.end()))));
    out.add(event.as(EVENT));
    out.add(s.createdColumn() == null ? lit(null).cast(DataTypes.TimestampType).as(CREATED)
        : column(schema, s.rawColumn(s.createdColumn()), "created time").cast(DataTypes.TimestampType).as(CREATED));
    for (int i = 0; i < plan.features().size(); i++) {
      out.add(column(schema, plan.features().get(i).sourceColumn(), "feature").as(FEATURE + i));
    }
    out.add(col(SparkScans.POSITION));
    return source.where(where).select(out.toArray(Column[]::new));
  }

  private Column column(StructType schema, String name, String what) {
    if (Arrays.stream(schema.fieldNames()).noneMatch(name::equals)) {
      throw new SourceDataException(plan.source().name(), plan.source().path(), "view " + plan.view() + " reads the " + what
          + " column '" + name + "' of source '" + plan.source().name() + "' (" + plan.source().path() + "), which its files"
          + " do not have (they have " + String.join(", ", Arrays.stream(schema.fieldNames())
              .filter(n -> !n.equals(SparkScans.POSITION)).toList()) + "); fix the source or the definition and apply again");
    }
    return col(SparkScans.quoted(name));
  }

  /**
   * Per key, the latest row in range: keys, event and created time, features, {@link
   * LatestRowsPlan#SOURCE_FILE}, {@link LatestRowsPlan#SOURCE_ROW}, {@link LatestRowsPlan#SOURCE_ROWS}.
   */
  Dataset<Row> latest() {
    Dataset<Row> rows = inRange();
    int keys = plan.keys().size();
    int features = plan.features().size();
    Column[] group = new Column[keys];
    for (int i = 0; i < keys; i++) {
      group[i] = col(KEY + i);
    }
    List<Column> value = new ArrayList<>();
    value.add(col(EVENT));
    value.add(col(CREATED));
    for (int i = 0; i < features; i++) {
      value.add(col(FEATURE + i));
    }
    value.add(col(SparkScans.POSITION));
    // the tie order as non-null numbers: a null created time is older than any
    Column order = functions.struct(functions.unix_micros(col(EVENT)),
        functions.coalesce(functions.unix_micros(col(CREATED)), lit(Long.MIN_VALUE)), col(SparkScans.POSITION));
    Dataset<Row> picked = rows.groupBy(group).agg(
        functions.max_by(functions.struct(value.toArray(Column[]::new)), order).as(LATEST),
        functions.count(lit(1)).as(COUNT));
    List<Column> out = new ArrayList<>(Arrays.asList(group));
    out.add(col(LATEST + "." + EVENT));
    out.add(col(LATEST + "." + CREATED));
    for (int i = 0; i < features; i++) {
      out.add(col(LATEST + "." + FEATURE + i));
    }
    Column position = col(LATEST + "." + SparkScans.POSITION);
    out.add(fileName(position));
    out.add(rowInFile(position));
    out.add(col(COUNT));
    return picked.select(out.toArray(Column[]::new));
  }

  /**
   * Every row in range sorted by keys, then the tie order: keys, event and created time, features,
   * and with {@code positions} each row's {@link LatestRowsPlan#SOURCE_FILE} and {@link
   * LatestRowsPlan#SOURCE_ROW}. Range-partitioned into parts of about {@value #BYTES_PER_PARTITION}
   * input bytes, so the driver streaming it holds one part at a time.
   */
  Dataset<Row> sorted(boolean positions) {
    Column[] by = sortOrder();
    return withPositions(inRange().repartitionByRange(partitions(), by).sortWithinPartitions(by), positions);
  }

  /**
   * Every row in range, hash-partitioned by the keys alone (every row of a key in one partition) and
   * sorted within each partition by keys, then the tie order: the columns of {@link #sorted}, for
   * the executors to fold key by key ({@link SparkTileWriter}).
   */
  Dataset<Row> byKey(boolean positions) {
    Column[] keys = new Column[plan.keys().size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = col(KEY + i);
    }
    return withPositions(inRange().repartition(partitions(), keys).sortWithinPartitions(sortOrder()), positions);
  }

  /** Keys, then the tie order: event time, created time with null first, position. */
  private Column[] sortOrder() {
    List<Column> order = new ArrayList<>();
    for (int i = 0; i < plan.keys().size(); i++) {
      order.add(col(KEY + i).asc());
    }
    order.add(col(EVENT).asc());
    order.add(col(CREATED).asc_nulls_first());
    order.add(col(SparkScans.POSITION).asc());
    return order.toArray(Column[]::new);
  }

  private Dataset<Row> withPositions(Dataset<Row> sorted, boolean positions) {
    List<Column> out = new ArrayList<>();
    for (String name : sorted.columns()) {
      if (!name.equals(SparkScans.POSITION)) {
        out.add(col(name));
      }
    }
    if (positions) {
      out.add(fileName(col(SparkScans.POSITION)));
      out.add(rowInFile(col(SparkScans.POSITION)));
    }
    return sorted.select(out.toArray(Column[]::new));
  }

  /** The result columns of {@link #sorted}: features whose type the plan leaves open take the source's. */
  List<PointInTimePlan.Column> sortedColumns(Dataset<Row> sorted, boolean positions) {
    List<PointInTimePlan.Column> columns = plan.keyAndTimeColumns();
    StructField[] fields = sorted.schema().fields();
    int first = plan.keys().size() + 2;
    for (int i = 0; i < plan.features().size(); i++) {
      LatestValue f = plan.features().get(i);
      ValueType type = f.type() != null ? f.type() : SparkTypes.toQuiver(fields[first + i].dataType());
      if (type == null) {
        throw new QuiverException("view " + plan.view() + " reads column '" + f.sourceColumn() + "' of source '"
            + plan.source().name() + "', which its files hold in a type Quiver cannot read ("
            + fields[first + i].dataType().simpleString() + "); fix the source or the definition and apply again");
      }
      columns.add(new PointInTimePlan.Column(f.outputName(), type));
    }
    if (positions) {
      columns.add(new PointInTimePlan.Column(LatestRowsPlan.SOURCE_FILE, ScalarType.STRING));
      columns.add(new PointInTimePlan.Column(LatestRowsPlan.SOURCE_ROW, ScalarType.INT64));
    }
    return columns;
  }

  /** The result columns of {@link #latest}. */
  List<PointInTimePlan.Column> latestColumns() {
    return plan.latestRowsColumns();
  }

  /** Streams {@code rows} to the driver a partition at a time; a Spark failure names the source. */
  HistoricalRows stream(Dataset<Row> rows, List<PointInTimePlan.Column> columns) {
    java.util.Iterator<Row> it;
    try {
      it = rows.toLocalIterator();
    } catch (Exception e) { // Spark throws its checked SparkException too
      throw failure(e);
    }
    java.util.Iterator<Row> checked = new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return it.hasNext();
        } catch (Exception e) { // Spark throws its checked SparkException too
          throw failure(e);
        }
      }

      @Override
      public Row next() {
        try {
          return it.next();
        } catch (Exception e) { // Spark throws its checked SparkException too
          throw failure(e);
        }
      }
    };
    return new SparkRows(columns, checked, () -> {});
  }

  /** A Spark failure while reading the source, as the source's data error (a file vanished, a value Spark refused). */
  RuntimeException failure(Exception e) {
    if (SparkRows.quiverCause(e) instanceof QuiverException q) {
      return q;
    }
    return new SourceDataException(plan.source().name(), plan.source().path(), "source '" + plan.source().name() + "' ("
        + plan.source().path() + "): Spark failed reading it for view " + plan.view() + ": "
        + SparkSessions.firstLine(rootMessage(e)), e);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? e.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private Column fileName(Column position) {
    List<String> names = fileNames();
    Column index = functions.shiftright(position, SparkScans.FILE_SHIFT);
    if (names.size() == 1) {
      return lit(names.get(0)).as(LatestRowsPlan.SOURCE_FILE);
    }
    Column list = functions.array(names.stream().map(functions::lit).toArray(Column[]::new));
    return functions.element_at(list, index.cast(DataTypes.IntegerType).plus(1)).as(LatestRowsPlan.SOURCE_FILE);
  }

  private static Column rowInFile(Column position) {
    return position.bitwiseAND(lit((1L << SparkScans.FILE_SHIFT) - 1)).as(LatestRowsPlan.SOURCE_ROW);
  }

  /** Partitions for a sorted read: at least the session's shuffle partitions, more for large inputs. */
  private int partitions() {
    long bytes = remote == null ? 0 : remote.bytes();
    for (Path f : files) {
      try {
        bytes += Files.size(f);
      } catch (IOException e) {
        throw new SourceDataException(plan.source().name(), SourceFiles.display(f, repoRoot), "source '"
            + plan.source().name() + "': cannot read " + SourceFiles.display(f, repoRoot) + ": " + e.getMessage(), e);
      }
    }
    int base = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "4"));
    return (int) Math.max(base, Math.min(100_000, bytes / BYTES_PER_PARTITION + 1));
  }
}
