package dev.quiver.online.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.testkit.LocalRedis;
import dev.quiver.testkit.LocalRedisCluster;
import dev.quiver.testkit.SwapCounters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compare-and-set across processes: two more JVMs ({@link SwapWorkerMain}) and this one run
 * read-increment-swap loops on the same three counters of one Redis, at the same time; the
 * counters end at the sum of every process's increments. A read-then-write swap, or the in-JVM
 * default of {@link OnlineStore#multiCompareAndSet}, loses some of them here.
 */
class RedisSwapProcessesTest {
  static final String TABLE = "processes.counters.v1";
  static final List<byte[]> KEYS = List.of(key(1), key(2), key(3));
  private static final int WORKERS = 2;
  private static final int ROUNDS = 300;
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static byte[] key(long id) {
    return KeyEncoding.encode(List.of(ScalarType.INT64), List.of(id));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void swapsFromSeveralProcessesOnStandaloneRedisLoseNothing() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      countersAddUp(redis.url(), false);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void swapsFromSeveralProcessesOnRedisClusterLoseNothing() throws Exception {
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
      countersAddUp(cluster.urls(), true);
    }
  }

  private void countersAddUp(String url, boolean cluster) throws Exception {
    String prefix = "p" + PREFIXES.incrementAndGet();
    Map<String, Object> options = RedisOnlineStoreTest.options(url, prefix);
    options.put("cluster", cluster);
    List<Process> workers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS + 2);
    try (OnlineStore store = new RedisOnlineStoreProvider().open(options, Path.of("."))) {
      List<BufferedReader> outputs = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            SwapWorkerMain.class.getName(), url, prefix, cluster ? "cluster" : "standalone",
            Integer.toString(ROUNDS), Integer.toString(100 + w))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        workers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("worker %d's first line", w).isEqualTo("ready");
        outputs.add(out);
      }
      // every process starts at once: the workers on their line, this JVM on two threads
      for (Process p : workers) {
        OutputStream in = p.getOutputStream();
        in.write('\n');
        in.flush();
      }
      List<Future<long[]>> here = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Random random = new Random(t);
        here.add(pool.submit(() -> {
          long[] added = new long[KEYS.size()];
          SwapCounters.increment(store, TABLE, KEYS, ROUNDS, random, added);
          return added;
        }));
      }
      long[] expected = new long[KEYS.size()];
      for (Future<long[]> f : here) {
        add(expected, f.get(100, TimeUnit.SECONDS));
      }
      for (int w = 0; w < WORKERS; w++) {
        String last = outputs.get(w).readLine();
        assertThat(workers.get(w).waitFor(60, TimeUnit.SECONDS)).as("worker %d exited", w).isTrue();
        assertThat(workers.get(w).exitValue()).as("worker %d's exit code", w).isZero();
        assertThat(last).as("worker %d's report", w).startsWith("added ");
        String[] parts = last.substring("added ".length()).split(",");
        long[] added = new long[parts.length];
        for (int k = 0; k < parts.length; k++) {
          added[k] = Long.parseLong(parts[k]);
        }
        add(expected, added);
      }

      List<byte[]> got = store.multiGet(TABLE, KEYS);
      long total = 0;
      for (int k = 0; k < KEYS.size(); k++) {
        assertThat(SwapCounters.decode(got.get(k)))
            .as("counter %d after %d processes swapped it (a lost update leaves it short)", k, WORKERS + 1)
            .isEqualTo(expected[k]);
        total += expected[k];
      }
      assertThat(total).as("increments made").isGreaterThanOrEqualTo((long) (WORKERS + 2) * ROUNDS);
    } finally {
      pool.shutdownNow();
      for (Process p : workers) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void add(long[] into, long[] more) {
    for (int k = 0; k < into.length; k++) {
      into[k] += more[k];
    }
  }
}
