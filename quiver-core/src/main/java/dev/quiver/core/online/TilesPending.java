package dev.quiver.core.online;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import java.time.Instant;
import java.util.List;

/**
 * Views whose tile rows a materialization left as concurrent online writers made them ({@link
 * TileRebuild}, {@link Materializer.ViewResult#keysSkippedConcurrent()}): the next run of the view
 * rebuilds its tiles even when it finds no source row after the watermark, until a run that skips
 * no key, whose scan started after the skipping one's and whose END is not earlier, clears the mark.
 *
 * <p>Kept in the online store beside {@link Freshness}: one table per project, {@code
 * project.__tiles_pending}, one row per view version keyed by {@code name@vN} whose value is a row
 * ({@link RowEncoding}, no features) with the skipping run's END as its event time and the
 * wall-clock time its scan started as its created time; marks are merged (the later of each) and
 * cleared with compare-and-set, so concurrent runs never lose one. Stateless and thread-safe.
 */
final class TilesPending {
  private static final List<ScalarType> KEY = List.of(ScalarType.STRING);

  private TilesPending() {}

  static String table(String project) {
    return project + ".__tiles_pending";
  }

  /** True when a run of {@code view} left tile rows to rebuild. */
  static boolean isMarked(OnlineStore store, String project, String view) {
    store.createTable(table(project));
    return store.multiGet(table(project), List.of(key(view))).getFirst() != null;
  }

  /** Marks {@code view}: a run to {@code end} whose scan started at {@code sinceMicros} skipped keys. */
  static void mark(OnlineStore store, String project, String view, Instant end, long sinceMicros) {
    String table = table(project);
    store.createTable(table);
    for (int attempt = 0; attempt < TileRows.ATTEMPTS; attempt++) {
      byte[] stored = store.multiGet(table, List.of(key(view))).getFirst();
      Instant markEnd = end;
      long markSince = sinceMicros;
      if (stored != null) {
        RowEncoding.Decoded d = RowEncoding.decode(stored);
        markEnd = d.eventTime().isAfter(end) ? d.eventTime() : end;
        markSince = Math.max(markSince, Timestamps.toMicros(d.createdTime()));
      }
      byte[] next = RowEncoding.encode(markEnd, Timestamps.ofMicros(markSince), List.of(), List.of(), List.of());
      if (java.util.Arrays.equals(next, stored)
          || store.multiCompareAndSet(table, List.of(new OnlineStore.Swap(key(view), stored, next)))[0]) {
        return;
      }
    }
    throw new dev.quiver.core.QuiverException("the pending-tiles mark of " + view + " kept changing under other"
        + " materializations; run materialize " + view + " again");
  }

  /**
   * Clears the mark of {@code view} after a run to {@code end}, whose scan started at {@code
   * sinceMicros}, rebuilt every key it read: when the mark is from a run with an END not after
   * {@code end} and a scan that started no later. A mark set meanwhile stays.
   */
  static void clear(OnlineStore store, String project, String view, Instant end, long sinceMicros) {
    String table = table(project);
    store.createTable(table);
    byte[] stored = store.multiGet(table, List.of(key(view))).getFirst();
    if (stored == null) {
      return;
    }
    RowEncoding.Decoded d = RowEncoding.decode(stored);
    if (!d.eventTime().isAfter(end) && Timestamps.toMicros(d.createdTime()) <= sinceMicros) {
      store.multiCompareAndSet(table, List.of(new OnlineStore.Swap(key(view), stored, null)));
    }
  }

  private static byte[] key(String view) {
    return KeyEncoding.encode(KEY, List.of(view));
  }
}
