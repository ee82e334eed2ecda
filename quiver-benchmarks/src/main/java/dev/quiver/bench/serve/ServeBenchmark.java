package dev.quiver.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.bench.online.OnlineWorkload;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The feature server under load (issue 5): requests of 1 and of 100 entities × the 50 features of
 * {@code user_wide} over HTTP ({@code POST /get-online-features}, Feast's JSON, full feature names),
 * driven by {@link LoadGenerator} at fixed rates (open model) and in a closed loop (saturation).
 *
 * <p>Against Quiver ({@code --stores rocksdb,redis}): builds or reuses the online workload
 * ({@link OnlineWorkload}), writes a fresh repo per store with the view's TTL raised to
 * {@code --ttl-days} (the data is from early 2026 and the server reads with the wall clock, so with
 * the workload's 90 days every value would be OUTSIDE_MAX_AGE and null), materializes
 * {@code user_wide} in this JVM, closes the repo, and starts the server in a JVM of its own
 * ({@link ServerMain}, same JDK and class path), as wrk and a server are two processes sharing the
 * cores. For Redis a fresh redis-server 6.2 ({@link LocalRedis}) is started first.
 *
 * <p>Against any server ({@code --url http://127.0.0.1:PORT}, e.g. Feast's {@code feast serve} set up by
 * {@code feast/serve_feast.py}): the same bodies and phases; {@code --server-pid} adds that process
 * tree's CPU time to the report.
 *
 * <p>Per request size: a JIT warm-up run (not reported), then each rate of {@code --rates-1} or
 * {@code --rates-100} for {@code --warmup} + {@code --duration}, then the closed loop with
 * {@code --saturation-connections}. Before each phase the 1-minute load average is printed; during it
 * the server's CPU use (cores) is measured from /proc.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.serve.ServeBenchmark /tmp/quiver-bench/online-1m --rows 1000000 --keys 100000 \
 *     [--stores rocksdb,redis | --url http://127.0.0.1:6566 --label feast-sqlite --server-pid N] [--sizes 1,100] \
 *     [--rates-1 1000,5000,10000] [--rates-100 500,1000,2000] [--warmup 3s] [--duration 15s] [--connections 32] \
 *     [--saturation-connections 32] [--io-threads 1] [--timeout 2s] [--bodies 10000] [--jit-warmup 10s] \
 *     [--server-threads N] [--server-io-threads N] [--server-queue-timeout MS] [--server-java-options '-XX:StartFlightRecording=filename=s.jfr']
 *     [--service-logging off,1.0] [--feature-logging '{writer_priority: normal}'] [--slow-ms 5]
 * </pre>
 *
 * <p>{@code --service-logging off,1.0} (issue 23): the requests name a feature service {@code wide} of
 * the 50 features instead of listing them, and each store is run once per value: {@code off} (the
 * service has no {@code logging:}) and each sample rate (the service logs at that rate to the repo's
 * {@code feature_logs}); after each run the server's {@code quiver_feature_log_*} counters are printed.
 * {@code --slow-ms X} prints, per fixed-rate phase, the requests slower than X ms per 100 ms window
 * (UTC) and, for a logged service, when each log file was rolled ({@link SlowWindows}), to line slow
 * requests up with rolls. {@code --feature-logging YAML} is appended to quiver.yaml as its
 * {@code feature_logging} section. {@code --saturation-connections none} leaves out the closed loop.
 */
public final class ServeBenchmark {
  private ServeBenchmark() {}

  private static final String VIEW = "user_wide";

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    PrintStream out = System.out;
    out.printf("machine: %d cores; JDK %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.runtime.version"), loadAverage());
    OnlineWorkload w = new OnlineWorkload(o.dir, o.longOpt("rows", 10_000_000), o.longOpt("keys", 1_000_000),
        o.longOpt("seed", 42));
    w.prepare(out);
    long[] keys = w.loadKeys();
    List<String> refs = OnlineWorkload.WIDE_FEATURES.stream().map(f -> VIEW + ":" + f).toList();
    List<String> rows = new ArrayList<>();
    String url = o.opt("url", null);
    if (url != null) {
      URI u = URI.create(url);
      long pid = o.longOpt("server-pid", -1);
      rows.addAll(runAll(o, o.opt("label", "server"), u.getHost(), u.getPort(), pid, keys, refs, null, out));
    } else {
      List<String> logging = o.has("service-logging") ? o.list("service-logging", null) : java.util.Collections.singletonList(null);
      for (String type : o.list("stores", "rocksdb,redis")) {
        for (String rate : logging) {
          rows.addAll(runQuiver(o, w, type, rate, keys, refs, out));
        }
      }
    }
    out.println();
    out.printf("summary (load average %s):%n", loadAverage());
    out.println("| system | request | target rate | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms"
        + " | server CPU (cores) | client CPU (cores) | errors | load avg before |");
    out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(out::println);
  }

  /** @param logging null: requests list the features; else they name service {@code wide}, logged at this rate or {@code off} */
  private static List<String> runQuiver(Options o, OnlineWorkload w, String type, String logging, long[] keys, List<String> refs,
      PrintStream out) throws Exception {
    LocalRedis redis = type.equals("redis") ? LocalRedis.start() : null;
    try {
      String online = switch (type) {
        case "rocksdb" -> "{type: rocksdb, path: .quiver/online}";
        case "redis" -> "{type: redis, url: '" + redis.url() + "', command_timeout: 10s}";
        default -> throw new IllegalArgumentException("unknown store " + type + " (rocksdb, redis)");
      };
      Path root = newRepo(w, "serve-" + type, online, o.intOpt("ttl-days", 3650));
      if (logging != null && o.has("feature-logging")) {
        Files.writeString(root.resolve("quiver.yaml"), "feature_logging: " + o.opt("feature-logging", null) + "\n",
            java.nio.file.StandardOpenOption.APPEND);
      }
      if (logging != null) {
        Files.writeString(root.resolve("features/service.yaml"), "feature_services:\n  - name: " + SERVICE
            + "\n    features: [" + String.join(", ", refs) + "]\n"
            + (logging.equals("off") ? "" : "    logging: {sample_rate: " + Double.parseDouble(logging) + "}\n"));
        try (FeatureRepo r = FeatureRepo.open(root)) {
          r.apply(r.plan(false), "benchmark", "service " + SERVICE + ", logging " + logging, true);
        }
      }
      try (FeatureRepo repo = FeatureRepo.open(root)) {
        long t0 = System.nanoTime();
        var m = repo.materialize(List.of(VIEW), OnlineWorkload.START, OnlineWorkload.END, (v, r, wr) -> {}, "benchmark")
            .getFirst();
        out.printf("%n%s: materialized %s: %,d latest rows written in %.2f s%n", type, VIEW, m.rowsWritten(),
            (System.nanoTime() - t0) / 1e9);
      }
      List<String> serverArgs = new ArrayList<>();
      for (String option : List.of("threads", "io-threads", "queue-timeout")) {
        if (o.has("server-" + option)) {
          serverArgs.addAll(List.of("--" + option, o.opt("server-" + option, null)));
        }
      }
      // the next run deletes and recreates this run's folder: close() waits until the server has exited, so that
      // a server still closing its store there cannot delete the new store's files
      try (ServerProcess server = ServerProcess.start(root, null, Runtime.getRuntime().availableProcessors(),
          o.opt("server-java-options", null), serverArgs)) {
        out.printf("%s: server JVM pid %d on port %d (%s); its log: %s%n", type, server.pid(), server.port(),
            server.settings(), root.resolve("server.log"));
        String label = "Quiver " + type + (logging == null ? "" : ", service, logging " + logging);
        List<String> result = runAll(o, label, "127.0.0.1", server.port(), server.pid(), keys, refs,
            logging == null ? null : SERVICE, out);
        if (logging != null) {
          out.printf("%s: %s%n", label, featureLogCounters(server.port()));
          if (o.has("slow-ms")) {
            SlowWindows.printRolls(root.resolve("feature_logs"), out);
          }
        }
        return result;
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  static String field(BufferedReader in, String name, Path log) throws IOException {
    String line = in.readLine();
    if (line == null || !line.startsWith(name + " ")) {
      throw new IllegalStateException("the server JVM did not start (printed " + line + "); see " + log);
    }
    return line.substring(name.length() + 1).trim();
  }

  /** The server's {@code quiver_feature_log_*} lines from /metrics, joined. */
  private static String featureLogCounters(int port) {
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      String body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return body.lines().filter(l -> l.startsWith("quiver_feature_log_")).collect(java.util.stream.Collectors.joining("; "));
    } catch (IOException e) {
      return "no metrics: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static final String SERVICE = "wide";

  /** Every phase against one server; returns the summary rows. {@code service}: bodies name it instead of the refs. */
  private static List<String> runAll(Options o, String label, String host, int port, long serverPid, long[] keys,
      List<String> refs, String service, PrintStream out) {
    List<String> rows = new ArrayList<>();
    LoadGenerator generator = new LoadGenerator();
    Duration warmup = o.duration("warmup", "3s");
    Duration duration = o.duration("duration", "15s");
    for (String sizeText : o.list("sizes", "1,100")) {
      int size = Integer.parseInt(sizeText);
      List<byte[]> bodies = service == null ? RequestBodies.build(keys, "user_id", refs, size, o.intOpt("bodies", 10_000), 7 + size)
          : RequestBodies.forService(keys, "user_id", service, size, o.intOpt("bodies", 10_000), 7 + size);
      check(host, port, bodies.getFirst(), size, refs.size(), label, out);
      LoadGenerator.Settings base = new LoadGenerator.Settings(host, port, "/get-online-features", bodies, 0,
          o.intOpt("connections", 32), warmup, duration, o.duration("timeout", "2s"), o.intOpt("io-threads", 1));
      String request = size + " × " + refs.size();
      Duration jit = o.duration("jit-warmup", "10s");
      if (!jit.isZero()) {
        LoadResult r = generator.run(base.at(0, 8).lasting(Duration.ZERO, jit));
        out.printf("%s, %s: JIT warm-up, closed loop, 8 connections, %.0f s: %,.0f req/s (not reported)%n", label,
            request, jit.toMillis() / 1e3, r.achievedRate());
      }
      List<Double> rates = o.list(size == 1 ? "rates-1" : "rates-100", size == 1 ? "1000,5000,10000" : "500,1000,2000")
          .stream().map(Double::parseDouble).toList();
      List<LoadGenerator.Settings> phases = new ArrayList<>();
      for (double rate : rates) {
        phases.add(base.at(rate, base.connections()));
      }
      for (String c : o.list("saturation-connections", "32")) {
        if (!c.equals("none")) {
          phases.add(base.at(0, Integer.parseInt(c)));
        }
      }
      double slowMs = Double.parseDouble(o.opt("slow-ms", "0"));
      for (LoadGenerator.Settings phase : phases) {
        String load = loadAverage();
        double cpu0 = cpuSeconds(serverPid);
        boolean timeline = slowMs > 0 && phase.rate() > 0;
        long wallOffset = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
        LoadResult r = (timeline ? generator.timeline(true) : generator).run(phase);
        double serverCores = serverPid < 0 ? Double.NaN : (cpuSeconds(serverPid) - cpu0) / (r.seconds()
            + phase.warmup().toNanos() / 1e9);
        out.printf("%s, %s: %s; server CPU %.2f cores; load average before %s%n", label, request, r.line(), serverCores,
            load);
        if (timeline) {
          SlowWindows.print(r.timeline(), slowMs, wallOffset, out);
        }
        rows.add(String.format("| %s | %s | %s | %,.0f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %s | %s |",
            label, request, phase.rate() == 0 ? "closed loop, " + phase.connections() + " conns"
                : String.format("%,.0f/s", phase.rate()),
            r.achievedRate(), r.ms(50), r.ms(90), r.ms(99), r.ms(99.9), r.maxMs(), serverCores,
            r.clientCpuSeconds() / r.seconds(), errors(r), load.split(" ")[0]));
      }
    }
    return rows;
  }

  private static String errors(LoadResult r) {
    if (r.clean()) {
      return "0";
    }
    List<String> parts = new ArrayList<>();
    r.nonOk().forEach((k, v) -> parts.add(v + "× " + k));
    if (r.timeouts() > 0) {
      parts.add(r.timeouts() + " timeouts");
    }
    if (r.unsent() > 0) {
      parts.add(r.unsent() + " unsent");
    }
    if (r.connectionErrors() > 0) {
      parts.add(r.connectionErrors() + " conn. errors");
    }
    return String.join(", ", parts);
  }

  /** Sends one request and prints what came back: the feature columns and their statuses. */
  private static void check(String host, int port, byte[] body, int size, int features, String label, PrintStream out) {
    // HTTP/1.1: the default HTTP/2 client asks for an h2c upgrade, which uvicorn (feast serve) answers without the body
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port
              + "/get-online-features")).POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .header("Content-Type", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(label + " answered " + response.statusCode() + ": " + response.body());
      }
      JsonNode json = new ObjectMapper().readTree(response.body());
      Map<String, Integer> statuses = new TreeMap<>();
      JsonNode results = json.path("results");
      for (int c = 1; c < results.size(); c++) {
        results.get(c).path("statuses").forEach(s -> statuses.merge(s.asText(), 1, Integer::sum));
      }
      out.printf("%s: a %d-entity request returns %d feature columns (+ the key), %,d bytes; statuses %s; first names %s%n",
          label, size, results.size() - 1, response.body().length(), statuses,
          json.path("metadata").path("feature_names").toString().substring(0, 60) + "...");
      if (results.size() - 1 != features || statuses.getOrDefault("PRESENT", 0) == 0) {
        throw new IllegalStateException(label + " did not return " + features + " features with values: " + statuses);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(label + " did not answer on port " + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A fresh repo under {@code runs/name}: the workload's definitions with the TTL raised, applied. */
  static Path newRepo(OnlineWorkload w, String name, String online, int ttlDays) throws IOException {
    Path repo = w.dir().resolve("runs").resolve(name);
    if (Files.exists(repo)) {
      try (Stream<Path> walk = Files.walk(repo)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(repo.resolve("features"));
    String defs = Files.readString(w.definitions());
    String ttl = "ttl: " + OnlineWorkload.TTL_DAYS + "d";
    if (!defs.contains(ttl)) {
      throw new IllegalStateException(w.definitions() + " has no '" + ttl + "' to raise");
    }
    Files.writeString(repo.resolve("features/online.yaml"), defs.replace(ttl, "ttl: " + ttlDays + "d"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        # written by dev.quiver.bench.serve.ServeBenchmark
        project: %s
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: %s
        definitions: [features]
        """.formatted(OnlineWorkload.PROJECT, online));
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      Plan plan = r.plan(false);
      r.apply(plan, "benchmark", "serve workload", true);
    }
    return repo;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** CPU seconds (user + system) of a process and its descendants so far; NaN if unknown. */
  static double cpuSeconds(long pid) {
    if (pid < 0) {
      return Double.NaN;
    }
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
    long ticks = 0;
    for (long p : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + p + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
      } catch (IOException | RuntimeException e) {
        // the process ended
      }
    }
    return ticks / 100.0; // USER_HZ
  }

  /** {@code DIR --name value ...}: the work directory, then options. */
  record Options(Path dir, Map<String, String> values) {
    static Options parse(String[] args) {
      if (args.length < 1 || args[0].startsWith("--")) {
        throw new IllegalArgumentException("the first argument is the work directory (see the class's Javadoc)");
      }
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 1; i < args.length; i++) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --name value, got " + args[i]);
        }
        values.put(args[i].substring(2), args[++i]);
      }
      return new Options(Path.of(args[0]), values);
    }

    boolean has(String name) {
      return values.containsKey(name);
    }

    String opt(String name, String dflt) {
      return values.getOrDefault(name, dflt);
    }

    long longOpt(String name, long dflt) {
      return has(name) ? Long.parseLong(opt(name, null).replace("_", "").replace(",", "")) : dflt;
    }

    int intOpt(String name, int dflt) {
      return (int) longOpt(name, dflt);
    }

    List<String> list(String name, String dflt) {
      return List.of(opt(name, dflt).split(","));
    }

    Duration duration(String name, String dflt) {
      String t = opt(name, dflt).trim();
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      throw new IllegalArgumentException("--" + name + " '" + t + "' is not a duration; write e.g. 500ms or 15s");
    }
  }
}
