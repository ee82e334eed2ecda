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
 * with a null key or a null event time are skipped.
 *
 * <p>The engine's result columns are the keys (named by {@link KeyBinding#queryColumn()}), then
 * {@link #EVENT_TS} and {@link #CREATED_TS} (null when the source has no created column), then the
 * features by output name, then {@link #SOURCE_ROWS}: how many of the key's source rows were in the
 * range (the latest was picked among them), so a caller can count the source rows read per view.
 *
 * @param view {@code name@vN}
 */
public record LatestRowsPlan(String view, FileSource source, List<KeyBinding> keys, List<LatestValue> features,
    Instant start, Instant end) {
  public static final String EVENT_TS = "__quiver_event_ts";
  public static final String CREATED_TS = "__quiver_created_ts";
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
}
