package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.sweep.JoinSlots;
import dev.quiver.core.offline.sweep.KeyIds;
import dev.quiver.core.offline.sweep.PointInTimeRules;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleConsumer;
import org.duckdb.DuckDBChunkedResult;
import org.duckdb.DuckDBPreparedStatement;

/**
 * The point-in-time match of the view joins that read one source: for every query row and join,
 * the position of the source row the plan picks (DESIGN §3), into one table with a row per query
 * row, in query order, and a column per join (null where nothing matches).
 *
 * <p>A hash ASOF join, built on the query side: the query rows become {@link JoinSlots} (a few
 * dozen bytes each), then the source is scanned once for all its joins, in whatever order DuckDB
 * reads it, and each row is offered to its key's slot. Nothing of the source is sorted or kept, so
 * the cost grows linearly with the source rows, and a source read by several views is read once.
 * Keys of integer columns are numbered in Java; other keys (strings, bytes, timestamps, mixed
 * types) are numbered by a DuckDB join with the query's distinct keys, exactly as DuckDB compares
 * them. The scan is read from DuckDB's data chunks on a thread of its own and each join takes the
 * rows on a thread of its own; on the query side, each join's keys are numbered on a thread of
 * their own too.
 */
final class LatestRowMatch {
  private static final Set<String> INTEGERS = Set.of("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT");
  /** Offers go in runs of this many rows, their keys' cursors loaded first ({@link JoinSlots#touch}). */
  private static final int TOUCH = 64;

  private final String query;
  private final String timestampColumn;
  private final SourceScan scan;
  private final List<ViewJoin> joins;

  /**
   * @param query the staged query table (its rowid is the input position)
   * @param timestampColumn the query column holding t
   * @param scan the source every join reads
   * @param joins the joins, each with at least one column feature
   */
  LatestRowMatch(String query, String timestampColumn, SourceScan scan, List<ViewJoin> joins) {
    this.query = query;
    this.timestampColumn = timestampColumn;
    this.scan = scan;
    this.joins = List.copyOf(joins);
  }

  /** What {@code explain} prints for this step. */
  String describe(String table, List<String> columns) {
    StringBuilder s = new StringBuilder("Java: a hash ASOF join of the query rows with ").append(scan.relation)
        .append(", read once for ").append(joins.size() == 1 ? "one view" : joins.size() + " views")
        .append(", into ").append(table).append(" (one row per query row, in query order):\n");
    for (int j = 0; j < joins.size(); j++) {
      ViewJoin join = joins.get(j);
      s.append("  ").append(columns.get(j)).append(": the position picked for ").append(join.view()).append(" on ")
          .append(join.keys().stream().map(KeyBinding::sourceColumn).toList())
          .append(join.ttl() == null ? "" : ", ttl " + Durations.format(join.ttl())).append('\n');
    }
    return s.append("  latest row with ").append(scan.eventColumn).append(" <= t").append(scan.createdColumn == null ? "" : ", ties by " + scan.createdColumn)
        .append(", then position ").append(scan.positionKey("")).toString();
  }

  /** How one join numbers its keys. */
  private static final class Keys {
    final ViewJoin join;
    /** Numbered in Java (integer key columns), or null: numbered by a DuckDB join with {@link #dictionary}. */
    final KeyIds ids;
    final String dictionary;
    int count;

    /**
     * @param distinct for keys numbered in Java, about how many distinct keys the query rows have:
     *     the table is sized for them, so it is built without (or with one) rehashing and stays as
     *     small (and as much in cache) as it can
     */
    Keys(ViewJoin join, boolean integers, String dictionary, long distinct) {
      this.join = join;
      this.ids = integers && !join.keys().isEmpty() ? new KeyIds(join.keys().size(), (int) Math.max(1, distinct)) : null;
      this.dictionary = integers || join.keys().isEmpty() ? null : dictionary;
    }
  }

