package dev.quiver.core.offline.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.Output;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.testkit.NaivePointInTime;
import dev.quiver.testkit.NaivePointInTime.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JoinSweep} run the way a distributed engine runs it (rows and queries partitioned by
 * normalized key, sorted by key, time, kind, created time, position; one sweep per partition, reset
 * per key) against {@link NaivePointInTime}, the reference of the offline engine contract, on seeded
 * random joins: every aggregate function, filters, TTL edges, ties, null values, keys and times,
 * int32 against int64 and bytes keys. A failure names the seed, the query row and the feature.
 */
class JoinSweepTest {
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

  static LongStream seeds() {
    return LongStream.rangeClosed(1, Long.getLong("quiver.sweep.seeds", 150));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sweepEqualsNaiveReference(long seed) {
    JoinGen g = new JoinGen(seed);
    JoinGen.Case c = g.randomCase();
    List<Object[]> expected = NaivePointInTime.join(c.plan(), c.query(), Map.of(c.join().source().name(), c.source()));
    List<Object[]> actual = SweepRunner.run(c, g.random.nextInt(1, 4), j -> new JoinSweep(j, c.types()::get));
    compare(seed, c, expected, actual);
  }

  /** Where the plan tells every input type, the one-argument sweep gives the same values; otherwise it says what it needs. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void planTypedSweepEqualsNaiveOrNamesTheMissingType(long seed) {
    JoinGen g = new JoinGen(seed);
    JoinGen.Case c = g.randomCase();
    try {
      new JoinSweep(c.join());
    } catch (QuiverException e) {
      assertThat(e.getMessage()).contains("needs the column's type").contains("new JoinSweep(join, types)");
      assertThat(c.join().features()).anyMatch(f -> f instanceof WindowAggregate w && (w.aggregation().where() != null
          || List.of(AggregateFunction.AVG, AggregateFunction.COUNT_DISTINCT, AggregateFunction.APPROX_COUNT_DISTINCT)
              .contains(w.aggregation().function())));
      return;
    }
    List<Object[]> expected = NaivePointInTime.join(c.plan(), c.query(), Map.of(c.join().source().name(), c.source()));
    compare(seed, c, expected, SweepRunner.run(c, g.random.nextInt(1, 4), JoinSweep::new));
  }

  /** {@link JoinSweep#run}, the one-machine walk over key ids, gives the same values. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void runOverKeyIdsEqualsNaiveReference(long seed) {
    JoinGen g = new JoinGen(seed);
    JoinGen.Case c = g.randomCase();
    List<Object[]> expected = NaivePointInTime.join(c.plan(), c.query(), Map.of(c.join().source().name(), c.source()));
    compare(seed, c, expected, SweepRunner.runOverKeyIds(c, new JoinSweep(c.join(), c.types()::get)));
  }

  private static void compare(long seed, JoinGen.Case c, List<Object[]> expected, List<Object[]> actual) {
    assertThat(actual).hasSameSizeAs(expected);
    List<Column> columns = c.plan().columns();
    for (int r = 0; r < expected.size(); r++) {
      for (int col = 0; col < columns.size(); col++) {
        Object e = expected.get(r)[col];
        Object a = actual.get(r)[col];
        if (!same(e, a)) {
          throw new AssertionError("seed " + seed + ", query row " + r + " " + Arrays.toString(c.query().rows().get(r))
              + ", column " + columns.get(col).name() + " (" + describe(c.join(), columns.get(col).name()) + "): expected "
              + show(e) + " but the sweep gave " + show(a) + "; ttl " + c.join().ttl());
        }
      }
    }
  }

  private static String describe(ViewJoin join, String output) {
    return join.features().stream().filter(f -> f.outputName().equals(output)).map(f -> switch (f) {
      case LatestValue v -> "latest " + v.sourceColumn();
      case WindowAggregate w -> w.aggregation().function().spelling() + "(" + w.sourceColumn() + ") over "
          + w.aggregation().window().spelling() + " hop " + w.aggregation().effectiveHop()
          + (w.aggregation().where() == null ? "" : " where " + w.aggregation().where());
    }).findFirst().orElse("query column");
  }

  @Test
  void ttlBoundsAreInclusiveAndRowsAtTAreLatestButNotInTheWindow() {
    FileSource source = new FileSource("s", "s.parquet", FileFormat.PARQUET, "ev", null, Map.of(), null);
    Aggregation count = Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofHours(1)))
        .withHop(Duration.ofMinutes(1));
    ViewJoin join = new ViewJoin("v@v1", source, List.of(new KeyBinding("k", "k", ScalarType.INT64)), Duration.ofMinutes(10),
        List.of(new LatestValue(new FeatureRef("v", 1, "x"), "x", "x", ScalarType.INT64),
            new WindowAggregate(new FeatureRef("v", 1, "n"), null, count, "n", ScalarType.INT64)));
    JoinSweep sweep = new JoinSweep(join);
    assertThat(sweep.sourceColumns()).containsExactly("x");
    assertThat(sweep.emptyValues()).containsExactly(null, 0L);
    long minute = 60_000_000L;
    sweep.addRow(0, PointInTimeRules.NO_CREATED, new Object[] {1L});
    assertThat(sweep.valuesAt(0)).containsExactly(1L, 0L); // the row at t is the latest, but not in [.., t)
    assertThat(sweep.valuesAt(10 * minute)).containsExactly(1L, 1L); // exactly t - TTL: admitted
    assertThat(sweep.valuesAt(10 * minute + 1)).containsExactly(null, 1L); // one µs later: too old
    sweep.addRow(20 * minute, 5, new Object[] {2L});
    sweep.addRow(20 * minute, 5, new Object[] {3L}); // a tie: the later position wins
    assertThat(sweep.valuesAt(20 * minute)).containsExactly(3L, 1L);
    assertThat(sweep.valuesAt(20 * minute + 1)).containsExactly(3L, 3L);
    assertThatThrownBy(() -> sweep.addRow(20 * minute, 6, new Object[] {4L})).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before its query rows");
    sweep.reset();
    assertThat(sweep.valuesAt(20 * minute)).containsExactly(null, 0L);
    sweep.addRow(30 * minute, 0, new Object[] {5L});
    assertThatThrownBy(() -> sweep.valuesAt(29 * minute)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keysCompareByValue() {
    assertThat(PointInTimeRules.key(7)).isEqualTo(PointInTimeRules.key(7L));
    assertThat(PointInTimeRules.sameKey((short) 7, 7L)).isTrue();
    assertThat(PointInTimeRules.key(new byte[] {1, 2})).isEqualTo(PointInTimeRules.key(new byte[] {1, 2}))
        .hasSameHashCodeAs(PointInTimeRules.key(new byte[] {1, 2}));
    assertThat(PointInTimeRules.sameKey(new byte[] {1}, new byte[] {2})).isFalse();
    assertThat(PointInTimeRules.sameKey(null, null)).isFalse();
    assertThat(PointInTimeRules.sameKey("a", "a")).isTrue();
    assertThat(PointInTimeRules.keyInPlace(new Object[] {1, null})).isFalse();
    assertThat(PointInTimeRules.ttlAdmits(Long.MIN_VALUE, Long.MIN_VALUE + 5, Long.MAX_VALUE)).isTrue();
    assertThat(PointInTimeRules.ttlMicros(Duration.ofDays(365L * 1_000_000_000))).isEqualTo(Long.MAX_VALUE);
    assertThat(PointInTimeRules.compareRows(1, PointInTimeRules.NO_CREATED, 9, 1, 0, 0)).isNegative();
    assertThat(PointInTimeRules.later(1, 0, 1, 1, 0, 0)).isTrue();
  }

  static boolean same(Object a, Object b) {
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a == null ? b == null : b != null && a.getClass() == b.getClass() && a.equals(b);
  }

  static String show(Object v) {
    if (v instanceof byte[] b) {
      return "bytes" + Arrays.toString(b);
    }
    return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
  }

  /** What a distributed engine does around the sweep, in memory. */
  static final class SweepRunner {
    private record Item(List<Object> key, long time, int kind, long created, long position, Object[] values) {}

    static List<Object[]> run(JoinGen.Case c, int partitions, Function<ViewJoin, JoinSweep> newSweep) {
      ViewJoin join = c.join();
      Table source = c.source();
      Table query = c.query();
      int ev = source.column(join.source().timestampColumn());
      int cr = join.source().createdColumn() == null ? -1 : source.column(join.source().createdColumn());
      int ts = query.column(c.plan().timestampColumn());
      JoinSweep prototype = newSweep.apply(join);
      List<String> columns = prototype.sourceColumns();
      List<List<Item>> parts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        parts.add(new ArrayList<>());
      }
      Object[][] features = new Object[query.rows().size()][];
      for (int i = 0; i < source.rows().size(); i++) {
        Object[] row = source.rows().get(i);
        List<Object> key = key(join, source, row, true);
        if (key == null || row[ev] == null) {
          continue;
        }
        Object[] values = columns.stream().map(name -> row[source.column(name)]).toArray();
        long created = cr < 0 || row[cr] == null ? PointInTimeRules.NO_CREATED : micros((Instant) row[cr]);
        parts.get(Math.floorMod(key.hashCode(), partitions)).add(new Item(key, micros((Instant) row[ev]), 0, created, i, values));
      }
      for (int i = 0; i < query.rows().size(); i++) {
        Object[] row = query.rows().get(i);
        List<Object> key = key(join, query, row, false);
        if (key == null || row[ts] == null) {
          features[i] = prototype.emptyValues();
          continue;
        }
        parts.get(Math.floorMod(key.hashCode(), partitions)).add(new Item(key, micros((Instant) row[ts]), 1, 0, i, null));
      }
      Comparator<Item> order = Comparator.<Item, String>comparing(it -> it.key().toString())
          .thenComparingLong(Item::time).thenComparingInt(Item::kind).thenComparingLong(Item::created)
          .thenComparingLong(Item::position);
      for (int p = 0; p < partitions; p++) {
        List<Item> items = parts.get(p);
        items.sort(order);
        JoinSweep sweep = p == 0 ? prototype : newSweep.apply(join);
        List<Object> current = null;
        for (Item it : items) {
          if (!it.key().equals(current)) {
            sweep.reset();
            current = it.key();
          }
          if (it.kind() == 0) {
            sweep.addRow(it.time(), it.created(), it.values());
          } else {
            features[(int) it.position()] = sweep.valuesAt(it.time());
          }
        }
      }
      List<Object[]> out = new ArrayList<>();
      for (int i = 0; i < query.rows().size(); i++) {
        Object[] q = query.rows().get(i);
        Object[] row = Arrays.copyOf(q, q.length + features[i].length);
        System.arraycopy(features[i], 0, row, q.length, features[i].length);
        out.add(row);
      }
      return out;
    }

    /** Key ids in order of first appearance among the query rows; rows sorted as {@link SortedSourceRows} says. */
    static List<Object[]> runOverKeyIds(JoinGen.Case c, JoinSweep sweep) {
      ViewJoin join = c.join();
      Table source = c.source();
      Table query = c.query();
      int ev = source.column(join.source().timestampColumn());
      int cr = join.source().createdColumn() == null ? -1 : source.column(join.source().createdColumn());
      int ts = query.column(c.plan().timestampColumn());
      Map<List<Object>, Integer> ids = new LinkedHashMap<>();
      Object[][] features = new Object[query.rows().size()][];
      List<long[]> queries = new ArrayList<>(); // kid, t, index
      for (int i = 0; i < query.rows().size(); i++) {
        Object[] row = query.rows().get(i);
        List<Object> key = key(join, query, row, false);
        if (key == null || row[ts] == null) {
          features[i] = sweep.emptyValues();
          continue;
        }
        int id = ids.computeIfAbsent(key, k -> ids.size());
        queries.add(new long[] {id, micros((Instant) row[ts]), i});
      }
      queries.sort(Comparator.<long[]>comparingLong(q -> q[0]).thenComparingLong(q -> q[1]));
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < source.rows().size(); i++) {
        Object[] row = source.rows().get(i);
        List<Object> key = key(join, source, row, true);
        Integer id = key == null ? null : ids.get(key);
        if (id == null || row[ev] == null) {
          continue;
        }
        Object[] values = sweep.sourceColumns().stream().map(name -> row[source.column(name)]).toArray();
        long created = cr < 0 || row[cr] == null ? PointInTimeRules.NO_CREATED : micros((Instant) row[cr]);
        items.add(new Item(List.of(id), micros((Instant) row[ev]), 0, created, i, values));
      }
      items.sort(Comparator.<Item>comparingInt(it -> (Integer) it.key().getFirst()).thenComparingLong(Item::time)
          .thenComparingLong(Item::created).thenComparingLong(Item::position));
      SortedSourceRows cursor = new SortedSourceRows() {
        int at;

        @Override public boolean more() {
          return at < items.size();
        }

        @Override public long kid() {
          return (Integer) items.get(at).key().getFirst();
        }

        @Override public long event() {
          return items.get(at).time();
        }

        @Override public long created() {
          return items.get(at).created();
        }

        @Override public Object value(int column) {
          return items.get(at).values()[column];
        }

        @Override public void advance() {
          at++;
        }
      };
      long[] kid = queries.stream().mapToLong(q -> q[0]).toArray();
      long[] t = queries.stream().mapToLong(q -> q[1]).toArray();
      sweep.run(cursor, kid, t, queries.size(), (values, i) -> features[(int) queries.get(i)[2]] = values);
      List<Object[]> out = new ArrayList<>();
      for (int i = 0; i < query.rows().size(); i++) {
        Object[] q = query.rows().get(i);
        Object[] row = Arrays.copyOf(q, q.length + features[i].length);
        System.arraycopy(features[i], 0, row, q.length, features[i].length);
        out.add(row);
      }
      return out;
    }

