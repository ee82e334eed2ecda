package dev.quiver.bench.online;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.core.online.OnlineStoreProvider;
import dev.quiver.testkit.LocalRedis;
import dev.quiver.testkit.LocalRedisCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Compare-and-set against plain writes, store calls alone, one thread: batches of 100 single-key
 * swaps ({@link OnlineStore#multiCompareAndSet}, every swap expected to succeed), the same batches
 * read first and then swapped (what a tile writer does), and the same batches by {@link
 * OnlineStore#multiPut}. On RocksDB (in {@code DIR/rocksdb}), a fresh standalone redis-server and a
 * fresh three-master Redis Cluster ({@link LocalRedis}, {@link LocalRedisCluster}).
 *
 * <pre>
 * java -cp ... dev.quiver.bench.online.SwapBenchmark DIR [--keys 100000] [--batches 3000] [--runs 3]
 *     [--value-bytes 200] [--stores rocksdb,redis,redis-cluster]
 * </pre>
 */
public final class SwapBenchmark {
  private static final int BATCH = 100;
  private static final String TABLE = "bench.swaps.v1.tiles";

  private SwapBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Args a = Args.parse(argv);
    int keyCount = Integer.parseInt(a.options().getOrDefault("keys", "100000"));
    int batches = Integer.parseInt(a.options().getOrDefault("batches", "3000"));
    int runs = Integer.parseInt(a.options().getOrDefault("runs", "3"));
    int valueBytes = Integer.parseInt(a.options().getOrDefault("value-bytes", "200"));
    PrintStream out = System.out;
    Machine.print(out);
    out.printf("%,d keys, %,d batches of %d distinct keys per run, %d-byte values, %d runs%n", keyCount, batches, BATCH,
        valueBytes, runs);
    for (String type : a.options().getOrDefault("stores", "rocksdb,redis,redis-cluster").split(",")) {
      switch (type) {
        case "rocksdb" -> measure(type, Map.of("type", "rocksdb", "path", a.dir().resolve("rocksdb").toString()), a.dir(),
            keyCount, batches, runs, valueBytes, out);
        case "redis" -> {
          try (LocalRedis redis = LocalRedis.start()) {
            measure(type, Map.of("type", "redis", "url", redis.url(), "command_timeout", "10s"), a.dir(), keyCount,
                batches, runs, valueBytes, out);
          }
        }
        case "redis-cluster" -> {
          try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
            measure(type, Map.of("type", "redis", "url", cluster.urls(), "cluster", true, "command_timeout", "10s"),
                a.dir(), keyCount, batches, runs, valueBytes, out);
          }
        }
        default -> throw new IllegalArgumentException("unknown store " + type + " (rocksdb, redis, redis-cluster)");
      }
    }
  }

  private static void measure(String type, Map<String, Object> options, Path dir, int keyCount, int batches, int runs,
      int valueBytes, PrintStream out) {
    Random random = new Random(42);
    List<byte[]> keys = new ArrayList<>(keyCount);
    byte[][] current = new byte[keyCount][];
    try (OnlineStore store = open(options, dir)) {
      store.dropTable(TABLE);
      List<Entry> fill = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        keys.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of((long) k)));
        current[k] = value(random, valueBytes);
        fill.add(new Entry(keys.get(k), current[k]));
        if (fill.size() == 1000) {
          store.multiPut(TABLE, fill);
          fill.clear();
        }
      }
      store.multiPut(TABLE, fill);
      out.printf("%n%s (load average %s)%n", type, Machine.loadAverage());
      for (int run = 0; run <= runs; run++) { // run 0 warms up
        List<int[]> chosen = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
          Set<Integer> batch = new LinkedHashSet<>();
          while (batch.size() < BATCH) {
            batch.add(random.nextInt(keyCount));
          }
          chosen.add(batch.stream().mapToInt(Integer::intValue).toArray());
        }
        double put = time(() -> {
          for (int[] batch : chosen) {
            List<Entry> entries = new ArrayList<>(BATCH);
            for (int k : batch) {
              current[k] = value(random, valueBytes);
              entries.add(new Entry(keys.get(k), current[k]));
            }
            store.multiPut(TABLE, entries);
          }
        });
        long[] refused = {0};
        double swap = time(() -> {
          for (int[] batch : chosen) {
            List<Swap> swaps = new ArrayList<>(BATCH);
            byte[][] next = new byte[BATCH][];
            for (int i = 0; i < BATCH; i++) {
              next[i] = value(random, valueBytes);
              swaps.add(new Swap(keys.get(batch[i]), current[batch[i]], next[i]));
            }
            boolean[] done = store.multiCompareAndSet(TABLE, swaps);
            for (int i = 0; i < BATCH; i++) {
              if (done[i]) {
                current[batch[i]] = next[i];
              } else {
                refused[0]++;
              }
            }
          }
        });
        double readSwap = time(() -> {
          for (int[] batch : chosen) {
            List<byte[]> batchKeys = new ArrayList<>(BATCH);
            for (int k : batch) {
              batchKeys.add(keys.get(k));
            }
            List<byte[]> stored = store.multiGet(TABLE, batchKeys);
            List<Swap> swaps = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
              swaps.add(new Swap(batchKeys.get(i), stored.get(i), value(random, valueBytes)));
            }
            boolean[] done = store.multiCompareAndSet(TABLE, swaps);
            for (int i = 0; i < BATCH; i++) {
              if (done[i]) {
                current[batch[i]] = swaps.get(i).value();
              } else {
                refused[0]++;
              }
            }
          }
        });
        if (refused[0] != 0) {
          throw new IllegalStateException(refused[0] + " swaps refused with one writer: the store compares wrongly");
        }
        double n = (double) batches * BATCH;
        out.printf("  %s: multiPut %,.0f rows/s | multiCompareAndSet %,.0f swaps/s (%.2f of multiPut) |"
                + " multiGet+multiCompareAndSet %,.0f rows/s (%.2f)%n", run == 0 ? "warm-up" : "run " + run,
            n / put, n / swap, put / swap, n / readSwap, put / readSwap);
      }
    }
  }

  private static byte[] value(Random random, int bytes) {
    byte[] v = new byte[bytes];
    random.nextBytes(v);
    return v;
  }

  private static double time(Runnable work) {
    long t0 = System.nanoTime();
    work.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static OnlineStore open(Map<String, Object> options, Path root) {
    for (OnlineStoreProvider p : ServiceLoader.load(OnlineStoreProvider.class)) {
      if (p.type().equals(options.get("type"))) {
        return p.open(new HashMap<>(options), root);
      }
    }
    throw new IllegalStateException("no online store " + options.get("type"));
  }
}
