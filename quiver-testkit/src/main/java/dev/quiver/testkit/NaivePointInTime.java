package dev.quiver.testkit;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The reference point-in-time join: what every offline engine must compute for a {@link
 * PointInTimePlan}, written to be obviously correct rather than fast. It is the yardstick of {@link
 * OfflineEngineContract}; it is not for production: it holds every row in memory and, for each
 * query row and each view join, looks at every source row (query rows × source rows comparisons).
 *
 * <p>The semantics, as {@link PointInTimePlan} states them: for a query row with keys k and time t,
 * and a view join with TTL T, the candidates are the source rows whose join keys equal k (a null key
 * on either side never matches; an int32 equals an int64 of the same value), whose event time is not
 * null, is {@code <= t} and, when T is set, {@code >= t - T}. The candidate with the greatest {@code
 * (event_ts, created_ts, position)} gives every feature of the join, where a null {@code created_ts}
 * counts as older than any time and position is the row's place in the source (files in sorted path
 * order, rows in file order; the later wins). No candidate, or a null t: every feature of the join is
 * null. Every query row appears once, in input order, with its values unchanged, followed by the
 * plan's {@link PointInTimePlan#outputs() outputs}. Derived and on-demand features are computed from
 * that row by the plan's own {@link PointInTimePlan#deriver()}: there is one evaluator, proven
 * against a naive interpreter in core; what this reference checks is what feeds it.
 *
 * <p>Stateless and thread-safe.
 */
public final class NaivePointInTime {

  private NaivePointInTime() {}

  /**
   * A table held in memory.
   *
   * @param columns the column names, as the files spell them (before field mapping)
   * @param rows the rows in position order; each array is aligned with {@code columns}. Values use
   *     the Java types of {@link dev.quiver.core.offline.HistoricalRows}, timestamps as {@link
   *     Instant}
   */
  public record Table(List<String> columns, List<Object[]> rows) {
    public Table {
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
    }

    /** The index of a column. */
    public int column(String name) {
      int i = columns.indexOf(name);
      if (i < 0) {
        throw new IllegalArgumentException("no column '" + name + "' in " + columns);
      }
      return i;
    }
  }

  /**
   * The training set of a plan.
   *
   * @param query the query rows in input order; must have every column the plan names
   * @param sources the rows of every source a join reads, by source name, in position order
   * @return one row per query row, in input order: the query row's values, then one value per
   *     {@link PointInTimePlan#outputs() output}
   */
  public static List<Object[]> join(PointInTimePlan plan, Table query, Map<String, Table> sources) {
    int tsColumn = query.column(plan.timestampColumn());
    UnaryOperator<Object[]> derive = plan.deriver();
    List<Object[]> out = new ArrayList<>();
    for (Object[] queryRow : query.rows()) {
      Instant t = (Instant) queryRow[tsColumn];
      Map<String, Object> features = new HashMap<>();
      for (ViewJoin join : plan.joins()) {
        Table source = source(sources, join);
        int picked = pick(join, query, queryRow, t, source);
        for (PlannedFeature feature : join.features()) {
          Object value = switch (feature) {
            case LatestValue v -> picked < 0 ? null : source.rows().get(picked)[source.column(v.sourceColumn())];
            case WindowAggregate w -> aggregate(join, w, query, queryRow, t, source);
          };
          features.put(feature.outputName(), value);
        }
      }
      List<PointInTimePlan.Column> base = plan.baseColumns();
      Object[] row = Arrays.copyOf(queryRow, base.size());
      for (int i = queryRow.length; i < row.length; i++) {
        row[i] = features.get(base.get(i).name());
      }
      out.add(derive.apply(row));
    }
    return out;
  }

