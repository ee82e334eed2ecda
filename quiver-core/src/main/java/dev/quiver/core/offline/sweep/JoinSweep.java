package dev.quiver.core.offline.sweep;

import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.Aggregator;
import dev.quiver.core.aggregate.RowFilter;
import dev.quiver.core.aggregate.WindowSpec;
import dev.quiver.core.aggregate.WindowSweep;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;

/**
 * The point-in-time features of one {@link ViewJoin}, one key at a time: what a distributed engine
 * runs per partition once it has partitioned the join's source rows and query rows by key ({@link
 * PointInTimeRules#key}) and sorted them within each partition by (key, time, kind — a source row
 * before a query row of the same time —, created time with nulls first, position). For each key:
 * {@link #reset()}, then {@link #addRow} for its source rows and {@link #valuesAt} for its query
 * rows, in that order.
 *
 * <p><b>Semantics</b> (DESIGN §3, {@link dev.quiver.core.offline.PointInTimePlan}): a {@link
 * LatestValue} is the value of the last row added (rows come in tie order, so the last added with
 * {@code event_ts <= t} is the greatest), or null when there is none or it is older than {@code t −
 * TTL} ({@link PointInTimeRules#ttlAdmits}, inclusive). A {@link WindowAggregate} is the core
 * {@link WindowSweep} over the rows with {@code event_ts} in {@code [align(t − W, H), t)}: rows at
 * exactly t are held back from the window sweeps until a later query time or a later row arrives,
 * so a row never sees itself. The kernels and the order rows reach them are those of every other
 * engine, so values are equal bit for bit. Source rows with a null key or a null event time, and
 * query rows with a null key or a null t, must not be given (use {@link #emptyValues()} for such a
 * query row).
 *
 * <p><b>Input types.</b> Window aggregates compile their kernels (and {@code where} filters) for the
 * source columns' types. {@link #JoinSweep(ViewJoin, Function)} takes them from the engine, which
 * knows the source's schema; {@link #JoinSweep(ViewJoin)} takes them from the plan alone, which
 * tells them for column features, for count, sum, min, max, first, last and last_k, and for
 * variance, stddev and approx_percentile (which read any number as a double), but not for avg,
 * count_distinct and approx_count_distinct of a column no other feature reads, nor for the columns
 * of {@code where} filters: those need the two-argument constructor.
 *
 * <p>Memory: the latest row and, per aggregate, one window of tiles, plus the rows of one event
 * time being held back. Not thread-safe: one sweep per thread (partition).
 */
public final class JoinSweep {
  private final ViewJoin join;
  private final List<String> sourceColumns;
  private final int features;
  /** Per feature: the index into addRow's values; -1 for count of rows. */
  private final int[] valueIndex;
  /** Per feature: its window sweep, or null for a latest value. */
  private final WindowSweep[] sweeps;
  private final RowFilter[] filters;
  private final int[][] filterIndex;
  private final int[] aggregates;
  private final Object[] empty;
  private final long ttlMicros;

  private boolean hasLatest;
  private long latestEvent;
  private Object[] latestValues;
  private boolean started;
  private long lastEvent;
  private boolean queried;
  private long lastT;
  /** Rows at {@link #lastEvent} not yet given to the window sweeps. */
  private int held;
  private long[] heldCreated = new long[4];
  private Object[][] heldValues = new Object[4][];

  /**
   * A sweep with input types taken from the plan (see the class comment).
   *
   * @throws QuiverException when an aggregate's input type does not follow from the plan, naming it
   */
  public JoinSweep(ViewJoin join) {
    this(join, null);
  }

  /**
   * A sweep with the engine's source column types.
   *
   * @param sourceTypes the Quiver type of a raw source column ({@link #sourceColumns()}), or null
   *     when unknown; null itself to take every type from the plan
   * @throws QuiverException when an aggregate's column type is unknown or does not fit its function,
   *     or a filter does not compile
   */
  public JoinSweep(ViewJoin join, Function<String, ValueType> sourceTypes) {
    this.join = join;
    this.ttlMicros = PointInTimeRules.ttlMicros(join.ttl());
    List<String> columns = new ArrayList<>();
    for (PlannedFeature f : join.features()) {
      String c = switch (f) {
        case LatestValue v -> v.sourceColumn();
        case WindowAggregate w -> w.sourceColumn();
      };
      if (c != null && !columns.contains(c)) {
        columns.add(c);
      }
    }
    for (PlannedFeature f : join.features()) {
      if (f instanceof WindowAggregate w && w.aggregation().where() != null) {
        for (String name : RowFilter.columns(w.aggregation().where())) {
          String raw = join.source().rawColumn(name);
          if (!columns.contains(raw)) {
            columns.add(raw);
          }
        }
      }
    }
    this.sourceColumns = List.copyOf(columns);
    Function<String, ValueType> types = sourceTypes != null ? sourceTypes : planTypes(join);
    features = join.features().size();
    valueIndex = new int[features];
    sweeps = new WindowSweep[features];
    filters = new RowFilter[features];
    filterIndex = new int[features][];
    empty = new Object[features];
    List<Integer> aggs = new ArrayList<>();
    for (int f = 0; f < features; f++) {
      PlannedFeature feature = join.features().get(f);
      switch (feature) {
        case LatestValue v -> valueIndex[f] = sourceColumns.indexOf(v.sourceColumn());
        case WindowAggregate w -> {
          aggs.add(f);
          valueIndex[f] = w.sourceColumn() == null ? -1 : sourceColumns.indexOf(w.sourceColumn());
          Aggregator aggregator;
          try {
            aggregator = Aggregator.of(w.aggregation(), inputType(w, types));
            String where = w.aggregation().where();
            if (where != null) {
              filters[f] = RowFilter.compile(where, name -> filterType(types, name, where));
              filterIndex[f] = filters[f].columns().stream()
                  .mapToInt(name -> sourceColumns.indexOf(join.source().rawColumn(name))).toArray();
            }
          } catch (QuiverException e) {
            throw new QuiverException(w.ref() + " (view " + join.view() + "): " + e.getMessage(), e);
          }
          sweeps[f] = new WindowSweep(aggregator, WindowSpec.of(w.aggregation()));
          empty[f] = aggregator.finish(aggregator.newState());
        }
      }
    }
    aggregates = aggs.stream().mapToInt(Integer::intValue).toArray();
    reset();
  }

