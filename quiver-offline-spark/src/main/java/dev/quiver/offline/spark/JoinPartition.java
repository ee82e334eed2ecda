package dev.quiver.offline.spark;

import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.sweep.JoinSweep;
import dev.quiver.core.offline.sweep.PointInTimeRules;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition of one view join, on an executor: the join's source rows and the query rows,
 * partitioned by key and sorted within the partition by (key, time, kind — source before query —,
 * created time with nulls first, position), swept by the core {@link JoinSweep} one key at a time.
 * Streams: it holds one key's sweep state, never the partition. A query row with a null key or a
 * null time matches nothing and gets {@link JoinSweep#emptyValues()}.
 *
 * <p>Input rows: the normalized key columns, then time (µs), kind (0 source, 1 query), created time
 * (µs or null), position, then the {@code carried} columns of the query rows (null in source rows),
 * then the {@link JoinSweep#sourceColumns()} values (null in query rows). Output rows, one per query
 * row: the carried columns, then the join's features (Spark values).
 */
final class JoinPartition implements MapPartitionsFunction<Row, Row> {
  static final int SOURCE = 0;
  static final int QUERY = 1;

  private final ViewJoin join;
  private final HashMap<String, ValueType> sourceTypes;
  private final int keys;
  private final int carried;

  JoinPartition(ViewJoin join, Map<String, ValueType> sourceTypes, int keys, int carried) {
    this.join = join;
    this.sourceTypes = new HashMap<>(sourceTypes);
    this.keys = keys;
    this.carried = carried;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    JoinSweep sweep = new JoinSweep(join, sourceTypes::get);
    int carriedAt = keys + 4;
    int valuesAt = carriedAt + carried;
    int width = sweep.sourceColumns().size();
    return new Iterator<>() {
      private Object[] key;
      private Row next;

      @Override
      public boolean hasNext() {
        while (next == null && rows.hasNext()) {
          Row r = rows.next();
          Object[] k = new Object[keys];
          boolean nullKey = false;
          for (int i = 0; i < keys; i++) {
            k[i] = r.get(i);
            nullKey |= k[i] == null;
          }
          boolean source = r.getInt(keys + 1) == SOURCE;
          if (!source && (nullKey || r.isNullAt(keys))) {
            next = output(r, sweep.emptyValues());
            continue;
          }
          if (key == null || !sameKey(key, k)) {
            sweep.reset();
            key = k;
          }
          long t = r.getLong(keys);
          if (source) {
            Object[] values = new Object[width];
            for (int i = 0; i < width; i++) {
              values[i] = SparkValues.toJava(r.get(valuesAt + i));
            }
            sweep.addRow(t, r.isNullAt(keys + 2) ? PointInTimeRules.NO_CREATED : r.getLong(keys + 2), values);
          } else {
            next = output(r, sweep.valuesAt(t));
          }
        }
        return next != null;
      }

      private Row output(Row r, Object[] features) {
        Object[] out = new Object[carried + features.length];
        for (int i = 0; i < carried; i++) {
          out[i] = r.get(carriedAt + i);
        }
        for (int i = 0; i < features.length; i++) {
          out[carried + i] = SparkValues.toSpark(features[i]);
        }
        return RowFactory.create(out);
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

  /** Keys equal by value ({@link PointInTimeRules#sameKey}: integers by number, binary by content). */
  private static boolean sameKey(Object[] a, Object[] b) {
    for (int i = 0; i < a.length; i++) {
      if (!PointInTimeRules.sameKey(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
}
