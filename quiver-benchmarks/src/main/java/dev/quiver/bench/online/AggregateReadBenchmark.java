package dev.quiver.bench.online;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineReader;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.TileRows;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Online read latency of window aggregates (issue 6, DESIGN §5: 10 aggregates, keys with 100k
 * events, p99 ≤ 2 ms): {@code --keys} users with {@code --events} events each, spread over 60
 * days, in one Parquet file; a view of 10 aggregates over 1h, 1d, 7d and 30d windows (default
 * hops: 5 min, 5 min, 1 h, 1 h) is materialized into the store (timed), then single-entity requests
 * for random keys are read back to back on one thread at the end of the data (each read merges
 * about 290 five-minute and 720 one-hour tiles per function), {@code --warmup} then {@code
 * --iterations} into an HdrHistogram, through the {@link OnlineReader} (same-thread executor, as a
 * server holding its registry snapshot calls it) and through the store's multi-get alone.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.online.AggregateReadBenchmark /tmp/quiver-bench/aggregates [--keys 20] [--events 100000] \
 *     [--stores rocksdb,redis] [--iterations 20000] [--warmup 5000]
 * </pre>
 */
public final class AggregateReadBenchmark {
  private AggregateReadBenchmark() {}

  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final long SPAN_SECONDS = 60L * 86_400;
  static final Instant END = START.plusSeconds(SPAN_SECONDS);

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: events, path: data/events.parquet, timestamp: event_ts}
      feature_views:
        - name: user_windows
          entities: [user]
          source: events
          features:
            - {name: count_1h, aggregate: {fn: count, window: 1h}}
            - {name: sum_1h, aggregate: {fn: sum, column: amount, window: 1h}}
            - {name: count_1d, aggregate: {fn: count, window: 1d}}
            - {name: sum_1d, aggregate: {fn: sum, column: amount, window: 1d}}
            - {name: max_1d, aggregate: {fn: max, column: amount, window: 1d}}
            - {name: avg_7d, aggregate: {fn: avg, column: amount, window: 7d}}
            - {name: count_7d, aggregate: {fn: count, window: 7d}}
            - {name: avg_30d, aggregate: {fn: avg, column: amount, window: 30d}}
            - {name: stddev_30d, aggregate: {fn: stddev, column: amount, window: 30d}}
            - {name: channels_30d, aggregate: {fn: count_distinct, column: channel, window: 30d}}
      """;

  static final List<String> FEATURES = List.of("count_1h", "sum_1h", "count_1d", "sum_1d", "max_1d", "avg_7d", "count_7d",
      "avg_30d", "stddev_30d", "channels_30d");

  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args);
    PrintStream out = System.out;
    int keys = a.intOpt("keys", 20);
    long events = a.longOpt("events", 100_000);
    int iterations = a.intOpt("iterations", 20_000);
    int warmup = a.intOpt("warmup", 5_000);
    Machine.print(out);
    Path data = a.dir().resolve("data");
    Files.createDirectories(data);
    Path parquet = data.resolve("events-" + keys + "x" + events + ".parquet");
    if (!Files.exists(parquet)) {
      long t0 = System.nanoTime();
      write(parquet, keys, events);
      out.printf("wrote %,d events (%d keys x %,d) in %.1f s%n", keys * events, keys, events, (System.nanoTime() - t0) / 1e9);
    }
    List<FeatureRef> refs = FEATURES.stream().map(f -> FeatureRef.of("user_windows:" + f)).toList();
    List<String> summary = new ArrayList<>();
    for (String type : a.listOpt("stores", "rocksdb,redis")) {
      try (Stores store = Stores.start(type)) {
        Path root = a.dir().resolve("runs/aggregates-" + type);
        OnlineWorkload.deleteTree(root);
        Files.createDirectories(root.resolve("features"));
        Files.createDirectories(root.resolve("data"));
        Files.createSymbolicLink(root.resolve("data/events.parquet"), parquet.toAbsolutePath());
        Files.writeString(root.resolve("features/defs.yaml"), DEFINITIONS);
        Files.writeString(root.resolve("quiver.yaml"), """
            project: aggbench
            registry: {type: file, path: .quiver/registry}
            offline: {engine: duckdb}
            online: %s
            definitions: [features]
            """.formatted(store.yaml()));
        Clock clock = Clock.fixed(END, java.time.ZoneOffset.UTC);
        try (FeatureRepo repo = FeatureRepo.open(root, clock)) {
          repo.apply(repo.plan(false), "benchmark", "aggregate workload", true);
          long t0 = System.nanoTime();
          Materializer.ViewResult m = repo.materialize(List.of("user_windows"), START, END, (v, r, w) -> {}, "benchmark")
              .getFirst();
          double s = (System.nanoTime() - t0) / 1e9;
          out.printf("%n%s: materialized %,d source rows into %,d latest + tile rows in %.2f s (%,.0f rows/s)%n", type,
              m.rowsRead(), m.rowsWritten(), s, m.rowsRead() / s);
          Definitions defs = repo.registry().latest().orElseThrow().definitions();
          FeatureView fv = defs.views().getFirst();
          String table = TileRows.table(defs.project(), fv);
          OnlineStore online = repo.online();
          byte[] one = online.multiGet(table, List.of(key(1))).getFirst();
          out.printf("%s: a tile row of a %,d-event key is %,d bytes%n", type, events, one.length);
          OnlineReader reader = new OnlineReader(defs, online, Runnable::run, clock);
          OnlineResponse sample = reader.read(refs, Map.of("user_id", List.of(1L)), false);
          StringBuilder values = new StringBuilder();
          sample.features().forEach(c -> values.append(c.name()).append('=').append(c.values().getFirst()).append(' '));
          out.printf("%s: user 1 at %s: %s%n", type, END, values);
          SplittableRandom random = new SplittableRandom(11);
          String line = measure(type, "reader", warmup, iterations, () -> reader.read(refs,
              Map.of("user_id", List.of((long) random.nextInt(1, keys + 1))), false).features().size());
          out.println(line);
          summary.add(line);
          line = measure(type, "store", warmup, iterations, () -> online.multiGet(table, List.of(key(random.nextInt(1, keys + 1))))
              .size());
          out.println(line);
          summary.add(line);
        }
      }
    }
    out.println();
    out.printf("summary (load average %s):%n", Machine.loadAverage());
    summary.forEach(out::println);
  }

  private static byte[] key(long user) {
    return KeyEncoding.encode(List.of(ScalarType.INT64), List.of(user));
  }

  private interface Call {
    int run();
  }

  private static String measure(String type, String layer, int warmup, int iterations, Call call) {
    long sink = 0;
    for (int i = 0; i < warmup; i++) {
      sink += call.run();
    }
    Histogram h = new Histogram(3_600_000_000_000L, 3);
    long started = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      sink += call.run();
      h.recordValue(System.nanoTime() - t0);
    }
    double wall = (System.nanoTime() - started) / 1e9;
    if (sink == 42) {
      System.out.print("");
    }
    return String.format("  %-8s 1 entity x 10 aggregates, %-6s: p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms"
            + "  max %7.3f ms; %,8.0f req/s", type, layer, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6,
        h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6, iterations / wall);
  }

  /** Events spread evenly at random over the 60 days, amounts and four channels. */
  private static void write(Path file, int keys, long events) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SELECT setseed(0.42)");
      s.execute("COPY (SELECT (i % " + keys + ") + 1 AS user_id,"
          + " make_timestamp(" + START.getEpochSecond() * 1_000_000L + " + CAST(random() * " + SPAN_SECONDS * 1_000_000L
          + " AS BIGINT)) AS event_ts,"
          + " round(random() * 500, 2) AS amount,"
          + " ['web', 'app', 'pos', 'phone'][1 + CAST(floor(random() * 4) AS INTEGER)] AS channel"
          + " FROM range(" + keys * events + ") t(i) ORDER BY event_ts) TO '" + file + "' (FORMAT parquet)");
    }
  }
}
