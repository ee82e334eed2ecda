package dev.quiver.bench.online;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineReader;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineTables;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Online read latency of the online workload ({@link OnlineWorkload}): requests of 1 and of 100
 * entities × the 50 column features of {@code user_wide}, keys drawn uniformly at random (seeded) from
 * the about 1M materialized users, one thread, back to back, on RocksDB and on Redis (a fresh
 * redis-server 6.2 from {@code LocalRedis}). The view is materialized once per store first (timed
 * and printed too). The clock of the repo is fixed at the end of the materialization window, so
 * values are PRESENT rather than OUTSIDE_MAX_AGE (the data is from early 2026).
 *
 * <p>Four layers are timed separately, each {@code --warmup} calls then {@code --iterations}
 * measured calls into an HdrHistogram (the request is built outside the timed region):
 *
 * <ul>
 *   <li>{@code api}: {@link FeatureRepo#getOnlineFeatures} as an embedding application calls it;
 *       each call looks the registry's latest version up.
 *   <li>{@code reader}: an {@link OnlineReader} over definitions read once (what a server holding
 *       its registry snapshot does): key encoding, one multi-get, decoding, statuses.
 *   <li>{@code direct}: the same reader with a same-thread executor instead of the virtual-thread
 *       one {@link FeatureRepo} gives it (a request of one view then makes no thread hop).
 *   <li>{@code store}: {@link OnlineStore#multiGet} of the encoded keys alone.
 * </ul>
 *
 * Printed per store, batch size and layer: p50, p90, p99, p99.9, max, mean and the single-thread
 * throughput (measured calls / their total wall time, request building included). No HTTP: DESIGN
 * §5's "1 entity × 50 features" target is for the HTTP server, which does not exist yet.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.online.OnlineReadBenchmark /tmp/quiver-bench/online-10m [--rows 10000000] [--keys 1000000] \
 *     [--stores rocksdb,redis] [--iterations 20000] [--warmup 5000] [--batch-sizes 1,100] [--layers api,reader,direct,store]
 * </pre>
 */
public final class OnlineReadBenchmark {
  private OnlineReadBenchmark() {}

  private static final String VIEW = "user_wide";

  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args);
    PrintStream out = System.out;
    OnlineWorkload w = new OnlineWorkload(a.dir(), a.longOpt("rows", 10_000_000), a.longOpt("keys", 1_000_000),
        a.longOpt("seed", 42));
    int iterations = a.intOpt("iterations", 20_000);
    int warmup = a.intOpt("warmup", 5_000);
    List<Integer> sizes = a.listOpt("batch-sizes", "1,100").stream().map(Integer::parseInt).toList();
    List<String> layers = a.listOpt("layers", "api,reader,direct,store");
    Machine.print(out);
    w.prepare(out);
    long[] keys = w.loadKeys();
    List<FeatureRef> refs = OnlineWorkload.refs(VIEW);
    out.printf("workload: %s, %d column features, %,d materialized keys; %,d warm-up + %,d measured calls per case%n",
        VIEW, refs.size(), keys.length, warmup, iterations);
    List<String> summary = new ArrayList<>();
    for (String type : a.listOpt("stores", "rocksdb,redis")) {
      try (Stores store = Stores.start(type)) {
        Path root = w.newRepo("read-" + type, store.yaml());
        Clock clock = Clock.fixed(OnlineWorkload.END, ZoneOffset.UTC);
        try (FeatureRepo repo = FeatureRepo.open(root, clock);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
          long t0 = System.nanoTime();
          Materializer.ViewResult m = repo.materialize(List.of(VIEW), OnlineWorkload.START, OnlineWorkload.END,
              (v, r, wr) -> {}, "benchmark").getFirst();
          double ms = (System.nanoTime() - t0) / 1e9;
          out.printf("%n%s: materialized %s (%d features): %,d latest rows written in %.2f s = %,.0f input rows/s%s%n", type, VIEW,
              refs.size(), m.rowsWritten(), ms, w.rows() / ms,
              store.server().map(p -> String.format("; redis-server RSS %,d MB", Machine.rssMb(p.pid()))).orElse(""));
          if (type.equals("rocksdb")) {
            out.printf("%s: store directory %,d MB%n", type, OnlineWorkload.sizeOf(root.resolve(".quiver/online")) >> 20);
          }
          Definitions defs = repo.registry().latest().orElseThrow().definitions();
          FeatureView fv = defs.views().stream().filter(v -> v.name().equals(VIEW)).findFirst().orElseThrow();
          String table = OnlineTables.of(defs.project(), fv);
          OnlineReader reader = new OnlineReader(defs, repo.online(), executor, clock);
          OnlineReader direct = new OnlineReader(defs, repo.online(), Runnable::run, clock);
          OnlineStore online = repo.online();
          for (int size : sizes) {
            SplittableRandom random = new SplittableRandom(7 + size);
            Function<Integer, Map<String, List<Object>>> request = n -> {
              List<Object> ids = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                ids.add(keys[random.nextInt(keys.length)]);
              }
              return Map.of("user_id", ids);
            };
            check(repo.getOnlineFeatures(refs, request.apply(size), true), size, refs.size(), type, out);
            for (String layer : layers) {
              Call call = switch (layer) {
                case "api" -> req -> repo.getOnlineFeatures(refs, req, true).features().size();
                case "reader" -> req -> reader.read(refs, req, true).features().size();
                case "direct" -> req -> direct.read(refs, req, true).features().size();
                case "store" -> req -> {
                  List<Object> ids = req.get("user_id");
                  List<byte[]> encoded = new ArrayList<>(ids.size());
                  for (Object id : ids) {
                    encoded.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(id)));
                  }
                  return online.multiGet(table, encoded).size();
                };
                default -> throw new IllegalArgumentException("unknown layer " + layer + " (api, reader, direct, store)");
              };
              String line = measure(call, request, size, warmup, iterations, type, layer);
              out.println(line);
              summary.add(line);
            }
          }
        }
      }
    }
    out.println();
    out.printf("summary (load average %s):%n", Machine.loadAverage());
    summary.forEach(out::println);
  }

  @FunctionalInterface
  private interface Call {
    int apply(Map<String, List<Object>> request);
  }

  private static String measure(Call call, Function<Integer, Map<String, List<Object>>> request, int size, int warmup,
      int iterations, String type, String layer) {
    long sink = 0;
    for (int i = 0; i < warmup; i++) {
      sink += call.apply(request.apply(size));
    }
    Histogram h = new Histogram(3_600_000_000_000L, 3);
    long started = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      Map<String, List<Object>> req = request.apply(size);
      long t0 = System.nanoTime();
      sink += call.apply(req);
      h.recordValue(System.nanoTime() - t0);
    }
    double wall = (System.nanoTime() - started) / 1e9;
    if (sink == 42) {
      System.out.print("");
    }
    return String.format("  %-8s %3d entities x 50 features, %-6s: p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms"
            + "  p99.9 %7.3f ms  max %7.3f ms  mean %7.3f ms; %,8.0f req/s (%,.0f entity rows/s)",
        type, size, layer, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getMean() / 1e6, iterations / wall,
        (double) iterations * size / wall);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** Prints the statuses of one response: every requested key was materialized, so none is NOT_FOUND. */
  private static void check(OnlineResponse r, int size, int features, String type, PrintStream out) {
    Map<FeatureStatus, Integer> counts = new EnumMap<>(FeatureStatus.class);
    for (FeatureColumn c : r.features()) {
      c.statuses().forEach(s -> counts.merge(s, 1, Integer::sum));
    }
    out.printf("%s: a %d-entity request returns %d columns; statuses %s%n", type, size, r.features().size(), counts);
    // OUTSIDE_MAX_AGE is legitimate (a user whose last row is older than the TTL at END); NOT_FOUND is not
    if (r.features().size() != features || counts.getOrDefault(FeatureStatus.NOT_FOUND, 0) > 0) {
      throw new IllegalStateException("unexpected response: " + counts);
    }
  }
}
