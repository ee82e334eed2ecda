package dev.quiver.bench.online;

import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreProvider;
import dev.quiver.core.online.OnlineTables;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.core.online.RowPosition;
import dev.quiver.core.repo.FeatureRepo;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Materialization of the online workload ({@link OnlineWorkload}: 10M source rows onto about 1M
 * user keys, the 10-feature view {@code user_latest}) into RocksDB and into Redis, through the public
 * API ({@link FeatureRepo#materialize}), each run into a fresh repo (empty registry and store) and, for
 * Redis, a fresh redis-server 6.2 ({@code LocalRedis}).
 *
 * <p>Per run and store it prints the wall time of the {@code materialize} call, the input rate
 * (source rows / wall time, the rate DESIGN §5 sets targets for), the rate of latest rows written,
 * the time to the first written batch (DuckDB's per-key aggregate runs before any row streams) and
 * the peak RSS of this JVM (VmHWM, reset before each run; DuckDB and RocksDB native memory included)
 * and of redis-server.
 *
 * <p>{@code --breakdown} then times the parts separately, one after the other: DuckDB's latest-row
 * query alone (its aggregate, then streaming the rows through JDBC), the same plus encoding the rows
 * into store entries (kept in memory), then writing those entries with {@code multiPutIfNewer} in
 * 10,000-row batches into a fresh store, writing them again into the filled store (every row is
 * refused by the newest-wins check, so this is the check's read cost), and a put-only baseline
 * without the check: RocksDB {@code WriteBatch} puts into a fresh database with the store's
 * compression and write buffer; Redis pipelined {@code MSET}s of 100 keys.
 *
 * <p>{@code --engines duckdb,spark} materializes through each offline engine in turn (a fresh repo and
 * store each; Spark with {@code --master}, default {@code local[2]}: its executors write the store).
 * The time counts from the {@code materialize} call, after the engine (Spark's session) and the store
 * are open; CPU-seconds are this JVM's (Spark's executors included in local mode) and redis-server's.
 * {@code --verify N} reads N sampled keys (spread evenly over the sorted distinct keys) back from the
 * store after every run and checks that each engine stored exactly the bytes the first engine of the
 * run stored (value, event and created time, tie position), and that every engine wrote as many rows;
 * a difference is printed and the program exits with status 1.
 *
 * <pre>
 * ./mvnw -q -DskipTests -pl quiver-benchmarks -am package
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.online.MaterializeBenchmark /tmp/quiver-bench/online-10m [--rows 10000000] [--keys 1000000] \
 *     [--runs 3] [--stores rocksdb,redis] [--view user_latest] [--breakdown] [--seed 42] \
 *     [--engines duckdb,spark] [--master local[2]] [--verify 10000]
 * </pre>
 */
public final class MaterializeBenchmark {
  private MaterializeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args);
    PrintStream out = System.out;
    OnlineWorkload w = new OnlineWorkload(a.dir(), a.longOpt("rows", 10_000_000), a.longOpt("keys", 1_000_000),
        a.longOpt("seed", 42));
    int runs = a.intOpt("runs", 3);
    String view = a.opt("view", "user_latest");
    List<String> stores = a.listOpt("stores", "rocksdb,redis");
    List<String> engines = a.listOpt("engines", "duckdb");
    String master = a.opt("master", "local[2]");
    int verify = a.intOpt("verify", 0);
    for (String e : engines) {
      if (!e.equals("duckdb") && !e.equals("spark")) {
        throw new IllegalArgumentException("--engines: duckdb or spark, not '" + e + "'");
      }
    }
    Machine.print(out);
    w.prepare(out);
    out.printf("workload: %,d source rows, %,d distinct user keys, view %s (%d column features), window [%s, %s]%n",
        w.rows(), w.distinctKeys(), view, OnlineWorkload.refs(view).size(), OnlineWorkload.START, OnlineWorkload.END);

    Map<String, List<double[]>> results = new LinkedHashMap<>();
    long[] sample = verify > 0 ? Sample.of(w.loadKeys(), verify) : new long[0];
    boolean same = true;
    for (int run = 1; run <= runs; run++) {
      for (String type : stores) {
        Sample first = null;
        for (String engine : engines) {
          String label = engines.size() == 1 && engine.equals("duckdb") ? type : type + "/" + engine
              + (engine.equals("spark") ? " " + master : "");
          Sample got = new Sample(engine, sample);
          double[] r = materializeOnce(w, type, engine, master, view, run, runs, got, label, out);
          results.computeIfAbsent(label, k -> new ArrayList<>()).add(r);
          if (sample.length > 0) {
            if (first == null) {
              first = got;
              out.printf("run %d/%d, %s: read back %,d sampled keys (%,d present)%n", run, runs, label, sample.length,
                  got.present());
            } else {
              same &= got.matches(first, out, "run " + run + "/" + runs + ", " + type);
            }
          }
        }
      }
    }
    out.println();
    out.println("summary (materialize call; input rows/s = source rows / wall time):");
    for (var e : results.entrySet()) {
      double[] secs = e.getValue().stream().mapToDouble(r -> r[0]).sorted().toArray();
      double median = secs.length % 2 == 1 ? secs[secs.length / 2] : (secs[secs.length / 2 - 1] + secs[secs.length / 2]) / 2;
      long latest = (long) e.getValue().getFirst()[1];
      out.printf("  %-8s runs %d: median %.2f s = %,.0f input rows/s (%,.0f latest rows/s); best %.2f s = %,.0f input rows/s;"
              + " worst %.2f s%n", e.getKey(), secs.length, median, w.rows() / median, latest / median, secs[0],
          w.rows() / secs[0], secs[secs.length - 1]);
    }
    if (a.flag("breakdown")) {
      breakdown(w, view, stores, out);
    }
    if (!same) {
      out.println("VERIFY FAILED: the engines stored different online state (above)");
      System.exit(1);
    }
    System.exit(0); // Spark's non-daemon threads would keep the JVM alive
  }

  /** One materialization into a fresh repo and store; returns {seconds, latest rows}. */
  private static double[] materializeOnce(OnlineWorkload w, String type, String engine, String master, String view, int run,
      int runs, Sample sample, String label, PrintStream out) throws Exception {
    String offline = engine.equals("spark") ? "{engine: spark, master: '" + master + "'}" : "{engine: duckdb}";
    try (Stores store = Stores.start(type)) {
      Path root = w.newRepo("materialize-" + type + "-" + engine, store.yaml(), offline);
      try (FeatureRepo repo = FeatureRepo.open(root)) {
        long opening = System.nanoTime();
        repo.offline();
        repo.online();
        double openS = (System.nanoTime() - opening) / 1e9;
        out.printf("%nrun %d/%d, %s: load average %s; stores opened in %.3f s%n", run, runs, label, Machine.loadAverage(), openS);
        System.gc();
        boolean reset = Machine.resetPeakRss();
        store.server().ifPresent(p -> Machine.resetPeakRss(p.pid()));
        long[] firstBatch = {0};
        double serverCpu = store.server().map(p -> Machine.cpuSeconds(p.pid())).orElse(0.0);
        long[] gc = dev.quiver.bench.TrainingSetBenchmark.gcCountAndMillis();
        double cpu = Machine.cpuSeconds(ProcessHandle.current().pid());
        long started = System.nanoTime();
        List<Materializer.ViewResult> res = repo.materialize(List.of(view), OnlineWorkload.START, OnlineWorkload.END,
            new Materializer.Listener() {
              @Override
              public void batchWritten(String v, long rowsRead, long rowsWritten) {
                if (firstBatch[0] == 0) {
                  firstBatch[0] = System.nanoTime();
                }
              }
            }, "benchmark");
        double s = (System.nanoTime() - started) / 1e9;
        cpu = Machine.cpuSeconds(ProcessHandle.current().pid()) - cpu;
        long[] gcAfter = dev.quiver.bench.TrainingSetBenchmark.gcCountAndMillis();
        double serverCpuUsed = store.server().map(p -> Machine.cpuSeconds(p.pid())).orElse(0.0) - serverCpu;
        Materializer.ViewResult r = res.getFirst();
        String serverRss = store.server().map(p -> String.format("; redis-server peak RSS %,d MB (now %,d MB)",
            Machine.peakRssMb(p.pid()), Machine.rssMb(p.pid()))).orElse("");
        out.printf("run %d/%d, %s: %,d source rows (%,d read in range) -> %,d latest rows written, in %.3f s = %,.0f input rows/s,"
                + " %,.0f latest rows/s; first batch written after %.3f s; JVM peak RSS %,d MB%s%s%n",
            run, runs, label, w.rows(), r.rowsRead(), r.rowsWritten(), s, w.rows() / s, r.rowsWritten() / s,
            (firstBatch[0] - started) / 1e9, Machine.peakRssMb(), reset ? "" : " (VmHWM not reset)", serverRss);
        out.printf("run %d/%d, %s: %.1f CPU-s in this JVM (%,.0f source rows per CPU-s)%s; GC %,d collections, %.1f s;"
                + " load average %s%n", run, runs, label, cpu, w.rows() / cpu,
            store.server().isPresent() ? String.format("; redis-server %.1f CPU-s", serverCpuUsed) : "",
            gcAfter[0] - gc[0], (gcAfter[1] - gc[1]) / 1e3, Machine.loadAverage());
        sample.read(repo, view);
        sample.rowsWritten = r.rowsWritten();
        if (type.equals("rocksdb")) {
          out.printf("run %d/%d, %s: store directory %,d MB before close%n", run, runs, type,
              OnlineWorkload.sizeOf(root.resolve(".quiver/online")) >> 20);
        }
        return new double[] {s, r.rowsWritten()};
      }
    }
  }

  // ---- breakdown --------------------------------------------------------------------------------

  private static void breakdown(OnlineWorkload w, String view, List<String> stores, PrintStream out) throws Exception {
    out.println();
    out.printf("breakdown: the parts of materializing %s, one at a time (load average %s)%n", view, Machine.loadAverage());
    Path root = w.newRepo("breakdown", "{type: rocksdb, path: .quiver/online}");
    List<List<OnlineStore.Entry>> batches;
    String table;
    try (FeatureRepo repo = FeatureRepo.open(root)) {
      Definitions defs = repo.registry().latest().orElseThrow().definitions();
      FeatureView fv = defs.views().stream().filter(v -> v.name().equals(view)).findFirst().orElseThrow();
      table = OnlineTables.of(defs.project(), fv);
      LatestRowsPlan plan = plan(defs, fv, OnlineWorkload.START, OnlineWorkload.END);
      OfflineEngine engine = repo.offline();
      for (int pass = 1; pass <= 2; pass++) {
        long t0 = System.nanoTime();
        long n = 0;
        long t1;
        try (HistoricalRows rows = engine.latestRows(plan, root)) {
          t1 = System.nanoTime();
          while (rows.hasNext()) {
            rows.next();
            n++;
          }
        }
        long t2 = System.nanoTime();
        out.printf("  DuckDB latest rows, pass %d: aggregate (setup) %.3f s + streaming %,d rows through JDBC %.3f s = %.3f s"
                + " (%,.0f source rows/s)%n", pass, (t1 - t0) / 1e9, n, (t2 - t1) / 1e9, (t2 - t0) / 1e9, w.rows() / ((t2 - t0) / 1e9));
      }
      long t0 = System.nanoTime();
      batches = encode(engine, plan, root);
      long t1 = System.nanoTime();
      long n = batches.stream().mapToLong(List::size).sum();
      out.printf("  DuckDB latest rows + encoding into entries (one thread): %,d entries in %.3f s%n", n, (t1 - t0) / 1e9);
    }
    long entries = batches.stream().mapToLong(List::size).sum();
    for (String type : stores) {
      try (Stores s = Stores.start(type)) {
        Path dir = w.dir().resolve("runs/breakdown-" + type);
        OnlineWorkload.deleteTree(dir);
        try (OnlineStore store = open(s.options(dir.toString()), dir)) {
          store.createTable(table);
          double first = write(store, table, batches);
          double again = write(store, table, batches);
          out.printf("  %s multiPutIfNewer of %,d entries in %,d batches: into the empty store %.3f s (%,.0f entries/s);"
                  + " again into the filled store (all refused) %.3f s (%,.0f entries/s)%n", type, entries, batches.size(),
              first, entries / first, again, entries / again);
        }
        if (type.equals("rocksdb")) {
          double raw = rawRocksDb(dir.resolveSibling("breakdown-rawrocksdb"), batches);
          out.printf("  rocksdb put-only baseline (WriteBatch per batch, no read, same compression and write buffer): %.3f s"
              + " (%,.0f entries/s)%n", raw, entries / raw);
        } else {
          double raw = rawRedis(s.url(), batches);
          out.printf("  redis put-only baseline (pipelined MSET of 100 keys, no script): %.3f s (%,.0f entries/s)%n",
              raw, entries / raw);
        }
      }
    }
  }

  private static OnlineStore open(Map<String, Object> options, Path root) {
    for (OnlineStoreProvider p : ServiceLoader.load(OnlineStoreProvider.class)) {
      if (p.type().equals(options.get("type"))) {
        return p.open(options, root);
      }
    }
    throw new IllegalStateException("no online store " + options.get("type"));
  }

  private static double write(OnlineStore store, String table, List<List<OnlineStore.Entry>> batches) {
    long t0 = System.nanoTime();
    for (List<OnlineStore.Entry> b : batches) {
      store.multiPutIfNewer(table, b);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The same work as the Materializer's reader thread, on this thread, kept in memory. */
  private static List<List<OnlineStore.Entry>> encode(OfflineEngine engine, LatestRowsPlan plan, Path root) {
    List<String> names = plan.features().stream().map(LatestValue::outputName).toList();
    List<ValueType> types = plan.features().stream().map(LatestValue::type).toList();
    List<ScalarType> keyTypes = plan.keys().stream().map(KeyBinding::type).toList();
    int keyCount = keyTypes.size();
    List<List<OnlineStore.Entry>> out = new ArrayList<>();
    List<OnlineStore.Entry> batch = new ArrayList<>(Materializer.BATCH);
    try (HistoricalRows rows = engine.latestRows(plan, root)) {
      while (rows.hasNext()) {
        Object[] r = rows.next();
        byte[] key = KeyEncoding.encode(keyTypes, Arrays.asList(r).subList(0, keyCount));
        int n = r.length; // ... features, then the row's file and row number, then the key's source rows
        byte[] value = RowEncoding.encode((Instant) r[keyCount], (Instant) r[keyCount + 1],
            new RowPosition.InFile((String) r[n - 3], ((Number) r[n - 2]).longValue()), names, types,
            Arrays.asList(r).subList(keyCount + 2, n - 3));
        batch.add(new OnlineStore.Entry(key, value));
        if (batch.size() == Materializer.BATCH) {
          out.add(batch);
          batch = new ArrayList<>(Materializer.BATCH);
        }
      }
    }
    if (!batch.isEmpty()) {
      out.add(batch);
    }
    return out;
  }

  /** The plan the Materializer builds for a view (its plan method is package-private). */
  static LatestRowsPlan plan(Definitions defs, FeatureView view, Instant start, Instant end) {
    FileSource source = (FileSource) defs.source(view.source()).orElseThrow();
    List<KeyBinding> keys = new ArrayList<>();
    for (String e : view.entities()) {
      Entity entity = defs.entity(e).orElseThrow();
      for (JoinKey k : entity.joinKeys()) {
        keys.add(new KeyBinding(k.name(), source.rawColumn(k.name()), k.type()));
      }
    }
    List<LatestValue> features = new ArrayList<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c) {
        features.add(new LatestValue(new FeatureRef(view.name(), view.version(), c.name()), source.rawColumn(c.column()),
            c.name(), c.type()));
      }
    }
    return new LatestRowsPlan(view.qualifiedName(), source, keys, features, start, end);
  }

  private static double rawRocksDb(Path dir, List<List<OnlineStore.Entry>> batches) throws Exception {
    OnlineWorkload.deleteTree(dir);
    Files.createDirectories(dir);
    RocksDB.loadLibrary();
    try (Options o = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setWriteBufferSize(64L << 20).setMaxWriteBufferNumber(3).setMaxBackgroundJobs(2);
        RocksDB db = RocksDB.open(o, dir.toString()); WriteOptions wo = new WriteOptions()) {
      long t0 = System.nanoTime();
      for (List<OnlineStore.Entry> b : batches) {
        try (WriteBatch wb = new WriteBatch()) {
          for (OnlineStore.Entry e : b) {
            wb.put(e.key(), e.value());
          }
          db.write(wo, wb);
        }
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private static double rawRedis(String url, List<List<OnlineStore.Entry>> batches) throws Exception {
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      c.sync().flushall();
      HexFormat hex = HexFormat.of();
      byte[] prefix = "raw:".getBytes();
      long t0 = System.nanoTime();
      for (List<OnlineStore.Entry> b : batches) {
        List<RedisFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < b.size(); i += 100) {
          Map<byte[], byte[]> m = new LinkedHashMap<>();
          for (OnlineStore.Entry e : b.subList(i, Math.min(b.size(), i + 100))) {
            byte[] h = hex.formatHex(e.key()).getBytes();
            byte[] k = Arrays.copyOf(prefix, prefix.length + h.length);
            System.arraycopy(h, 0, k, prefix.length, h.length);
            m.put(k, e.value());
          }
          futures.add(c.async().mset(m));
        }
        for (RedisFuture<String> f : futures) {
          f.get(30, TimeUnit.SECONDS);
        }
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      client.shutdown();
    }
  }
}
