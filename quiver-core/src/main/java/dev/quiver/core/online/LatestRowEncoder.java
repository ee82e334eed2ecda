package dev.quiver.core.online;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import java.io.Serial;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one result row of {@link dev.quiver.core.offline.OfflineEngine#latestRows} (keys, event and
 * created time, features, {@link LatestRowsPlan#SOURCE_FILE}, {@link LatestRowsPlan#SOURCE_ROW},
 * {@link LatestRowsPlan#SOURCE_ROWS}) into the online entry every writer of the view writes: the key
 * by {@link KeyEncoding}, the row by {@link RowEncoding} with its {@link RowPosition.InFile}. The one
 * encoding of materialized rows, whether the driver ({@link Materializer}) or an engine's workers
 * ({@link dev.quiver.core.offline.LatestRowsWriter}) write them.
 *
 * <p>Serializable (it travels to Spark executors), immutable and thread-safe.
 */
public final class LatestRowEncoder implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final ScalarType[] keyTypes;
  private final String[] names;
  /** Type spellings ({@link ValueType#spelling()}): records of the model are not serializable. */
  private final String[] types;
  private transient List<ValueType> parsed;

  /** The encoder of {@code plan}'s rows. */
  public LatestRowEncoder(LatestRowsPlan plan) {
    keyTypes = plan.keys().stream().map(KeyBinding::type).toArray(ScalarType[]::new);
    names = plan.features().stream().map(LatestValue::outputName).toArray(String[]::new);
    types = plan.features().stream().map(f -> f.type().spelling()).toArray(String[]::new);
  }

  /** The entry of a result row. */
  public OnlineStore.Entry encode(Object[] row) {
    if (parsed == null) {
      parsed = Arrays.stream(types).map(t -> ValueType.parse(t).orElseThrow()).toList();
    }
    int k = keyTypes.length;
    int n = row.length;
    List<Object> values = Arrays.asList(row);
    byte[] key = KeyEncoding.encode(Arrays.asList(keyTypes), values.subList(0, k));
    RowPosition position = new RowPosition.InFile((String) row[n - 3], ((Number) row[n - 2]).longValue());
    byte[] value = RowEncoding.encode((Instant) row[k], (Instant) row[k + 1], position, Arrays.asList(names), parsed,
        values.subList(k + 2, n - 3));
    return new OnlineStore.Entry(key, value);
  }

  /** The row's event time in µs. */
  public long eventMicros(Object[] row) {
    return Timestamps.toMicros((Instant) row[keyTypes.length]);
  }

  /** How many of the key's source rows were in range ({@link LatestRowsPlan#SOURCE_ROWS}). */
  public long sourceRows(Object[] row) {
    return ((Number) row[row.length - 1]).longValue();
  }
}
