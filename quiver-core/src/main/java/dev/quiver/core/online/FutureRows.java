package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies {@link TimeBounds} to rows at the entry of {@link Pusher#push(String, Map, Pusher.Target,
 * Origin)}: a push is refused whole, a stream's future events are dropped (with their offsets) and
 * counted. Values that are not timestamps are left for the push's own checks to report. Stateless.
 */
final class FutureRows {
  private FutureRows() {}

  /**
   * The rows to write and the origin to write them with.
   *
   * @param rejected how many stream events were dropped; 0 when nothing was
   */
  record Admitted(Map<String, List<Object>> columns, Origin origin, int rejected) {}

  /**
   * @throws FutureEventException for a push ({@link Origin.Push}) holding a future event time
   */
  static Admitted admit(TimeBounds bounds, String timeColumn, Map<String, List<Object>> columns, Origin origin) {
    List<Object> times = columns.get(timeColumn);
    if (times == null) {
      return new Admitted(columns, origin, 0); // the push names the missing column
    }
    Instant limit = bounds.limit();
    boolean[] future = new boolean[times.size()];
    int count = 0;
    List<Instant> parsed = new ArrayList<>(times.size());
    for (int r = 0; r < times.size(); r++) {
      Instant t = time(times.get(r), timeColumn, r);
      parsed.add(t);
      if (t != null && t.isAfter(limit)) {
        future[r] = true;
        count++;
      }
    }
    if (count == 0) {
      return new Admitted(columns, origin, 0);
    }
    if (!(origin instanceof Origin.Stream stream)) {
      bounds.checkEvents(timeColumn, parsed);
      throw new AssertionError("checkEvents refuses future rows");
    }
    return drop(columns, stream, future, count);
  }

  /**
   * The rows not marked in {@code drop} ({@code count} are), with a stream origin's offsets and
   * positions kept alongside; another origin is kept as it is.
   */
  static Admitted drop(Map<String, List<Object>> columns, Origin origin, boolean[] drop, int count) {
    boolean[] future = drop;
    Map<String, List<Object>> kept = new LinkedHashMap<>();
    columns.forEach((name, values) -> {
      List<Object> out = new ArrayList<>(values.size());
      for (int r = 0; r < values.size(); r++) {
        if (r >= future.length || !future[r]) {
          out.add(values.get(r));
        }
      }
      kept.put(name, out);
    });
    if (!(origin instanceof Origin.Stream stream)) {
      return new Admitted(kept, origin, count);
    }
    long[] offsets = stream.offsets();
    long[] keptOffsets = new long[Math.max(0, offsets.length - count)];
    int n = 0;
    for (int r = 0; r < offsets.length; r++) {
      if ((r >= future.length || !future[r]) && n < keptOffsets.length) {
        keptOffsets[n++] = offsets[r];
      }
    }
    List<RowPosition> keptPositions = null;
    if (stream.positions() != null) {
      keptPositions = new ArrayList<>(keptOffsets.length);
      for (int r = 0; r < stream.positions().size(); r++) {
        if (r >= future.length || !future[r]) {
          keptPositions.add(stream.positions().get(r));
        }
      }
    }
    return new Admitted(kept, new Origin.Stream(stream.stream(), stream.partition(), keptOffsets, keptPositions), count);
  }

  /** The row's event time, or null when it is none (the push reports that itself). */
  private static Instant time(Object v, String column, int row) {
    if (v == null) {
      return null;
    }
    try {
      return PushValues.timestamp(v, column, row);
    } catch (InvalidRequestException notATime) {
      return null;
    }
  }
}
