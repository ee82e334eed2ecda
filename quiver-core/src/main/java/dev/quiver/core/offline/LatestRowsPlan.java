package dev.quiver.core.offline;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What materialization reads from the offline store for one view version: per entity key, the
 * source row with {@code start <= event_ts <= end} and the greatest {@code (event_ts, created_ts,
 * position)} — the same row a point-in-time lookup at {@code end} would pick among those rows. Rows
 * with a null key or a null event time are skipped. Keys are equal by value (int32 = int64 by
 * number, bytes by content).
 *
 * <p><b>The tie order</b> ({@link #TIE_ORDER}, DESIGN §3 "Ties"), which every engine follows: rows
 * are ordered by event time, then created time (a null one first), then position: the source's
 * files in sorted path order ({@link dev.quiver.core.spi.SourceFiles#resolve}), rows in file order.
 * The greatest row is the latest; rows handed to window aggregates ({@link OfflineEngine#sourceRows})
 * come in this order, since first, last and last_k take the row added later as the later one.
 *
 * <p>The engine's result columns are the keys (named by {@link KeyBinding#queryColumn()}), then
 * {@link #EVENT_TS} and {@link #CREATED_TS} (null when the source has no created column), then the
 * features by output name, then the picked row's position, {@link #SOURCE_FILE} (its file as {@link
 * dev.quiver.core.spi.SourceFiles#display} names it) and {@link #SOURCE_ROW} (int64, its row in that
 * file from 0), which the online order key carries ({@link dev.quiver.core.online.RowPosition.InFile}),
 * then {@link #SOURCE_ROWS}: how many of the key's source rows were in the range (the latest was
 * picked among them), so a caller can count the source rows read per view.
 *
 * @param view {@code name@vN}
 */
public record LatestRowsPlan(String view, FileSource source, List<KeyBinding> keys, List<LatestValue> features,
    Instant start, Instant end) implements java.io.Serializable {
  public static final String EVENT_TS = "__quiver_event_ts";
  public static final String CREATED_TS = "__quiver_created_ts";
  /** The picked row's file (string), relative to the repo when inside it, {@code /}-separated. */
  public static final String SOURCE_FILE = "__quiver_source_file";
  /** The picked row's number in its file (int64), from 0. */
  public static final String SOURCE_ROW = "__quiver_source_row";
  /**
   * The tie order, for people and engines: rows of a key are ordered by these, ascending; the last
   * is the latest.
   */
  public static final List<String> TIE_ORDER = List.of("event_ts", "created_ts (null first)",
      "file (sorted path order)", "row in file");
  /** The last result column of {@link OfflineEngine#latestRows} (int64): the key's source rows in range. */
  public static final String SOURCE_ROWS = "__quiver_source_rows";

  public LatestRowsPlan {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(source, "source");
    keys = List.copyOf(keys);
    features = List.copyOf(features);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  /**
   * The leading result columns of {@link OfflineEngine#latestRows} and {@link OfflineEngine#sourceRows}:
   * the keys, named by their query columns, then {@link #EVENT_TS} and {@link #CREATED_TS}. A new
   * mutable list each call, for the engine to add the rest.
   */
  public List<PointInTimePlan.Column> keyAndTimeColumns() {
    List<PointInTimePlan.Column> columns = new java.util.ArrayList<>();
    keys.forEach(k -> columns.add(new PointInTimePlan.Column(k.queryColumn(), k.type())));
    columns.add(new PointInTimePlan.Column(EVENT_TS, dev.quiver.core.model.ScalarType.TIMESTAMP));
    columns.add(new PointInTimePlan.Column(CREATED_TS, dev.quiver.core.model.ScalarType.TIMESTAMP));
    return columns;
  }

  /**
   * Every result column of {@link OfflineEngine#latestRows}, in order (see the class comment): {@link
   * #keyAndTimeColumns()}, the features, {@link #SOURCE_FILE}, {@link #SOURCE_ROW}, {@link #SOURCE_ROWS}.
   */
  public List<PointInTimePlan.Column> latestRowsColumns() {
    List<PointInTimePlan.Column> columns = keyAndTimeColumns();
    features.forEach(f -> columns.add(new PointInTimePlan.Column(f.outputName(), f.type())));
    columns.add(new PointInTimePlan.Column(SOURCE_FILE, dev.quiver.core.model.ScalarType.STRING));
    columns.add(new PointInTimePlan.Column(SOURCE_ROW, dev.quiver.core.model.ScalarType.INT64));
    columns.add(new PointInTimePlan.Column(SOURCE_ROWS, dev.quiver.core.model.ScalarType.INT64));
    return List.copyOf(columns);
  }
}