    private static List<Object> key(ViewJoin join, Table table, Object[] row, boolean source) {
      Object[] key = new Object[join.keys().size()];
      for (int k = 0; k < key.length; k++) {
        KeyBinding b = join.keys().get(k);
        key[k] = row[table.column(source ? b.sourceColumn() : b.queryColumn())];
      }
      return PointInTimeRules.keyInPlace(key) ? Arrays.asList(key) : null;
    }
  }

  static long micros(Instant i) {
    return Timestamps.toMicros(i);
  }

  /** Seeded random joins: a source table, query rows and a plan of one join. */
  static final class JoinGen {
    record Case(PointInTimePlan plan, ViewJoin join, Table source, Table query, Map<String, ValueType> types) {}

    final java.util.SplittableRandom random;

    JoinGen(long seed) {
      random = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
    }

    private static final List<ValueType> TYPES = List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32,
        ScalarType.FLOAT64, ScalarType.BOOL, ScalarType.STRING, ScalarType.BYTES, ScalarType.TIMESTAMP,
        new dev.quiver.core.model.ListType(ScalarType.INT64), new dev.quiver.core.model.ListType(ScalarType.STRING));
    private static final long STEP = 30_000_000L; // 30 s: a coarse grid, so times, TTL edges and hops collide

    Case randomCase() {
      // value columns: c0..cN of random types, plus w (int64, read by filters, mapped from raw w_raw)
      int nColumns = random.nextInt(2, 6);
      Map<String, ValueType> types = new LinkedHashMap<>();
      for (int i = 0; i < nColumns; i++) {
        types.put("c" + i, pick(TYPES));
      }
      types.put("w_raw", ScalarType.INT64);
      boolean created = random.nextInt(3) > 0;
      FileSource source = new FileSource("src", "src.parquet", FileFormat.PARQUET, "ev", created ? "cr" : null,
          Map.of("w_raw", "w"), null);
      int keyWidth = random.nextInt(1, 3);
      int keyKind = random.nextInt(3); // 0: int32 source vs int64 query, 1: strings, 2: bytes
      List<KeyBinding> keys = new ArrayList<>();
      for (int k = 0; k < keyWidth; k++) {
        keys.add(new KeyBinding("q" + k, "k" + k, keyKind == 0 ? ScalarType.INT64 : keyKind == 1 ? ScalarType.STRING
            : ScalarType.BYTES));
      }
      List<PlannedFeature> features = new ArrayList<>();
      int nFeatures = random.nextInt(1, 8);
      for (int f = 0; f < nFeatures; f++) {
        FeatureRef ref = new FeatureRef("v", 1, "f" + f);
        if (random.nextInt(3) == 0) {
          String col = "c" + random.nextInt(nColumns);
          features.add(new LatestValue(ref, col, "f" + f, types.get(col)));
        } else {
          features.add(aggregate(ref, "f" + f, types, nColumns));
        }
      }
      Duration ttl = switch (random.nextInt(4)) {
        case 0 -> null;
        case 1 -> Duration.ofSeconds(30L * random.nextInt(1, 20));
        case 2 -> Duration.ofSeconds(30L * random.nextInt(1, 20) + 1);
        default -> Duration.ofDays(1);
      };
      ViewJoin join = new ViewJoin("v@v1", source, keys, ttl, features);

      int keySpace = random.nextInt(1, 12);
      List<String> sourceColumns = new ArrayList<>();
      for (int k = 0; k < keyWidth; k++) {
        sourceColumns.add("k" + k);
      }
      sourceColumns.add("ev");
      sourceColumns.add("cr");
      sourceColumns.addAll(types.keySet());
      List<Object[]> rows = new ArrayList<>();
      int nRows = random.nextInt(0, 300);
      int span = random.nextInt(2, 120);
      for (int i = 0; i < nRows; i++) {
        List<Object> row = new ArrayList<>();
        for (int k = 0; k < keyWidth; k++) {
          row.add(random.nextInt(40) == 0 ? null : keyValue(keyKind, random.nextInt(keySpace), true));
        }
        Instant ev = random.nextInt(50) == 0 ? null : time(span);
        row.add(ev);
        row.add(!created || ev == null || random.nextInt(4) == 0 ? null : ev.plusSeconds(random.nextInt(3) * 30L));
        for (var e : types.entrySet()) {
          row.add(random.nextInt(6) == 0 ? null : value(e.getValue()));
        }
        rows.add(row.toArray());
      }
      Table sourceTable = new Table(sourceColumns, rows);

      List<String> queryColumns = new ArrayList<>();
      for (int k = 0; k < keyWidth; k++) {
        queryColumns.add("q" + k);
      }
      queryColumns.add("t");
      List<Object[]> queries = new ArrayList<>();
      int nQueries = random.nextInt(1, 120);
      for (int i = 0; i < nQueries; i++) {
        List<Object> row = new ArrayList<>();
        for (int k = 0; k < keyWidth; k++) {
          row.add(random.nextInt(40) == 0 ? null : keyValue(keyKind, random.nextInt(keySpace + 1), false));
        }
        Instant t;
        if (random.nextInt(30) == 0) {
          t = null;
        } else if (!rows.isEmpty() && random.nextInt(3) == 0 && rows.get(random.nextInt(rows.size()))[keyWidth] instanceof Instant e) {
          t = random.nextBoolean() ? e : e.plus(ttl == null ? Duration.ofMinutes(5) : ttl).plusNanos(1000L * (random.nextInt(3) - 1));
        } else {
          t = time(span + 10);
        }
        row.add(t);
        queries.add(row.toArray());
      }
      Table queryTable = new Table(queryColumns, queries);
      List<Column> qcols = new ArrayList<>();
      for (int k = 0; k < keyWidth; k++) {
        qcols.add(new Column("q" + k, keys.get(k).type()));
      }
      qcols.add(new Column("t", ScalarType.TIMESTAMP));
      List<Output> outputs = features.stream().map(f -> new Output(f.outputName(),
          ((FeatureRef) (f instanceof LatestValue v ? v.ref() : ((WindowAggregate) f).ref())), f.type())).toList();
      PointInTimePlan plan = new PointInTimePlan(new QueryInput.Sql("SELECT 1"), qcols, "t", List.of(join), outputs, 0,
          List.of(source));
      return new Case(plan, join, sourceTable, queryTable, types);
    }

    private WindowAggregate aggregate(FeatureRef ref, String name, Map<String, ValueType> types, int nColumns) {
      AggregateFunction fn = pick(List.of(AggregateFunction.values()));
      String column = null;
      if (!(fn == AggregateFunction.COUNT && random.nextBoolean())) {
        List<String> fit = new ArrayList<>();
        for (int i = 0; i < nColumns; i++) {
          ValueType t = types.get("c" + i);
          boolean ok = switch (fn) {
            case COUNT, FIRST, LAST -> true;
            case SUM, AVG, STDDEV, VARIANCE, APPROX_PERCENTILE -> t.isNumeric();
            case MIN, MAX -> t instanceof ScalarType s && s != ScalarType.BYTES;
            case LAST_K, COUNT_DISTINCT, APPROX_COUNT_DISTINCT -> t instanceof ScalarType;
          };
          if (ok) {
            fit.add("c" + i);
          }
        }
        column = fit.isEmpty() ? "w_raw" : pick(fit);
      }
      Duration hop = Duration.ofSeconds(pick(List.of(30L, 60L, 90L, 300L)));
      Window window = random.nextInt(5) == 0 ? Window.lifetime() : Window.of(hop.multipliedBy(random.nextInt(1, 12)));
      Aggregation a = new Aggregation(fn, column, window, hop, null, 0, 0);
      if (fn == AggregateFunction.LAST_K) {
        a = a.withK(random.nextInt(1, 5));
      }
      if (fn == AggregateFunction.APPROX_PERCENTILE) {
        a = a.withPercentile(pick(List.of(0.1, 0.5, 0.9)));
      }
      if (random.nextInt(4) == 0) {
        a = a.where(pick(List.of("w > 0", "w IS NOT NULL", "w % 2 = 0")));
      }
      ValueType input = column == null ? null : types.get(column);
      return new WindowAggregate(ref, column, a, name, fn.resultType(input));
    }

    private Object keyValue(int kind, int n, boolean source) {
      return switch (kind) {
        case 0 -> source && random.nextBoolean() ? (Object) n : (Object) (long) n;
        case 1 -> "k" + n;
        default -> new byte[] {(byte) n, 7};
      };
    }

    private Instant time(int span) {
      return BASE.plusNanos(1000 * (STEP * random.nextInt(span) + (random.nextInt(8) == 0 ? random.nextInt(-1, 2) : 0)));
    }

    private Object value(ValueType type) {
      if (type instanceof dev.quiver.core.model.ListType l) {
        List<Object> items = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          items.add(random.nextInt(5) == 0 ? null : value(l.element()));
        }
        return items;
      }
      return switch ((ScalarType) type) {
        case INT32 -> random.nextInt(8) == 0 ? pick(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE)) : random.nextInt(-5, 6);
        case INT64 -> random.nextInt(8) == 0 ? pick(List.of((1L << 53) + 1, -(1L << 60))) : (long) random.nextInt(-5, 6);
        case FLOAT32 -> (float) doubleValue();
        case FLOAT64 -> doubleValue();
        case BOOL -> random.nextBoolean();
        case STRING -> pick(List.of("a", "b", "", "zürich"));
        case BYTES -> pick(List.of(new byte[] {1}, new byte[] {(byte) 200}, new byte[0]));
        case TIMESTAMP -> BASE.plusSeconds(random.nextInt(5));
      };
    }

    private double doubleValue() {
      return switch (random.nextInt(10)) {
        case 0 -> pick(List.of(1e16, -1e16, 0.1, -0.0, 0.0, 1e100));
        case 1 -> random.nextInt(30) == 0 ? pick(List.of(Double.NaN, Double.POSITIVE_INFINITY)) : 2.5;
        default -> Math.scalb(random.nextDouble() - 0.5, random.nextInt(-20, 20));
      };
    }

    <T> T pick(List<T> items) {
      return items.get(random.nextInt(items.size()));
    }
  }
}