  /** The input type of an aggregate's column, from {@code types}; null for count of rows. */
  private ValueType inputType(WindowAggregate w, Function<String, ValueType> types) {
    if (w.sourceColumn() == null) {
      return null;
    }
    ValueType t = types.apply(w.sourceColumn());
    if (t == null) {
      switch (w.aggregation().function()) {
        case COUNT -> {
          return ScalarType.STRING; // counts non-null values, whatever their type
        }
        case VARIANCE, STDDEV, APPROX_PERCENTILE -> {
          return ScalarType.FLOAT64; // their kernels read every number as a double, whatever its type
        }
        default -> { }
      }
      throw new QuiverException(w.aggregation().function().spelling() + " of column '" + w.sourceColumn() + "' of source '"
          + join.source().name() + "' needs the column's type, which the plan does not tell; give the sweep the source's"
          + " column types (new JoinSweep(join, types))");
    }
    return t;
  }

  private ValueType filterType(Function<String, ValueType> types, String name, String where) {
    ValueType t = types.apply(join.source().rawColumn(name));
    if (t == null) {
      throw new QuiverException("the filter '" + where + "' reads column '" + name + "' of source '" + join.source().name()
          + "' and needs the column's type, which the plan does not tell; give the sweep the source's column types"
          + " (new JoinSweep(join, types))");
    }
    return t;
  }

  /**
   * The types the plan tells: a column feature's type is its column's; min, max, first and last give
   * their column's type, last_k its element type, and sum int64 for integer columns (int32 and int64
   * sum alike) and float64 for float ones (float32 and float64 alike).
   */
  private static Function<String, ValueType> planTypes(ViewJoin join) {
    Map<String, ValueType> known = new HashMap<>();
    Map<String, ValueType> sums = new HashMap<>();
    for (PlannedFeature f : join.features()) {
      switch (f) {
        case LatestValue v -> known.putIfAbsent(v.sourceColumn(), v.type());
        case WindowAggregate w when w.sourceColumn() != null && w.type() != null -> {
          switch (w.aggregation().function()) {
            case MIN, MAX, FIRST, LAST -> known.putIfAbsent(w.sourceColumn(), w.type());
            case LAST_K -> {
              if (w.type() instanceof ListType l) {
                known.putIfAbsent(w.sourceColumn(), l.element());
              }
            }
            case SUM -> sums.putIfAbsent(w.sourceColumn(), w.type());
            default -> { }
          }
        }
        case WindowAggregate w -> { }
      }
    }
    return column -> {
      ValueType t = known.get(column);
      return t != null ? t : sums.get(column);
    };
  }

  /**
   * The raw source columns addRow's values hold, in order: the distinct non-null source columns of
   * the join's features, in feature order, then the other columns the aggregates' {@code where}
   * filters read (raw names, in first-use order).
   */
  public List<String> sourceColumns() {
    return sourceColumns;
  }

  /** Forgets the key: the next rows and queries belong to another key. */
  public void reset() {
    for (int f : aggregates) {
      sweeps[f].reset();
    }
    hasLatest = false;
    latestValues = null;
    started = false;
    queried = false;
    Arrays.fill(heldValues, 0, held, null);
    held = 0;
  }

