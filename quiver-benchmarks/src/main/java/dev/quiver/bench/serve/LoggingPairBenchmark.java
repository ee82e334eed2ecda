package dev.quiver.bench.serve;

import dev.quiver.bench.online.OnlineWorkload;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Feature logging's cost on the serving tail (issue 23), measured so that a 10% p99 difference can show
 * on a small shared machine: <b>two servers run at once</b>, one whose feature service {@code wide} does
 * not log and one whose service logs every request (or {@code --sample-rate}), each on its own repo and
 * RocksDB store with the same 1 &times; 50 workload as {@link ServeBenchmark}, and the load (a fixed
 * rate, the open model of {@link LoadGenerator}) goes to them in <b>many short alternating phases</b>:
 * pair {@code i} is off-then-logged for even {@code i} and logged-then-off for odd {@code i}, so a drift
 * of the machine during a pair cancels over pairs. Each pair gives a relative difference of the p99 (and
 * of the p50, p99.9 and the server's CPU per request), and the report is their median, spread and a
 * bootstrap interval ({@link PairedDifferences}), besides the p99 of every phase pooled per server; for the
 * p99, also how many pairs exceed +10% and the sign test's interval of the median, with the verdict it gives
 * against +10% (at most, above, undecided: at 8 pairs that interval is the whole range, so use 16 or more).
 * The order is ABBA (off-logged, logged-off, ...), so a linear drift cancels over each 2 pairs.
 *
 * <p>Why this design: between two invocations minutes apart the same server's p99 varied 2&times; here,
 * more than logging's effect, so one pair per invocation shows nothing. With both JVMs warm and alive
 * throughout, the slow drift of the machine (other processes, the page cache, thermal state) falls on
 * both sides of every pair alike. What it hides, and the options that bound it:
 * <ul>
 *   <li>Spill-over between phases: a roll's {@code COPY} or a collection of the logged server that is
 *       still running when its phase ends would slow the next (unlogged) phase, charging logging's cost
 *       to the control. By default each phase starts only when the log's queue is empty and both servers
 *       have been idle (under 5% of a core) for 250 ms ({@code --settle on}); then a roll that outlasts
 *       its phase is charged to no phase at all, which <em>hides</em> its tail after the phase ends
 *       ({@code --settle off} keeps it, in the next phase, whichever server that is).</li>
 *   <li>Interference: the idle server is not quite idle (its JIT, GC and the log writer's 5 ms wake-ups),
 *       and both sides share it; its CPU during the other's phase is printed.</li>
 *   <li>Cores: {@code --client-cpus 0 --server-cpus 1} pins the load generator (this JVM) and both servers
 *       to different cores ({@code taskset}), so the client's bursts do not preempt the server; then the
 *       log's writer and roll threads share the server's one core with its request threads (at nice 19),
 *       which is harsher for logging than a server with cores to spare. A pinned server JVM is started with
 *       {@code -XX:ActiveProcessorCount} of the machine: told it has one CPU, it would pick the serial collector
 *       and smaller thread pools, a different server from the unpinned one.</li>
 *   <li>Warm-up: each server is warmed at the phase rate ({@code --jit-warmup}), not in a closed loop: a
 *       closed loop outruns the writer, fills the log's queue (10,000 requests of live heap) and leaves
 *       the logged JVM with a larger heap and young generation than the unlogged one.</li>
 * </ul>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.serve.LoggingPairBenchmark /tmp/flog-bench/online-1m --rows 1000000 --keys 100000 \
 *     [--pairs 20] [--rate 5000] [--warmup 1s] [--duration 8s] [--jit-warmup 20s] [--connections 32] [--sample-rate 1.0] \
 *     [--client-cpus 0 --server-cpus 1] [--settle on] [--feature-logging '{roll_rows: 100000}'] [--server-java-options '-Xlog:gc:file=gc-%p.log']
 * </pre>
 */
public final class LoggingPairBenchmark {
  private LoggingPairBenchmark() {}

  private static final String VIEW = "user_wide";
  private static final String SERVICE = "wide";
  private static final long SEED = 23;
  /** Issue 23's bound on the p99 that logging adds. */
  private static final double TARGET = 0.10;

  /** One measured phase of one server. */
  private record Phase(int pair, boolean logged, double p50, double p99, double p999, double max, double achieved,
      double cpuMicrosPerRequest, double otherCores, boolean clean, double files, String load) {}

  public static void main(String[] args) throws Exception {
    ServeBenchmark.Options o = ServeBenchmark.Options.parse(args);
    PrintStream out = System.out;
    String clientCpus = o.opt("client-cpus", null);
    int machineCpus = Runtime.getRuntime().availableProcessors();
    out.printf("machine: %d cores; JDK %s; load average %s; client CPUs %s, server CPUs %s%n", machineCpus,
        System.getProperty("java.runtime.version"), ServeBenchmark.loadAverage(),
        clientCpus == null ? "any" : clientCpus, o.opt("server-cpus", "any"));
    if (clientCpus != null) {
      ServerProcess.pin(ProcessHandle.current().pid(), clientCpus);
    }
    OnlineWorkload w = new OnlineWorkload(o.dir(), o.longOpt("rows", 10_000_000), o.longOpt("keys", 1_000_000),
        o.longOpt("seed", 42));
    w.prepare(out);
    long[] keys = w.loadKeys();
    List<String> refs = OnlineWorkload.WIDE_FEATURES.stream().map(f -> VIEW + ":" + f).toList();
    String rate = o.opt("sample-rate", "1.0");
    Path offRepo = repo(w, o, "pair-off", null, refs, out);
    Path logRepo = repo(w, o, "pair-logged", rate, refs, out);
    String cpus = o.opt("server-cpus", null);
    String javaOptions = o.opt("server-java-options", null);
    try (ServerProcess off = ServerProcess.start(offRepo, cpus, machineCpus, javaOptions);
        ServerProcess logged = ServerProcess.start(logRepo, cpus, machineCpus, javaOptions)) {
      out.printf("servers: off pid %d port %d, logged (sample rate %s) pid %d port %d%n", off.pid(), off.port(), rate,
          logged.pid(), logged.port());
      run(o, keys, off, logged, out);
    }
  }

  private static void run(ServeBenchmark.Options o, long[] keys, ServerProcess off, ServerProcess logged, PrintStream out) {
    List<byte[]> bodies = RequestBodies.forService(keys, "user_id", SERVICE, 1, o.intOpt("bodies", 10_000), 8);
    double rate = Double.parseDouble(o.opt("rate", "5000"));
    boolean settle = !o.opt("settle", "on").equals("off");
    LoadGenerator.Settings base = new LoadGenerator.Settings("127.0.0.1", off.port(), "/get-online-features", bodies, rate,
        o.intOpt("connections", 32), o.duration("warmup", "1s"), o.duration("duration", "8s"), o.duration("timeout", "2s"),
        o.intOpt("io-threads", 1));
    LoadGenerator generator = new LoadGenerator();
    Duration jit = o.duration("jit-warmup", "20s");
    for (ServerProcess s : List.of(off, logged)) {
      LoadResult r = generator.run(on(base, s).lasting(Duration.ZERO, jit));
      out.printf("JIT warm-up of %s at %,.0f req/s for %d s: p99 %.3f ms (not reported)%n", s == off ? "off" : "logged",
          rate, jit.toSeconds(), r.ms(99));
    }
    out.printf("log after warm-up: %s%n", logCounters(logged));
    int pairs = o.intOpt("pairs", 20);
    List<Phase> phases = new ArrayList<>();
    double longestBurst = 0;
    double rollCpu0 = logged.metric("quiver_feature_log_roll_cpu_seconds_total");
    double rows0 = logged.metric("quiver_feature_log_rows_total");
    Histogram pooledOff = null;
    Histogram pooledLogged = null;
    out.println("| pair | server | p50 ms | p99 ms | p99.9 ms | max ms | achieved req/s | server CPU µs/request | other server (cores)"
        + " | files written | load avg |");
    out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (int i = 0; i < pairs; i++) {
      for (boolean logs : i % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
        ServerProcess s = logs ? logged : off;
        ServerProcess other = logs ? off : logged;
        if (settle) {
          settle(logged, off);
        }
        String load = ServeBenchmark.loadAverage();
        double cpu0 = s.cpuSeconds();
        double other0 = other.cpuSeconds();
        double files0 = logs ? logged.metric("quiver_feature_log_files_total") : 0;
        long t0 = System.nanoTime();
        LoadResult r = generator.run(on(base, s));
        double wall = (System.nanoTime() - t0) / 1e9;
        Phase p = new Phase(i, logs, r.ms(50), r.ms(99), r.ms(99.9), r.maxMs(), r.achievedRate(),
            (s.cpuSeconds() - cpu0) * 1e6 / r.sent(), (other.cpuSeconds() - other0) / wall, r.clean(),
            logs ? logged.metric("quiver_feature_log_files_total") - files0 : 0, load.split(" ")[0]);
        phases.add(p);
        if (logs) {
          longestBurst = Math.max(longestBurst, logged.metric("quiver_feature_log_roll_burst_seconds"));
          pooledLogged = add(pooledLogged, r.latency());
        } else {
          pooledOff = add(pooledOff, r.latency());
        }
        out.printf("| %d | %s | %.3f | %.3f | %.3f | %.3f | %,.0f%s | %.1f | %.3f | %s | %s |%n", i + 1, logs ? "logged" : "off",
            p.p50, p.p99, p.p999, p.max, p.achieved, p.clean ? "" : " (errors)", p.cpuMicrosPerRequest, p.otherCores,
            logs ? String.format("%.0f", p.files) : "", p.load);
      }
    }
    report(phases, pairs, pooledOff, pooledLogged, out);
    double rollCpu = logged.metric("quiver_feature_log_roll_cpu_seconds_total") - rollCpu0;
    double rows = logged.metric("quiver_feature_log_rows_total") - rows0;
    out.printf("rolls during the pairs: %.3f s CPU for %,.0f rows written (%.2f µs a row, %.0f ms per 100,000); longest burst"
        + " of the last roll before each logged phase's end, at most %.1f ms (0: a server without these metrics)%n",
        rollCpu, rows, rollCpu * 1e6 / rows, rollCpu * 1e8 / rows, longestBurst * 1e3);
    out.printf("log at the end: %s; load average %s%n", logCounters(logged), ServeBenchmark.loadAverage());
  }

  private static void report(List<Phase> phases, int pairs, Histogram pooledOff, Histogram pooledLogged, PrintStream out) {
    out.printf("%npooled over %d phases each: off p50 %.3f p99 %.3f p99.9 %.3f ms; logged p50 %.3f p99 %.3f p99.9 %.3f ms%n",
        pairs, ms(pooledOff, 50), ms(pooledOff, 99), ms(pooledOff, 99.9), ms(pooledLogged, 50), ms(pooledLogged, 99),
        ms(pooledLogged, 99.9));
    out.println("paired differences, logged against off (each pair's logged / off - 1):");
    out.printf("  p99:  %s%n", diff(phases, pairs, Phase::p99).line(SEED));
    out.printf("  p99 against the target: %s%n", diff(phases, pairs, Phase::p99).thresholdLine(TARGET));
    out.printf("  p50:  %s%n", diff(phases, pairs, Phase::p50).line(SEED));
    out.printf("  p99.9: %s%n", diff(phases, pairs, Phase::p999).line(SEED));
    out.printf("  server CPU per request: %s%n", diff(phases, pairs, Phase::cpuMicrosPerRequest).line(SEED));
    double cpuOff = phases.stream().filter(p -> !p.logged).mapToDouble(Phase::cpuMicrosPerRequest).sorted()
        .skip(pairs / 2).findFirst().orElse(Double.NaN);
    double cpuLogged = phases.stream().filter(Phase::logged).mapToDouble(Phase::cpuMicrosPerRequest).sorted()
        .skip(pairs / 2).findFirst().orElse(Double.NaN);
    out.printf("  server CPU per request, medians: off %.1f µs, logged %.1f µs%n", cpuOff, cpuLogged);
  }

  private static PairedDifferences diff(List<Phase> phases, int pairs, java.util.function.ToDoubleFunction<Phase> measure) {
    double[] logged = new double[pairs];
    double[] off = new double[pairs];
    for (Phase p : phases) {
      (p.logged ? logged : off)[p.pair] = measure.applyAsDouble(p);
    }
    return PairedDifferences.of(logged, off);
  }

  /** Waits (up to 10 s) until the log's queue is empty and both servers used under 5% of a core for 250 ms. */
  private static void settle(ServerProcess logged, ServerProcess off) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      double a = logged.cpuSeconds() + off.cpuSeconds();
      sleep(250);
      double b = logged.cpuSeconds() + off.cpuSeconds();
      if (b - a < 0.05 * 0.25 + 1e-9 && !(logged.metric("quiver_feature_log_queued") > 0)) {
        return;
      }
    }
  }

  private static LoadGenerator.Settings on(LoadGenerator.Settings base, ServerProcess s) {
    return new LoadGenerator.Settings(base.host(), s.port(), base.path(), base.bodies(), base.rate(), base.connections(),
        base.warmup(), base.duration(), base.timeout(), base.ioThreads());
  }

  private static Histogram add(Histogram pooled, Histogram h) {
    if (pooled == null) {
      pooled = new Histogram(h.getHighestTrackableValue(), 3);
    }
    pooled.add(h);
    return pooled;
  }

  private static double ms(Histogram h, double percentile) {
    return h == null ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  private static String logCounters(ServerProcess logged) {
    return String.format("%,.0f rows in %,.0f files, %,.0f requests dropped, %,.0f queued",
        logged.metric("quiver_feature_log_rows_total"), logged.metric("quiver_feature_log_files_total"),
        logged.metric("quiver_feature_log_dropped_total"), logged.metric("quiver_feature_log_queued"));
  }

  /** A fresh repo with service {@code wide} (logged at {@code rate}, or not for null) and {@code user_wide} materialized. */
  private static Path repo(OnlineWorkload w, ServeBenchmark.Options o, String name, String rate, List<String> refs,
      PrintStream out) throws IOException {
    Path root = ServeBenchmark.newRepo(w, name, "{type: rocksdb, path: .quiver/online}", o.intOpt("ttl-days", 3650));
    if (rate != null && o.has("feature-logging")) {
      Files.writeString(root.resolve("quiver.yaml"), "feature_logging: " + o.opt("feature-logging", null) + "\n",
          StandardOpenOption.APPEND);
    }
    Files.writeString(root.resolve("features/service.yaml"), "feature_services:\n  - name: " + SERVICE + "\n    features: ["
        + String.join(", ", refs) + "]\n" + (rate == null ? "" : "    logging: {sample_rate: " + Double.parseDouble(rate) + "}\n"));
    try (FeatureRepo r = FeatureRepo.open(root)) {
      r.apply(r.plan(false), "benchmark", "service " + SERVICE + ", logging " + (rate == null ? "off" : rate), true);
      var m = r.materialize(List.of(VIEW), OnlineWorkload.START, OnlineWorkload.END, (v, n, wr) -> {}, "benchmark").getFirst();
      out.printf("%s: materialized %s: %,d latest rows%n", name, VIEW, m.rowsWritten());
    }
    return root;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
