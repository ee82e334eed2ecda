package dev.quiver.offline.spark;

import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.sweep.JoinSweep;
import dev.quiver.core.offline.sweep.PointInTimeRules;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition of one view join, on an executor: the join's source rows and query rows, partitioned
 * by key and sorted within the partition by (key, time, kind — source before query —, created time
 * with nulls first, position), swept by the core {@link JoinSweep} one key at a time. Streams: it
 * holds one key's sweep state, never the partition.
 *
 * <p>Input rows: the {@code keys} normalized key columns, then time (µs), kind (0 source, 1 query),
 * created time (µs or null), position, query id, then the {@link JoinSweep#sourceColumns()} values.
 * Output rows: the query id, then the join's features (Spark values).
 */
final class JoinPartition implements MapPartitionsFunction<Row, Row> {
  static final int SOURCE = 0;
  static final int QUERY = 1;

  private final ViewJoin join;
  private final HashMap<String, ValueType> sourceTypes;
  private final int keys;

  JoinPartition(ViewJoin join, Map<String, ValueType> sourceTypes, int keys) {
    this.join = join;
    this.sourceTypes = new HashMap<>(sourceTypes);
    this.keys = keys;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    JoinSweep sweep = new JoinSweep(join, sourceTypes::get);
    int valuesAt = keys + 5;
    int width = sweep.sourceColumns().size();
    return new Iterator<>() {
      private Object[] key;
      private Row next;

      @Override
      public boolean hasNext() {
        while (next == null && rows.hasNext()) {
          Row r = rows.next();
          Object[] k = new Object[keys];
          for (int i = 0; i < keys; i++) {
            k[i] = r.get(i);
          }
          if (key == null || !sameKey(key, k)) {
            sweep.reset();
            key = k;
          }
          long t = r.getLong(keys);
          if (r.getInt(keys + 1) == SOURCE) {
            Object[] values = new Object[width];
            for (int i = 0; i < width; i++) {
              values[i] = SparkValues.toJava(r.get(valuesAt + i));
            }
            sweep.addRow(t, r.isNullAt(keys + 2) ? PointInTimeRules.NO_CREATED : r.getLong(keys + 2), values);
          } else {
            Object[] features = sweep.valuesAt(t);
            Object[] out = new Object[features.length + 1];
            out[0] = r.getLong(keys + 4);
            for (int i = 0; i < features.length; i++) {
              out[i + 1] = SparkValues.toSpark(features[i]);
            }
            next = RowFactory.create(out);
          }
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row r = next;
        next = null;
        return r;
      }
    };
  }

  /** Normalized keys (bigint for integers) are equal; binary by content. */
  private static boolean sameKey(Object[] a, Object[] b) {
    for (int i = 0; i < a.length; i++) {
      boolean same = a[i] instanceof byte[] x ? b[i] instanceof byte[] y && Arrays.equals(x, y) : a[i].equals(b[i]);
      if (!same) {
        return false;
      }
    }
    return true;
  }
}
