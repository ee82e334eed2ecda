package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FeatureView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape checks of a push's columns ({@link Pusher}): the row count, the event and created times,
 * a column a view needs, and an origin that fits the rows. Each refuses with an {@link
 * InvalidRequestException} naming the column and row, before anything is written.
 */
final class PushedColumns {
  private PushedColumns() {}

  /** Refuses an origin that does not fit the rows. */
  static void check(Origin origin, int rows) {
    switch (origin) {
      case Origin.Push(String key) -> {
        if (key != null && (key.isEmpty() || key.length() > 256)) {
          throw new InvalidRequestException("an idempotency key must have 1 to 256 characters, got " + key.length());
        }
        if (key != null && key.startsWith(PushedFile.KEY_PREFIX)) {
          throw new InvalidRequestException("idempotency keys starting with '" + PushedFile.KEY_PREFIX
              + "' are reserved (tile rows record the pushed files a materialization read under them); choose another key");
        }
      }
      case Origin.Stream s -> {
        long[] o = s.offsets();
        if (s.positions() != null && s.positions().size() != rows) {
          throw new InvalidRequestException("stream " + s.stream() + " partition " + s.partition() + ": "
              + s.positions().size() + " positions for " + rows + " rows; give one position per row");
        }
        if (o.length != rows) {
          throw new InvalidRequestException("stream " + s.stream() + " partition " + s.partition() + ": " + o.length
              + " offsets for " + rows + " rows; give one offset per row");
        }
        for (int r = 0; r < o.length; r++) {
          if (o[r] < 0 || (r > 0 && o[r] < o[r - 1])) {
            throw new InvalidRequestException("stream " + s.stream() + " partition " + s.partition() + ": offset " + o[r]
                + " at row " + r + " is negative or smaller than the one before; apply a partition's events in offset order");
          }
        }
      }
    }
  }

  static List<Object> column(Map<String, List<Object>> columns, String name, FeatureView view) {
    List<Object> col = columns.get(name);
    if (col == null) {
      throw new InvalidRequestException("the pushed rows have no column '" + name + "', which view "
          + view.qualifiedName() + " needs; columns given: " + String.join(", ", columns.keySet()));
    }
    return col;
  }

  static List<Instant> times(Map<String, List<Object>> columns, String name, int rows, boolean required) {
    List<Object> col = columns.get(name);
    if (col == null) {
      throw new InvalidRequestException("the pushed rows have no '" + name + "' column (the source's event time)");
    }
    List<Instant> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Object v = col.get(r);
      if (v == null && required) {
        throw new InvalidRequestException("column '" + name + "' row " + r + " is null; every pushed row needs its event time");
      }
      out.add(v == null ? null : PushValues.timestamp(v, name, r));
    }
    return out;
  }

  static int rows(Map<String, List<Object>> columns) {
    if (columns.isEmpty()) {
      throw new InvalidRequestException("nothing to push: 'df' has no columns");
    }
    int rows = -1;
    Set<String> seen = new LinkedHashSet<>();
    for (var e : columns.entrySet()) {
      if (e.getValue() == null) {
        throw new InvalidRequestException("column '" + e.getKey() + "' has no values");
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        throw new InvalidRequestException("pushed columns have different lengths: '" + e.getKey() + "' has "
            + e.getValue().size() + " values, '" + seen.iterator().next() + "' has " + rows);
      }
      rows = e.getValue().size();
      seen.add(e.getKey());
    }
    if (rows == 0) {
      throw new InvalidRequestException("nothing to push: the columns are empty");
    }
    return rows;
  }
}
