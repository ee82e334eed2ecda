package dev.quiver.core.online;

import dev.quiver.core.model.ScalarType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest event time written online per view version: how fresh the online store's data is.
 * Materialization records the newest event time among the rows it read, pushes the newest among the
 * rows they pushed online; a server's freshness metric is now minus it.
 *
 * <p>Kept in the online store itself, beside the data it describes, so it survives restarts, is
 * shared by every process and replica using the store, and goes away with the data: one table per
 * project, {@code project.__freshness} (no view table is named without {@code @vN}), one row per view
 * version keyed by {@code name@vN} ({@link KeyEncoding}, one string component) whose value is a row
 * ({@link RowEncoding}) with no features and the newest event time as its event time. {@link
 * OnlineStore#multiPutIfNewer} keeps the greatest, so concurrent writers never move it back.
 * Stateless and thread-safe.
 */
public final class Freshness {
  private static final List<ScalarType> KEY = List.of(ScalarType.STRING);

  private Freshness() {}

  /** The table of a project's freshness rows. */
  public static String table(String project) {
    return project + ".__freshness";
  }

  /**
   * Records newest event times; an older time than the one stored changes nothing.
   *
   * @param newest view version ({@code name@vN}) to the newest event time written for it
   */
  public static void record(OnlineStore store, String project, Map<String, Instant> newest) {
    if (newest.isEmpty()) {
      return;
    }
    List<OnlineStore.Entry> entries = new ArrayList<>(newest.size());
    newest.forEach((view, t) -> entries.add(new OnlineStore.Entry(key(view),
        RowEncoding.encode(t, null, List.of(), List.of(), List.of()))));
    String table = table(project);
    store.createTable(table);
    store.multiPutIfNewer(table, entries);
  }

  /**
   * Forgets the newest event times of {@code views} ({@code name@vN}): for a rebuild, which records
   * them again from what it reads (a stored time can only grow otherwise).
   */
  public static void reset(OnlineStore store, String project, List<String> views) {
    List<byte[]> keys = new ArrayList<>(views.size());
    views.forEach(v -> keys.add(key(v)));
    store.delete(table(project), keys);
  }

  /**
   * The newest event time recorded for each of {@code views} ({@code name@vN}); views without one are
   * absent from the result.
   */
  public static Map<String, Instant> read(OnlineStore store, String project, List<String> views) {
    List<byte[]> keys = new ArrayList<>(views.size());
    views.forEach(v -> keys.add(key(v)));
    List<byte[]> rows = store.multiGet(table(project), keys);
    Map<String, Instant> out = new LinkedHashMap<>();
    for (int i = 0; i < views.size(); i++) {
      if (rows.get(i) != null) {
        out.put(views.get(i), RowEncoding.decode(rows.get(i)).eventTime());
      }
    }
    return out;
  }

  private static byte[] key(String view) {
    return KeyEncoding.encode(KEY, List.of(view));
  }
}