  /**
   * Creates {@code table}: one row per query row, in query order, with per join (in {@code
   * columns}) the position of the source row it picks, or null.
   */
  void run(Connection c, String table, List<String> columns, DoubleConsumer progress) throws SQLException {
    int n = Math.toIntExact(count(c, query));
    boolean[] integers = new boolean[joins.size()];
    for (int j = 0; j < joins.size(); j++) {
      integers[j] = integerKeys(c, joins.get(j));
    }
    long[] distinct = approximateDistinctKeys(c, integers);
    List<Keys> keys = new ArrayList<>();
    for (int j = 0; j < joins.size(); j++) {
      keys.add(new Keys(joins.get(j), integers[j], table + "_keys" + j, distinct[j]));
    }
    try (Statement s = c.createStatement()) {
      for (Keys k : keys) {
        if (k.dictionary != null) {
          s.execute("CREATE OR REPLACE TEMP TABLE " + k.dictionary + " AS SELECT (row_number() OVER () - 1)::INTEGER AS kid, *"
              + " FROM " + distinctKeys(k.join));
          k.count = Math.toIntExact(count(c, k.dictionary));
        } else if (k.ids == null) {
          k.count = 1; // no keys: every row has the one key
        }
      }
    }
    long t0 = System.nanoTime();
    List<JoinSlots> slots;
    long t1;
    try (Statement s = c.createStatement()) {
      // streamed (nothing else runs on the connection meanwhile), so no result is materialized
      s.execute("SET jdbc_stream_results = true");
      try {
        slots = querySlots(c, keys, n);
      } finally {
        s.execute("SET jdbc_stream_results = false"); // the engine's default; RESET leaves it unset
      }
    }
    t1 = System.nanoTime();
    progress.accept(0.1);
    scanSource(c, keys, slots, fraction -> progress.accept(0.1 + 0.8 * fraction));
    long t2 = System.nanoTime();
    long[][] picked = new long[slots.size()][n];
    boolean[][] none = new boolean[slots.size()][n];
    for (int j = 0; j < slots.size(); j++) {
      Arrays.fill(none[j], true);
      slots.get(j).pickInto(picked[j], none[j]);
    }
    PicksTable.write(c, table, columns, picked, none, n);
    long t3 = System.nanoTime();
    if (StepRunner.timings()) {
      System.err.printf("quiver offline:   match: query rows %.3f s, source scan %.3f s, writing picks %.3f s; keys numbered in Java: %s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
          keys.stream().map(k -> k.ids != null).toList());
    }
    progress.accept(1);
  }

