package dev.quiver.bench.serve;

import dev.quiver.bench.online.OnlineWorkload;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.OnlineRequest;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The CPU time of one online read in the server's read path, in process, measured as the calling
 * thread's CPU time (RocksDB reads of one view run on the calling thread), which a busy shared
 * machine disturbs far less than latency: per read through {@code QuiverServer.serving()} (1 and
 * 100 entities × the 50 features of {@code user_wide}, random keys), and of the per-feature serving
 * metrics alone (issue 23: {@code FeatureMetrics.served} over a real answer, reached by reflection
 * because it is package-private). Medians of 7 rounds after warm-up.
 *
 * <p>With the {@code quiver-server} jar of an older build first on the class path it measures that
 * build's read (and says it has no serving metrics): an A/B of the same program.
 *
 * <p>Needs the repo {@link ServeBenchmark} leaves in {@code DIR/runs/serve-rocksdb} (materialized,
 * no server running on it):
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.serve.ReadCpuBenchmark /tmp/quiver-bench/online-1m [--rows 1000000 --keys 100000] [--calls 20000]
 * </pre>
 */
public final class ReadCpuBenchmark {
  private ReadCpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int calls = Integer.parseInt(opts.getOrDefault("calls", "20000"));
    long[] keys = new OnlineWorkload(dir, Long.parseLong(opts.getOrDefault("rows", "1000000")),
        Long.parseLong(opts.getOrDefault("keys", "100000")), 42).loadKeys();
    List<String> refs = OnlineWorkload.WIDE_FEATURES.stream().map(f -> "user_wide:" + f).toList();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.printf("load average before: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
    try (FeatureRepo repo = FeatureRepo.open(dir.resolve("runs").resolve("serve-rocksdb"));
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1))) {
      for (int size : new int[] {1, 100}) {
        List<OnlineRequest> requests = requests(keys, refs, size);
        int n = size == 1 ? calls : Math.max(1, calls / 20);
        double[] read = rounds(mx, n, i -> server.serving().getOnlineFeatures(requests.get(i % requests.size())));
        OnlineResponse answer = server.serving().getOnlineFeatures(requests.getFirst());
        System.out.printf("%d × 50: read %.2f µs CPU (min %.2f, max %.2f)", size, read[3] / 1e3, read[0] / 1e3, read[6] / 1e3);
        double[] counting = countingRounds(mx, size == 1 ? 10 * calls : calls, answer);
        System.out.println(counting == null ? "; this build has no per-feature serving metrics"
            : String.format("; of which serving metrics %.3f µs (min %.3f, max %.3f)", counting[3] / 1e3, counting[0] / 1e3,
                counting[6] / 1e3));
      }
    }
    System.out.printf("load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
  }

  private static List<OnlineRequest> requests(long[] keys, List<String> refs, int size) {
    Random random = new Random(7);
    List<OnlineRequest> out = new ArrayList<>();
    for (int r = 0; r < 1000; r++) {
      List<Object> ids = new ArrayList<>(size);
      for (int k = 0; k < size; k++) {
        ids.add(keys[random.nextInt(keys.length)]);
      }
      out.add(new OnlineRequest(refs, null, Map.of("user_id", ids), true, Map.of()));
    }
    return out;
  }

  /** Thread CPU nanoseconds per call, 7 rounds after 3 warm-up rounds, sorted. */
  private static double[] rounds(ThreadMXBean mx, int calls, java.util.function.IntConsumer call) {
    double[] ns = new double[7];
    for (int round = -3; round < ns.length; round++) {
      long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < calls; i++) {
        call.accept(i);
      }
      if (round >= 0) {
        ns[round] = (mx.getCurrentThreadCpuTime() - c0) / (double) calls;
      }
    }
    Arrays.sort(ns);
    return ns;
  }

  /** The serving metrics' counting alone, over one real answer (a fresh set of meters); null for a build before them. */
  private static double[] countingRounds(ThreadMXBean mx, int calls, OnlineResponse answer) throws Exception {
    Class<?> type;
    try {
      type = Class.forName("dev.quiver.server.FeatureMetrics");
    } catch (ClassNotFoundException e) {
      return null; // measuring a build from before issue 23 (its quiver-server jar on the class path)
    }
    Constructor<?> make = type.getDeclaredConstructor(io.micrometer.core.instrument.MeterRegistry.class);
    make.setAccessible(true);
    Object metrics = make.newInstance(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    Method served = type.getDeclaredMethod("served", Optional.class, String.class, Supplier.class);
    served.setAccessible(true);
    Supplier<OnlineResponse> read = () -> answer;
    return rounds(mx, calls, i -> {
      try {
        served.invoke(metrics, Optional.empty(), null, read);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
