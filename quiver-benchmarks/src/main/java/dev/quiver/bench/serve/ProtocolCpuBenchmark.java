package dev.quiver.bench.serve;

import dev.quiver.bench.online.OnlineWorkload;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's CPU per answered call, HTTP against gRPC, for the same request: a closed loop of
 * {@code --connections} (16) on each protocol in turn, {@code --rounds} times, after a JIT warm-up of both. The
 * server runs in its own JVM ({@link ServerMain}, unpinned; {@code --server-java-options} for a JFR recording or a
 * JIT log); its CPU is read from {@code /proc} by kind of thread ({@link ThreadCpu}). The server's classes are those
 * on this JVM's class path, so two builds are compared by running this class over each build's {@code lib/}.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.serve.ProtocolCpuBenchmark /tmp/pcpu/online-200k --rows 200000 --keys 20000 [--store redis|rocksdb]
 *     [--rounds 4] [--connections 16] [--warmup 1s] [--duration 5s] [--jit-warmup 20s] [--entities 1]
 *     [--server-java-options '-XX:StartFlightRecording=...'] [--server-latency-target MS]
 * </pre>
 */
public final class ProtocolCpuBenchmark {
  private ProtocolCpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    ServeBenchmark.Options o = ServeBenchmark.Options.parse(args);
    PrintStream out = System.out;
    OnlineWorkload w = new OnlineWorkload(o.dir(), o.longOpt("rows", 200_000), o.longOpt("keys", 20_000), o.longOpt("seed", 42));
    w.prepare(out);
    long[] keys = w.loadKeys();
    List<String> refs = OnlineWorkload.WIDE_FEATURES.stream().map(f -> "user_wide:" + f).toList();
    int entities = o.intOpt("entities", 1);
    List<byte[]> bodies = RequestBodies.build(keys, "user_id", refs, entities, 10_000, 8);
    String type = o.opt("store", "redis");
    try (LocalRedis redis = type.equals("redis") ? LocalRedis.start() : null) {
      String online = redis == null ? "{type: rocksdb, path: .quiver/online}"
          : "{type: redis, url: '" + redis.url() + "', command_timeout: 10s}";
      var root = ServeBenchmark.newRepo(w, "protocol-cpu-" + type, online, 3650);
      try (FeatureRepo repo = FeatureRepo.open(root)) {
        repo.materialize(List.of("user_wide"), OnlineWorkload.START, OnlineWorkload.END, (v, r, wr) -> {}, "benchmark");
      }
      List<String> extra = new ArrayList<>(List.of("--grpc", "on"));
      if (o.has("server-latency-target")) {
        extra.addAll(List.of("--latency-target", o.opt("server-latency-target", null)));
      }
      int n = o.intOpt("connections", 16);
      Duration warmup = o.duration("warmup", "1s");
      Duration duration = o.duration("duration", "5s");
      try (ServerProcess s = ServerProcess.start(root, null, Runtime.getRuntime().availableProcessors(),
          o.opt("server-java-options", null), extra);
          GrpcLoad grpc = new GrpcLoad(s.grpcPort(), 4, null, null, keys, refs, entities, 10_000, 8)) {
        out.printf("server JVM pid %d (%s); store %s; load average %s%n", s.pid(), s.settings(), type,
            ServeBenchmark.loadAverage());
        LoadGenerator http = new LoadGenerator();
        LoadGenerator.Settings base = new LoadGenerator.Settings("127.0.0.1", s.port(), "/get-online-features", bodies, 0, n,
            warmup, duration, Duration.ofSeconds(2), 1);
        Duration jit = o.duration("jit-warmup", "20s");
        for (int i = 0; i < 2; i++) { // both protocols' paths, twice, so that neither is compiled during the other's rounds
          http.run(base.lasting(Duration.ZERO, jit.dividedBy(4)));
          grpc.run(0, n, Duration.ZERO, jit.dividedBy(4), Duration.ofSeconds(2));
        }
        for (int round = 1; round <= o.intOpt("rounds", 4); round++) {
          measure(out, s, "HTTP", round, () -> http.run(base));
          measure(out, s, "gRPC", round, () -> grpc.run(0, n, warmup, duration, Duration.ofSeconds(2)));
        }
      }
    }
  }

  private static void measure(PrintStream out, ServerProcess s, String protocol, int round,
      java.util.function.Supplier<LoadResult> run) {
    String load = ServeBenchmark.loadAverage();
    ThreadCpu before = ThreadCpu.of(s.pid());
    LoadResult r = run.get();
    ThreadCpu cpu = ThreadCpu.of(s.pid()).minus(before);
    double sent = Math.max(1, r.sent());
    StringBuilder kinds = new StringBuilder();
    for (String k : ThreadCpu.KINDS) {
      kinds.append(String.format(" %s %.1f", k, cpu.of(k) / sent * 1e6));
    }
    out.printf("round %d %s: %,.0f answers/s, %s; server CPU per call %.1f µs (by thread, µs:%s); load average %s%n",
        round, protocol, r.achievedRate(), r.clean() ? "clean" : "errors " + r.nonOk(), cpu.total() / sent * 1e6, kinds,
        load);
  }
}