  /**
   * A window aggregate for one query row, by {@link NaiveWindowAggregator}: the source rows with the
   * query row's keys (the view's TTL does not apply: the window bounds them), in position order.
   */
  private static Object aggregate(ViewJoin join, WindowAggregate w, Table query, Object[] queryRow, Instant t, Table source) {
    int eventColumn = source.column(rawColumn(join.source(), join.source().timestampColumn()));
    int createdColumn = join.source().createdColumn() == null ? -1
        : source.column(rawColumn(join.source(), join.source().createdColumn()));
    int valueColumn = w.sourceColumn() == null ? -1 : source.column(w.sourceColumn());
    List<NaiveWindowAggregator.Row> rows = new ArrayList<>();
    Object sample = null;
    String where = w.aggregation().where();
    dev.quiver.core.aggregate.RowFilter filter = null;
    int[] filterColumns = null;
    if (where != null) {
      List<String> names = dev.quiver.core.aggregate.RowFilter.columns(where);
      filterColumns = names.stream().mapToInt(n -> source.column(rawColumn(join.source(), n))).toArray();
      Map<String, ValueType> types = new HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        Object seen = null;
        for (Object[] row : source.rows()) {
          seen = seen != null ? seen : row[filterColumns[i]];
        }
        types.put(names.get(i), typeOf(seen));
      }
      filter = dev.quiver.core.aggregate.RowFilter.compile(where, types::get);
    }
    for (Object[] row : source.rows()) {
      if (filter != null) {
        Object[] args = new Object[filterColumns.length];
        for (int i = 0; i < args.length; i++) {
          args[i] = row[filterColumns[i]];
        }
        if (!filter.test(args)) {
          continue;
        }
      }
      if (sameKeys(join, query, queryRow, source, row)) {
        Object v = valueColumn < 0 ? null : row[valueColumn];
        sample = sample == null ? v : sample;
        rows.add(new NaiveWindowAggregator.Row((Instant) row[eventColumn],
            createdColumn < 0 ? null : (Instant) row[createdColumn], v));
      }
    }
    ValueType input = valueColumn < 0 ? null : typeOf(sample);
    return NaiveWindowAggregator.value(w.aggregation(), input, rows, t);
  }

  /** The Quiver type of a value as rows carry it; float64 when unknown (every value null). */
  private static ValueType typeOf(Object v) {
    return switch (v) {
      case Integer i -> ScalarType.INT32;
      case Long l -> ScalarType.INT64;
      case Float f -> ScalarType.FLOAT32;
      case Boolean b -> ScalarType.BOOL;
      case String str -> ScalarType.STRING;
      case byte[] b -> ScalarType.BYTES;
      case Instant i -> ScalarType.TIMESTAMP;
      case null, default -> ScalarType.FLOAT64;
    };
  }

  /**
   * The position of the source row a join picks for one query row, or -1 when it picks none.
   *
   * @param t the query row's time; null picks none
   */
  public static int pick(ViewJoin join, Table query, Object[] queryRow, Instant t, Table source) {
    if (t == null) {
      return -1;
    }
    int eventColumn = source.column(rawColumn(join.source(), join.source().timestampColumn()));
    int createdColumn = join.source().createdColumn() == null ? -1
        : source.column(rawColumn(join.source(), join.source().createdColumn()));
    int best = -1;
    for (int position = 0; position < source.rows().size(); position++) {
      Object[] row = source.rows().get(position);
      Instant event = (Instant) row[eventColumn];
      if (!sameKeys(join, query, queryRow, source, row) || event == null || event.isAfter(t)) {
        continue;
      }
      if (join.ttl() != null && event.isBefore(t.minus(join.ttl()))) {
        continue;
      }
      if (best < 0 || newer(source.rows().get(best), best, row, position, eventColumn, createdColumn)) {
        best = position;
      }
    }
    return best;
  }

  /** True when every join key of the query row equals the source row's; a null never matches. */
  public static boolean sameKeys(ViewJoin join, Table query, Object[] queryRow, Table source, Object[] sourceRow) {
    for (KeyBinding key : join.keys()) {
      Object q = queryRow[query.column(key.queryColumn())];
      Object s = sourceRow[source.column(key.sourceColumn())];
      if (!sameKey(q, s)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The raw (file) name of a source column that the definitions name after field mapping: the
   * mapping's key whose value is {@code mapped}, else {@code mapped} itself.
   */
  public static String rawColumn(FileSource source, String mapped) {
    for (var e : source.fieldMapping().entrySet()) {
      if (e.getValue().equals(mapped)) {
        return e.getKey();
      }
    }
    return mapped;
  }

  /** True when {@code row} (at {@code position}) orders after {@code best} (at {@code bestPosition}). */
  private static boolean newer(Object[] best, int bestPosition, Object[] row, int position, int eventColumn,
      int createdColumn) {
    int byEvent = ((Instant) row[eventColumn]).compareTo((Instant) best[eventColumn]);
    if (byEvent != 0) {
      return byEvent > 0;
    }
    if (createdColumn >= 0) {
      int byCreated = compareCreated((Instant) row[createdColumn], (Instant) best[createdColumn]);
      if (byCreated != 0) {
        return byCreated > 0;
      }
    }
    return position > bestPosition;
  }

  /** Null is older than any time. */
  private static int compareCreated(Instant a, Instant b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return a.compareTo(b);
  }

  private static boolean sameKey(Object q, Object s) {
    if (q == null || s == null) {
      return false;
    }
    if (q instanceof byte[] a && s instanceof byte[] b) {
      return Arrays.equals(a, b);
    }
    if (integral(q) && integral(s)) {
      return ((Number) q).longValue() == ((Number) s).longValue();
    }
    return q.equals(s);
  }

  private static boolean integral(Object o) {
    return o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte;
  }

  private static Table source(Map<String, Table> sources, ViewJoin join) {
    return Objects.requireNonNull(sources.get(join.source().name()),
        () -> "no rows given for source '" + join.source().name() + "' (given: " + sources.keySet() + ")");
  }
}