  /**
   * A source row of the key, in tie order: by event time, then created time, then position.
   *
   * @param createdMicros the created time, or {@link PointInTimeRules#NO_CREATED} (Long.MIN_VALUE) for none
   * @param values aligned with {@link #sourceColumns()}, Java values as {@link
   *     dev.quiver.core.offline.HistoricalRows} documents; copied, so the caller may reuse the array
   * @throws IllegalStateException when the row comes before the previous row or query in time
   */
  public void addRow(long eventMicros, long createdMicros, Object[] values) {
    if (values.length != sourceColumns.size()) {
      throw new IllegalArgumentException("a row of " + join.view() + " has " + values.length + " values; the sweep reads "
          + sourceColumns.size() + ": " + sourceColumns);
    }
    if (started && eventMicros < lastEvent) {
      throw new IllegalStateException("rows of a key must come in event time order: " + eventMicros + " after " + lastEvent);
    }
    if (queried && eventMicros <= lastT) {
      throw new IllegalStateException("a row at " + eventMicros + " came after the query at " + lastT
          + "; give a key's source rows before its query rows of the same or a later time");
    }
    add(eventMicros, createdMicros, values.clone());
  }

  /** {@link #addRow} after its checks, keeping {@code values} (the caller's own array no more). */
  private void add(long eventMicros, long createdMicros, Object[] copy) {
    if (held > 0 && eventMicros > lastEvent) {
      release();
    }
    started = true;
    lastEvent = eventMicros;
    hasLatest = true;
    latestEvent = eventMicros;
    latestValues = copy;
    if (aggregates.length > 0) {
      if (held == heldCreated.length) {
        heldCreated = Arrays.copyOf(heldCreated, held * 2);
        heldValues = Arrays.copyOf(heldValues, held * 2);
      }
      heldCreated[held] = createdMicros;
      heldValues[held++] = copy;
    }
  }

  /** Gives the held rows (all at {@link #lastEvent}) to the window sweeps, in the order they came. */
  private void release() {
    for (int r = 0; r < held; r++) {
      Object[] values = heldValues[r];
      for (int f : aggregates) {
        if (filters[f] != null && !keeps(filters[f], filterIndex[f], values)) {
          continue;
        }
        sweeps[f].add(lastEvent, heldCreated[r], valueIndex[f] < 0 ? null : values[valueIndex[f]]);
      }
      heldValues[r] = null;
    }
    held = 0;
  }

  /**
   * Runs the sweep over many keys, one machine's way: {@code n} query rows sorted by (key id, t) and
   * source rows sorted by (key id, tie order), merged per key; {@code out} receives each query row's
   * {@link #valuesAt values} and its index. Source rows of keys no query row has are skipped; query
   * rows with a null key or t belong elsewhere ({@link #emptyValues()}).
   *
   * @param kid per query row, its key id (ascending)
   * @param t per query row, its time in µs (ascending within a key)
   */
  public void run(SortedSourceRows rows, long[] kid, long[] t, int n, ObjIntConsumer<Object[]> out) {
    int width = sourceColumns.size();
    int i = 0;
    while (i < n) {
      long key = kid[i];
      reset();
      while (rows.more() && rows.kid() < key) {
        rows.advance();
      }
      for (; i < n && kid[i] == key; i++) {
        long time = t[i];
        while (rows.more() && rows.kid() == key && rows.event() <= time) {
          Object[] values = new Object[width];
          for (int v = 0; v < width; v++) {
            values[v] = rows.value(v);
          }
          add(rows.event(), rows.created(), values);
          rows.advance();
        }
        out.accept(valuesAt(time), i);
      }
      while (rows.more() && rows.kid() == key) {
        rows.advance();
      }
    }
  }

  private static boolean keeps(RowFilter filter, int[] at, Object[] values) {
    Object[] args = new Object[at.length];
    for (int i = 0; i < at.length; i++) {
      args[i] = values[at[i]];
    }
    return filter.test(args);
  }

  /**
   * The join's features (aligned with {@code join.features()}) at t: every row of the key with
   * {@code event_ts <= t} was added before, none later. Query times must not decrease between
   * {@link #reset()}s. Returns a new array each call.
   *
   * @throws IllegalStateException when a row later than t was added, or t is before the previous query's
   */
  public Object[] valuesAt(long tMicros) {
    if (started && lastEvent > tMicros) {
      throw new IllegalStateException("a row at " + lastEvent + " was added before the query at " + tMicros
          + "; give a key's rows and queries in time order");
    }
    if (queried && tMicros < lastT) {
      throw new IllegalStateException("queries of a key must come in time order: " + tMicros + " after " + lastT);
    }
    queried = true;
    lastT = tMicros;
    if (held > 0 && lastEvent < tMicros) {
      release();
    }
    Object[] out = new Object[features];
    boolean fresh = hasLatest && PointInTimeRules.ttlAdmits(latestEvent, tMicros, ttlMicros);
    for (int f = 0; f < features; f++) {
      if (sweeps[f] != null) {
        out[f] = sweeps[f].valueAt(tMicros);
      } else if (fresh) {
        out[f] = latestValues[valueIndex[f]];
      }
    }
    return out;
  }

  /**
   * The features of a query row with a null key or a null time, which matches no row: null for
   * column features, an empty window for aggregates (0 for count, count_distinct and
   * approx_count_distinct, null otherwise). Returns a new array each call.
   */
  public Object[] emptyValues() {
    return empty.clone();
  }
}