  private static long count(Connection c, String relation) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + relation)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * For each join with {@code integers[j]}, about how many distinct non-null keys the query rows
   * have (DuckDB's HyperLogLog estimate, in one pass for every join: it only sizes a table that
   * grows when it must); 0 for the others.
   */
  private long[] approximateDistinctKeys(Connection c, boolean[] integers) throws SQLException {
    long[] out = new long[joins.size()];
    StringBuilder select = new StringBuilder();
    for (int j = 0; j < joins.size(); j++) {
      if (integers[j]) {
        List<String> key = queryKeys(joins.get(j));
        String value = key.size() == 1 ? key.get(0) : "(" + String.join(", ", key) + ")";
        select.append(select.isEmpty() ? "" : ", ").append("approx_count_distinct(").append(value).append(") FILTER (WHERE ")
            .append(allNotNull(key)).append(")");
      }
    }
    if (select.isEmpty()) {
      return out;
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + select + " FROM " + query)) {
      rs.next();
      for (int j = 0, col = 1; j < joins.size(); j++) {
        if (integers[j]) {
          out[j] = rs.getLong(col++);
        }
      }
    }
    return out;
  }

  /** The join's distinct non-null keys in the query rows, as a relation with columns {@code __quiver_k0...}. */
  private String distinctKeys(ViewJoin join) {
    List<String> key = queryKeys(join);
    StringBuilder cols = new StringBuilder();
    for (int i = 0; i < key.size(); i++) {
      cols.append(i == 0 ? "" : ", ").append(key.get(i)).append(" AS __quiver_k").append(i);
    }
    return "(SELECT DISTINCT " + cols + " FROM " + query + " WHERE " + allNotNull(key) + ")";
  }

  /** The join's key columns in the query rows, quoted. */
  private static List<String> queryKeys(ViewJoin join) {
    return join.keys().stream().map(k -> id(k.queryColumn())).toList();
  }

  private static String allNotNull(List<String> columns) {
    return String.join(" AND ", columns.stream().map(c -> c + " IS NOT NULL").toList());
  }

  /** True when every key column is an integer type on both sides, so Java can number the keys. */
  private boolean integerKeys(Connection c, ViewJoin join) throws SQLException {
    if (join.keys().isEmpty()) {
      return false;
    }
    StringBuilder q = new StringBuilder();
    StringBuilder s = new StringBuilder();
    for (KeyBinding k : join.keys()) {
      q.append(q.isEmpty() ? "" : ", ").append(id(k.queryColumn()));
      s.append(s.isEmpty() ? "" : ", ").append(id(k.sourceColumn()));
    }
    return allIntegers(c, "SELECT " + q + " FROM " + query) && allIntegers(c, "SELECT " + s + " FROM " + scan.relation);
  }

  private static boolean allIntegers(Connection c, String select) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE " + select)) {
      while (rs.next()) {
        if (!INTEGERS.contains(rs.getString("column_type").toUpperCase(Locale.ROOT))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Reads the query rows with a time, in t order, numbering keys; one {@link JoinSlots} per join. */
  private List<JoinSlots> querySlots(Connection c, List<Keys> keys, int n) throws SQLException {
    String t = "CAST(q." + id(timestampColumn) + " AS TIMESTAMP)";
    StringBuilder select = new StringBuilder("SELECT q.rowid, epoch_us(").append(t).append(") AS __quiver_t");
    StringBuilder from = new StringBuilder(" FROM ").append(query).append(" q");
    int[][] columns = keyColumns(keys, true, select, from);
    select.append(from).append(" WHERE ").append(t).append(" IS NOT NULL ORDER BY __quiver_t");
    int distinct = Arrays.stream(columns).flatMapToInt(Arrays::stream).max().orElse(-1) + 1;
    long[] times = new long[n];
    int[] rows = new int[n];
    long[][] values = new long[distinct][n];
    boolean[][] nulls = new boolean[distinct][n];
    int m = 0;
    // JDBC rather than chunks: a chunked result runs the query, and its sort, on one thread
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select.toString())) {
      while (rs.next()) {
        rows[m] = Math.toIntExact(rs.getLong(1));
        times[m] = rs.getLong(2);
        for (int col = 0; col < distinct; col++) {
          values[col][m] = rs.getLong(3 + col);
          nulls[col][m] = rs.wasNull();
        }
        m++;
      }
    }
    // each join on a thread of its own: the joins' key tables are independent, each built by one thread
    JoinSlots[] out = new JoinSlots[keys.size()];
    int rowCount = m;
    List<Runnable> tasks = new ArrayList<>();
    for (int j = 0; j < keys.size(); j++) {
      int join = j;
      tasks.add(() -> out[join] = slots(keys.get(join), columns[join], values, nulls, times, rows, rowCount));
    }
    inParallel(tasks);
    return List.of(out);
  }

  /** One join's slots: its keys numbered from its key columns (a null key part: no key), then sorted by key. */
  private static JoinSlots slots(Keys k, int[] cols, long[][] values, boolean[][] nulls, long[] times, int[] rows, int m) {
    int[] kid = numberKeys(k, cols, values, nulls, m);
    if (k.ids != null) {
      k.count = k.ids.size();
      k.ids.seal();
    }
    long ttl = PointInTimeRules.ttlMicros(k.join.ttl());
    return new JoinSlots(k.count, kid, times, rows, m, ttl);
  }

  /**
   * Runs {@code tasks} on up to one thread per core, this one included; rethrows the first failure.
   * The tasks must not wait for one another (the source scan's joins do, and have a thread each).
   */
  private static void inParallel(List<Runnable> tasks) {
    int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      tasks.forEach(Runnable::run);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads - 1, r -> {
      Thread t = new Thread(r, "quiver-match-keys");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> others = new ArrayList<>();
      for (int j = 1; j < tasks.size(); j++) {
        others.add(pool.submit(tasks.get(j)));
      }
      tasks.get(0).run();
      for (Future<?> f : others) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The key id of each of the {@code m} query rows, -1 for a null key part. */
  private static int[] numberKeys(Keys k, int[] cols, long[][] values, boolean[][] nulls, int m) {
    int[] kid = new int[m];
    if (k.ids != null && cols.length == 1) {
      long[] a = values[cols[0]];
      boolean[] na = nulls[cols[0]];
      long[] tuple = new long[1];
      for (int i = 0; i < m; i++) {
        tuple[0] = a[i];
        kid[i] = na[i] ? -1 : k.ids.add(tuple);
      }
    } else if (k.ids != null) {
      long[] tuple = new long[cols.length];
      for (int i = 0; i < m; i++) {
        boolean missing = false;
        for (int c = 0; c < cols.length; c++) {
          tuple[c] = values[cols[c]][i];
          missing |= nulls[cols[c]][i];
        }
        kid[i] = missing ? -1 : k.ids.add(tuple);
      }
    } else if (k.dictionary != null) {
      long[] id = values[cols[0]];
      boolean[] isNull = nulls[cols[0]];
      for (int i = 0; i < m; i++) {
        kid[i] = isNull[i] ? -1 : (int) id[i];
      }
    }
    return kid;
  }

  /** One scan of the source for every join, read on a thread of its own; offers each row to each join's slots. */
  private void scanSource(Connection c, List<Keys> keys, List<JoinSlots> slots, DoubleConsumer progress) throws SQLException {
    long total = Math.max(1, count(c, scan.relation));
    StringBuilder select = new StringBuilder("SELECT epoch_us(").append(scan.event()).append("), ")
        .append(scan.createdColumn == null ? "NULL::BIGINT" : "epoch_us(" + scan.created() + ")").append(", ")
        .append(scan.positionKey("s."));
    StringBuilder from = new StringBuilder(" FROM ").append(scan.relation).append(" s");
    int[][] columns = keyColumns(keys, false, select, from);
    select.append(from).append(" WHERE ").append(scan.event()).append(" IS NOT NULL");
    if (keys.stream().allMatch(k -> k.dictionary != null)) {
      // only rows with some join's key can matter
      StringBuilder anyKey = new StringBuilder();
      for (int j = 0; j < keys.size(); j++) {
        anyKey.append(j == 0 ? "" : " OR ").append("d").append(j).append(".kid IS NOT NULL");
      }
      select.append(" AND (").append(anyKey).append(')');
    }
    int distinct = Arrays.stream(columns).flatMapToInt(Arrays::stream).max().orElse(-1) + 1;
    MatchRows.JoinKey[] joinKeys = new MatchRows.JoinKey[keys.size()];
    for (int j = 0; j < keys.size(); j++) {
      joinKeys[j] = new MatchRows.JoinKey(columns[j], keys.get(j).ids);
    }
    try (DuckDBPreparedStatement s = c.prepareStatement(select.toString()).unwrap(DuckDBPreparedStatement.class);
        DuckDBChunkedResult rs = s.query();
        MatchRows rows = new MatchRows(rs, distinct, joinKeys)) {
      // each join on a thread of its own (this one takes the first), each at its own pace
      int n = slots.size();
      ExecutorService helpers = n == 1 ? null : Executors.newFixedThreadPool(n - 1, r -> {
        Thread t = new Thread(r, "quiver-match-offers");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<?>> others = new ArrayList<>();
        for (int j = 1; j < n; j++) {
          int join = j;
          others.add(helpers.submit(() -> {
            try {
              offerAll(rows, join, slots.get(join), f -> {});
            } catch (RuntimeException | Error e) {
              rows.stop(); // the other joins would wait for this one's batches forever
              throw e;
            }
          }));
        }
        try {
          offerAll(rows, 0, slots.get(0), seen -> progress.accept(Math.min(1.0, (double) seen / total)));
        } catch (RuntimeException | Error e) {
          rows.stop();
          throw e;
        }
        for (Future<?> f : others) {
          await(f);
        }
      } finally {
        if (helpers != null) {
          helpers.shutdownNow();
        }
      }
    }
  }

  /** Offers every source row to one join's slots; {@code seen} gets the rows done so far. */
  private static void offerAll(MatchRows rows, int j, JoinSlots js, java.util.function.LongConsumer seen) {
    long cpu = StepRunner.timings() ? threadCpu() : 0;
    long done = 0;
    MatchRows.Batch b;
    while ((b = rows.next(j)) != null) {
      rows.lookUp(b, j);
      int[] kid = b.kid[j];
      for (int from = 0; from < b.size; from += TOUCH) {
        int to = Math.min(b.size, from + TOUCH);
        js.touch(kid, from, to);
        for (int i = from; i < to; i++) {
          if (kid[i] >= 0) {
            js.offer(kid[i], b.event[i], b.created[i], b.position[i]);
          }
        }
      }
      done += b.size;
      seen.accept(done);
    }
    if (StepRunner.timings()) {
      System.err.printf("quiver offline:     join %d: %.3f CPU-s%n", j, (threadCpu() - cpu) / 1e9);
    }
  }

  /** CPU time of the calling thread, in nanoseconds. */
  static long threadCpu() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while matching source rows");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new QuiverException("matching source rows failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Appends each join's key to a select over the query ({@code q}) or the source ({@code s}): its
   * key columns as BIGINT (numbered in Java), or its key id from a LEFT JOIN with its dictionary.
   * A column several joins read (a user key and a (user, merchant) key) is selected once.
   *
   * @return per join, the indexes of its columns among those appended (from 0), empty without keys
   */
  private static int[][] keyColumns(List<Keys> keys, boolean querySide, StringBuilder select, StringBuilder from) {
    String alias = querySide ? "q." : "s.";
    List<String> added = new ArrayList<>();
    int[][] out = new int[keys.size()][];
    for (int j = 0; j < keys.size(); j++) {
      Keys k = keys.get(j);
      List<KeyBinding> bindings = k.join.keys();
      if (k.ids != null) {
        out[j] = new int[bindings.size()];
        for (int i = 0; i < bindings.size(); i++) {
          KeyBinding b = bindings.get(i);
          String column = alias + id(querySide ? b.queryColumn() : b.sourceColumn()) + "::BIGINT";
          if (!added.contains(column)) {
            added.add(column);
          }
          out[j][i] = added.indexOf(column);
        }
      } else if (k.dictionary != null) {
        added.add("d" + j + ".kid::BIGINT"); // read with getLong, which is fast for BIGINT only
        out[j] = new int[] {added.size() - 1};
        from.append(" LEFT JOIN ").append(k.dictionary).append(" d").append(j).append(" ON ");
        for (int i = 0; i < bindings.size(); i++) {
          KeyBinding b = bindings.get(i);
          from.append(i == 0 ? "" : " AND ").append(alias).append(id(querySide ? b.queryColumn() : b.sourceColumn()))
              .append(" = d").append(j).append(".__quiver_k").append(i);
        }
      } else {
        out[j] = new int[0];
      }
    }
    added.forEach(column -> select.append(", ").append(column));
    return out;
  }
}
