package dev.quiver.bench.serve;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.quiver.bench.online.OnlineWorkload;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.auth.ApiTokens;
import dev.quiver.testkit.LocalRedis;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 20's benchmarks: the feature server (its own JVM, {@link ServerMain}) with TLS and
 * authentication on and off, past saturation, and under slow clients. {@code user_wide}, 1 entity ×
 * 50 features, the {@link OnlineWorkload} data; load from this JVM ({@link LoadGenerator} for HTTP,
 * {@link GrpcLoad} for gRPC). Each part prints one line per phase with the 1-minute load average.
 *
 * <ul>
 *   <li>{@code auth}: per configuration of {@code --configs} (plain, tls, token, jwt, tls+token,
 *       tls+jwt), the same store and data: HTTP and gRPC in a closed loop and at {@code --rate} (open
 *       model). API tokens are created in the repo's registry; JWTs are RS256 against a JWKS file
 *       (Nimbus); the certificate is self-signed (openssl, EC P-256).
 *   <li>{@code overload}: HTTP capacity, the 2xx per second of a closed loop of {@code --capacity-connections} (16), and a
 *       closed loop of {@code --saturation-connections} (256, clients resending at once), then {@code --overload-factor} × the capacity
 *       (open model, {@code --overload-connections}; or {@code --overload-rate}, {@code --overload-grpc-rate}
 *       when given, so that two builds can be driven at the same rate) for {@code --duration}, with a light probe load
 *       ({@code --probe-rate}) running from before the burst to 5 s after it; prints the admitted
 *       (2xx) and refused (503) latencies apart, and how long after the burst the probe's latency
 *       stayed above {@code --normal-ms}, and the server's CPU by kind of thread ({@link ThreadCpu}) per
 *       request. With {@code --honour-retry-after on}, the HTTP burst once more from clients that back off
 *       as {@code Retry-After} says ({@link LoadGenerator#honourRetryAfter}), reported apart. The same for
 *       gRPC ({@code UNAVAILABLE} for shed calls). Each burst prints the rate the generator really offered and its
 *       CPU, and is marked INVALID when the offer fell under 95% of the rate asked.
 *   <li>{@code slow}: HTTP at {@code --rate} alone, then again with {@code --slow-clients}
 *       slow-loris connections (one header byte a second, reopened when the server cuts them off).
 * </ul>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.serve.SecurityBenchmark /tmp/bench20/online-200k --rows 200000 --keys 20000 \
 *     [--parts auth,overload,slow] [--store rocksdb|redis] [--configs plain,tls,token,jwt,tls+token,tls+jwt]
 *     [--rate 5000] [--warmup 2s] [--duration 10s] [--jit-warmup 10s] [--connections 32] [--saturation-connections 32]
 *     [--capacity-connections 16] [--jit-rounds 30] [--jit-settled 0.1] [--entities 1]
 *     [--server-queue-timeout MS] [--server-queue-budget MS] [--server-latency-target MS (0: off)] [--overload-grpc on|off] [--overload-factor 2] [--overload-rate N] [--overload-grpc-rate N] [--overload-connections 256] [--probe-rate 200] [--normal-ms 10]
 *     [--honour-retry-after on] [--slow-clients 500] [--server-request-timeout MS]
 *     [--client-cpus 0 --server-cpus 1 [--redis-cpus 1]]
 * </pre>
 *
 * <p>Cores: {@code --client-cpus 0 --server-cpus 1} pins the load generator (this JVM) and the server's JVM to
 * different CPUs ({@code taskset}), so that an open-model generator can offer twice what the server serves without
 * taking the server's CPU; redis-server goes with the server unless {@code --redis-cpus} says otherwise. In
 * {@code overload} everything runs unpinned until the server's JIT has settled ({@link WarmThenPin}: rounds of both
 * protocols, admitted and refused, at most {@code --jit-rounds} (30), until two rounds in a row take at most
 * {@code --jit-settled} (0.1) s of JIT CPU), and is pinned only then; each phase prints its JIT CPU. The pinned
 * server keeps the machine's processor count ({@code -XX:ActiveProcessorCount}), so its thread pools and collector
 * are those of the unpinned server ({@link ServerProcess}). {@code --entities N} reads N keys per request (1 × 50 features
 * by default): more work for the server per request at about the same cost for the generator, which sends pre-encoded
 * requests and does not parse answers, when one generator CPU cannot offer twice what one server CPU serves (gRPC).
 */
public final class SecurityBenchmark {
  private SecurityBenchmark() {}

  private static final String VIEW = "user_wide";
  private static final String ISSUER = "https://idp.bench/";
  /** The machine's CPUs, read before this JVM pins itself. */
  private static final int MACHINE_CPUS = Runtime.getRuntime().availableProcessors();

  public static void main(String[] args) throws Exception {
    ServeBenchmark.Options o = ServeBenchmark.Options.parse(args);
    PrintStream out = System.out;
    out.printf("machine: %d cores; JDK %s; load average %s; CPUs: load generator %s, server %s, redis-server %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"), ServeBenchmark.loadAverage(),
        o.opt("client-cpus", "any"), o.opt("server-cpus", "any"), o.opt("redis-cpus", o.opt("server-cpus", "any")));
    OnlineWorkload w = new OnlineWorkload(o.dir(), o.longOpt("rows", 200_000), o.longOpt("keys", 20_000), o.longOpt("seed", 42));
    w.prepare(out);
    long[] keys = w.loadKeys();
    List<String> refs = OnlineWorkload.WIDE_FEATURES.stream().map(f -> VIEW + ":" + f).toList();
    List<byte[]> bodies = RequestBodies.build(keys, "user_id", refs, o.intOpt("entities", 1), o.intOpt("bodies", 10_000), 8);
    String type = o.opt("store", "rocksdb");
    LocalRedis redis = type.equals("redis") ? LocalRedis.start() : null;
    List<Long> redisPids = ProcessHandle.current().descendants().filter(h -> h.info().command()
        .map(c -> c.contains("redis-server")).orElse(false)).map(ProcessHandle::pid).toList();
    try {
      String online = switch (type) {
        case "rocksdb" -> "{type: rocksdb, path: .quiver/online}";
        case "redis" -> "{type: redis, url: '" + redis.url() + "', command_timeout: 10s}";
        default -> throw new IllegalArgumentException("unknown store " + type + " (rocksdb, redis)");
      };
      Path root = ServeBenchmark.newRepo(w, "security-" + type, online, o.intOpt("ttl-days", 3650));
      try (FeatureRepo repo = FeatureRepo.open(root)) {
        repo.materialize(List.of(VIEW), OnlineWorkload.START, OnlineWorkload.END, (v, r, wr) -> {}, "benchmark");
      }
      Bench b = new Bench(o, root, keys, refs, bodies, out, type, redisPids);
      for (String part : o.list("parts", "auth,overload,slow")) {
        switch (part) {
          case "auth" -> b.auth();
          case "overload" -> b.overload();
          case "slow" -> b.slow();
          default -> throw new IllegalArgumentException("unknown part " + part + " (auth, overload, slow)");
        }
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private record Bench(ServeBenchmark.Options o, Path root, long[] keys, List<String> refs, List<byte[]> bodies,
      PrintStream out, String store, List<Long> redisPids) {

    /** The load generator, redis-server and (when {@code server} is not null) the server on their CPUs, if asked. */
    private List<WarmThenPin.Pin> pins(ServerProcess server) {
      List<WarmThenPin.Pin> pins = new ArrayList<>();
      if (o.has("client-cpus")) {
        pins.add(new WarmThenPin.Pin("the load generator", ProcessHandle.current().pid(), o.opt("client-cpus", null)));
      }
      String redisCpus = o.opt("redis-cpus", o.opt("server-cpus", null));
      if (redisCpus != null) { // with the server: the store is part of what serves
        redisPids.forEach(pid -> pins.add(new WarmThenPin.Pin("redis-server", pid, redisCpus)));
      }
      if (server != null && o.has("server-cpus")) {
        pins.add(new WarmThenPin.Pin("the server JVM", server.pid(), o.opt("server-cpus", null)));
      }
      return pins;
    }

    /** Pins at once what {@link #pins} names (the parts that do not warm first; the server pinned at its start). */
    private void pinNow() throws Exception {
      for (WarmThenPin.Pin p : pins(null)) {
        ServerProcess.pin(p.pid(), p.cpus());
      }
    }

    void auth() throws Exception {
      pinNow();
      Path cert = root.resolve("tls/cert.pem");
      Path key = root.resolve("tls/key.pem");
      selfSigned(cert, key);
      SslContext clientTls = SslContextBuilder.forClient().trustManager(cert.toFile()).build();
      String baseYaml = Files.readString(root.resolve("quiver.yaml"));
      RSAKey jwk = new RSAKeyGenerator(2048).keyID("bench").generate();
      Files.writeString(root.resolve("jwks.json"), new JWKSet(jwk).toPublicJWKSet().toString());
      for (String config : o.list("configs", "plain,tls,token,jwt,tls+token,tls+jwt")) {
        boolean tls = config.contains("tls");
        String auth = config.contains("token") ? "tokens" : config.contains("jwt") ? "oidc" : "none";
        Files.writeString(root.resolve("quiver.yaml"), baseYaml + "server: {auth: " + auth + (auth.equals("oidc")
            ? ", oidc_jwks: jwks.json, oidc_issuer: '" + ISSUER + "', oidc_audience: quiver" : "") + "}\n");
        String bearer = switch (auth) {
          case "tokens" -> token();
          case "oidc" -> jwt(jwk);
          default -> null;
        };
        List<String> extra = new ArrayList<>(List.of("--grpc", "on"));
        if (tls) {
          extra.addAll(List.of("--tls", cert + "," + key));
        }
        try (ServerProcess s = server(extra, true)) {
          LoadGenerator http = new LoadGenerator(bearer, tls ? clientTls : null, false);
          String label = config + " (" + store + ")";
          LoadGenerator.Settings base = settings(s.port(), 0, o.intOpt("connections", 32));
          jit(http, base, label);
          phase(label, "HTTP", s, () -> http.run(base.at(0, o.intOpt("saturation-connections", 32))));
          phase(label, "HTTP", s, () -> http.run(base.at(o.intOpt("rate", 5000), base.connections())));
          try (GrpcLoad grpc = new GrpcLoad(s.grpcPort(), 4, tls ? cert : null, bearer, keys, refs, 10_000, 8)) {
            grpc.run(0, 8, Duration.ZERO, o.duration("jit-warmup", "10s"), Duration.ofSeconds(2));
            phase(label, "gRPC", s, () -> grpc.run(0, o.intOpt("saturation-connections", 32), warmup(), duration(),
                Duration.ofSeconds(2)));
            phase(label, "gRPC", s, () -> grpc.run(o.intOpt("rate", 5000), 32, warmup(), duration(), Duration.ofSeconds(2)));
          }
        }
      }
      Files.writeString(root.resolve("quiver.yaml"), baseYaml);
    }

    void overload() throws Exception {
      List<String> extra = new ArrayList<>(List.of("--grpc", "on"));
      if (o.has("server-queue-timeout")) {
        extra.addAll(List.of("--queue-timeout", o.opt("server-queue-timeout", null)));
      }
      if (o.has("server-queue-budget")) {
        extra.addAll(List.of("--queue-budget", o.opt("server-queue-budget", null)));
      }
      if (o.has("server-latency-target")) {
        extra.addAll(List.of("--latency-target", o.opt("server-latency-target", null)));
      }
      boolean warmThenPin = o.has("server-cpus"); // pinned only once its JIT has settled
      boolean grpcOn = !o.opt("overload-grpc", "on").equals("off");
      try (ServerProcess s = server(extra, !warmThenPin);
          GrpcLoad grpc = grpcOn ? new GrpcLoad(s.grpcPort(), 4, null, null, keys, refs, o.intOpt("entities", 1), 10_000, 8)
              : null) {
        String label = "overload (" + store + ", queue timeout " + o.opt("server-queue-timeout", "1000") + " ms, queue budget "
            + o.opt("server-queue-budget", "5") + " ms, latency target " + o.opt("server-latency-target", "0") + " ms)";
        LoadGenerator http = new LoadGenerator();
        LoadGenerator.Settings base = settings(s.port(), 0, o.intOpt("connections", 32));
        int many = o.intOpt("saturation-connections", 256);
        if (warmThenPin) {
          out.printf("%s: warm-up until the JIT settles (unpinned), then pin%n", label);
          Duration second = Duration.ofSeconds(1);
          new WarmThenPin(o.intOpt("jit-rounds", 30), Double.parseDouble(o.opt("jit-settled", "0.1")))
              .warmThenPin(s.pid(), () -> { // every path the measurement takes: admitted and refused, both protocols,
                // closed loops and open-model bursts at twice what the closed loop of 8 got
                LoadResult h = http.run(base.at(0, 8).lasting(Duration.ZERO, second));
                http.run(base.at(2 * h.achievedRate(), many).lasting(Duration.ZERO, second));
                http.run(base.at(0, many).lasting(Duration.ZERO, second));
                if (grpc != null) {
                  LoadResult g = grpc.run(0, 8, Duration.ZERO, second, Duration.ofSeconds(2));
                  grpc.run(2 * g.achievedRate(), 0, Duration.ZERO, second, Duration.ofSeconds(2));
                  grpc.run(0, many, Duration.ZERO, second, Duration.ofSeconds(2));
                }
              }, pins(s), out);
        } else {
          jit(http, base, label);
          if (grpc != null) {
            grpc.run(0, 8, Duration.ZERO, o.duration("jit-warmup", "10s"), Duration.ofSeconds(2));
          }
        }
        int few = o.intOpt("capacity-connections", 16);
        // capacity: the 2xx/s of a closed loop of few connections (within the workers' reach, so next to nothing is
        // refused); 2x is twice that, or a fixed rate, so that two builds or targets get the same load
        LoadResult cap = phase(label, "HTTP capacity", s, () -> http.run(base.at(0, few)));
        phase(label, "HTTP saturation", s, () -> http.run(base.at(0, many))); // many clients resending at once
        double rate = o.has("overload-rate") ? o.intOpt("overload-rate", 0) : cap.ok() / cap.seconds() * o.intOpt("overload-factor", 2);
        burst(label, "HTTP", s, rate, () -> http.run(base.at(rate, o.intOpt("overload-connections", 256))));
        if (o.opt("honour-retry-after", "off").equals("on")) { // a client that backs off: reported apart, not the open-model headline
          LoadGenerator polite = http.honourRetryAfter(true);
          burst(label, "HTTP, clients honouring Retry-After", s, rate,
              () -> polite.run(base.at(rate, o.intOpt("overload-connections", 256))));
        }
        if (grpc == null) { // HTTP only: half the run
          return;
        }
        LoadResult gcap = phase(label, "gRPC capacity", s, () -> grpc.run(0, few, warmup(), duration(), Duration.ofSeconds(2)));
        phase(label, "gRPC saturation", s, () -> grpc.run(0, many, warmup(), duration(), Duration.ofSeconds(2)));
        double grate = o.has("overload-grpc-rate") ? o.intOpt("overload-grpc-rate", 0)
            : gcap.ok() / gcap.seconds() * o.intOpt("overload-factor", 2);
        burst(label, "gRPC", s, grate, () -> grpc.run(grate, 0, warmup(), duration(), Duration.ofSeconds(5)));
      }
    }

    /** Runs {@code load} while a probe runs from 2 s before it to 5 s after; prints the burst and the recovery. */
    private void burst(String label, String protocol, ServerProcess s, double rate, java.util.function.Supplier<LoadResult> load)
        throws Exception {
      LoadGenerator probe = new LoadGenerator().timeline(true);
      double probeRate = o.intOpt("probe-rate", 200);
      Duration before = Duration.ofSeconds(2);
      Duration after = Duration.ofSeconds(5);
      Duration total = before.plus(warmup()).plus(duration()).plus(after);
      LoadGenerator.Settings ps = new LoadGenerator.Settings("127.0.0.1", s.port(), "/get-online-features", bodies,
          probeRate, 4, Duration.ZERO, total, Duration.ofSeconds(5), 1);
      long probeStart = System.nanoTime();
      CompletableFuture<LoadResult> probed = CompletableFuture.supplyAsync(() -> probe.run(ps));
      Thread.sleep(before.toMillis());
      String load0 = ServeBenchmark.loadAverage();
      double cpu0 = ServeBenchmark.cpuSeconds(s.pid());
      ThreadCpu threads0 = ThreadCpu.of(s.pid());
      PhaseCpu use0 = new PhaseCpu(s, redisPids, o.opt("client-cpus", null), o.opt("server-cpus", null), out);
      long burstStart = System.nanoTime();
      LoadResult r = load.get();
      long burstEnd = burstStart + TimeUnit.MILLISECONDS.toNanos(20) + warmup().toNanos() + duration().toNanos();
      double cores = (ServeBenchmark.cpuSeconds(s.pid()) - cpu0) / ((System.nanoTime() - burstStart) / 1e9);
      ThreadCpu threads = ThreadCpu.of(s.pid()).minus(threads0);
      LoadResult p = probed.join();
      out.printf("%s, %s at %,.0f/s (%s): %s%n", label, protocol, rate, o.has("overload-rate") ? "fixed rate"
          : o.intOpt("overload-factor", 2) + "× capacity", r.line());
      out.printf("  answered %,d: %,d admitted, %s refused; admitted p50 %.3f p99 %.3f p99.9 %.3f ms; refused p50 %.3f"
              + " p99 %.3f ms; server CPU %.2f cores; load average before %s%n", r.ok() + r.nonOk().values().stream()
              .mapToLong(Long::longValue).sum(), r.ok(), r.nonOk(), r.admittedMs(50), r.admittedMs(99), r.admittedMs(99.9),
          r.refusedMs(50), r.refusedMs(99), cores, load0);
      cpuPerRequest(r, threads, System.nanoTime() - burstStart);
      use0.print();
      out.println("  " + r.offerLine((warmup().toNanos() + duration().toNanos()) / 1e9));
      recovery(p, probeStart, burstStart, burstEnd);
      admissionMetrics(s.port());
    }

    /** The server's admission gauges and shed counters after the burst (from /metrics), on one line. */
    private void admissionMetrics(int port) {
      try {
        var client = java.net.http.HttpClient.newHttpClient();
        String text = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
          if (line.startsWith("quiver_admission_") || line.startsWith("quiver_requests_shed_total")) {
            lines.add(line.replace("quiver_", "").replace("_total", ""));
          }
        }
        out.println("  admission after the burst: " + String.join("; ", lines));
      } catch (Exception e) {
        out.println("  admission after the burst: /metrics not read (" + e + ")");
      }
    }

    /**
     * The server's CPU over the burst by kind of thread, and per request sent (warm-up included, as the
     * CPU is); the admitted share of the sent requests is taken as that of the recorded ones.
     */
    private void cpuPerRequest(LoadResult r, ThreadCpu threads, long nanos) {
      long refused = r.nonOk().values().stream().mapToLong(Long::longValue).sum();
      double admittedShare = r.ok() + refused == 0 ? 0 : (double) r.ok() / (r.ok() + refused);
      double sent = Math.max(1, r.sent());
      double admitted = Math.max(1, sent * admittedShare);
      out.printf("  server CPU by thread: %s; per request sent (%,.0f): %.1f µs, network threads %.1f µs; workers,"
              + " gRPC call threads and Lettuce per admitted request (~%,.0f): %.1f µs; %s%n", threads.line(), sent,
          threads.total() / sent * 1e6, threads.of("network") / sent * 1e6, admitted,
          (threads.of("workers") + threads.of("grpc-calls") + threads.of("lettuce")) / admitted * 1e6,
          WarmThenPin.jitLine(threads, Duration.ofNanos(nanos)));
    }

    /** The probe before, during and after the burst, and when it got back to normal. */
    private void recovery(LoadResult p, long probeStart, long burstStart, long burstEnd) {
      double normalMs = o.intOpt("normal-ms", 10);
      List<LoadResult.Sample> before = new ArrayList<>();
      List<LoadResult.Sample> during = new ArrayList<>();
      List<LoadResult.Sample> after = new ArrayList<>();
      for (LoadResult.Sample x : p.timeline()) {
        (x.intended() < burstStart ? before : x.intended() < burstEnd ? during : after).add(x);
      }
      long lastBad = burstEnd;
      double baseline = Math.max(normalMs, p99(before));
      long lastAboveBaseline = burstEnd;
      for (LoadResult.Sample x : after) {
        if (x.status() != 200 || x.latencyNanos() / 1e6 > normalMs) {
          lastBad = x.intended();
        }
        if (x.status() != 200 || x.latencyNanos() / 1e6 > baseline) {
          lastAboveBaseline = x.intended();
        }
      }
      StringBuilder buckets = new StringBuilder();
      for (int b = 0; b < 10; b++) {
        long from = burstEnd + b * 500_000_000L;
        List<LoadResult.Sample> in = after.stream().filter(x -> x.intended() >= from && x.intended() < from + 500_000_000L)
            .toList();
        buckets.append(String.format(" %.3f", p99(in)));
      }
      out.printf("  probe (%,.0f/s, 4 conns): before p99 %.3f ms (%s); during p99 %.3f ms (%s); after p99 %.3f ms (%s);"
              + " back to normal (every later probe 200 within %.0f ms) %.3f s after the burst's last request was due%n",
          p.rate(), p99(before), statuses(before), p99(during), statuses(during), p99(after), statuses(after), normalMs,
          (lastBad - burstEnd) / 1e9);
      out.printf("  probe back within the pre-burst p99 or %.0f ms, whichever is larger (%.3f ms): %.3f s after; probe p99"
          + " per 0.5 s after the burst (ms):%s%n", normalMs, baseline, (lastAboveBaseline - burstEnd) / 1e9, buckets);
      if (!after.isEmpty() && lastBad >= after.getLast().intended()) {
        out.println("  (the probe never got back to normal within the 5 s it ran after the burst)");
      }
    }

    void slow() throws Exception {
      pinNow();
      List<String> extra = new ArrayList<>();
      if (o.has("server-request-timeout")) {
        extra.addAll(List.of("--request-timeout", o.opt("server-request-timeout", null)));
      }
      try (ServerProcess s = server(extra, true)) {
        String label = "slow clients (" + store + ")";
        LoadGenerator http = new LoadGenerator();
        LoadGenerator.Settings base = settings(s.port(), o.intOpt("rate", 5000), o.intOpt("connections", 32));
        jit(http, base.at(0, 8), label);
        phase(label, "HTTP closed loop alone", s, () -> http.run(base.at(0, o.intOpt("saturation-connections", 32))));
        phase(label, "HTTP alone", s, () -> http.run(base));
        int n = o.intOpt("slow-clients", 500);
        SlowClients slow = new SlowClients(s.port(), n);
        try {
          Thread.sleep(2_000);
          phase(label, "HTTP with " + n + " slow-loris connections", s, () -> http.run(base));
          phase(label, "HTTP closed loop with " + n + " slow-loris connections", s,
              () -> http.run(base.at(0, o.intOpt("saturation-connections", 32))));
          out.printf("  slow-loris connections cut off by the server and reopened: %,d; reopen failures %,d%n",
              slow.reopened(), slow.refusedOpens());
        } finally {
          slow.close();
        }
        phase(label, "HTTP after", s, () -> http.run(base));
      }
    }

    /**
     * The server in its own JVM ({@link ServerMain}), on {@code --server-cpus} from its start when {@code pinAtStart}
     * (otherwise unpinned, to be pinned once warm by {@link WarmThenPin}).
     */
    private ServerProcess server(List<String> extra, boolean pinAtStart) throws Exception {
      String cpus = pinAtStart ? o.opt("server-cpus", null) : null;
      ServerProcess s = ServerProcess.start(root, cpus, MACHINE_CPUS, null, extra);
      out.printf("server JVM pid %d on port %d, gRPC %d (%s) %s, CPUs %s; its log: %s%n", s.pid(), s.port(), s.grpcPort(),
          s.settings(), extra, cpus == null ? "any (for now)" : cpus, root.resolve("server.log"));
      return s;
    }

    private LoadGenerator.Settings settings(int port, double rate, int connections) {
      return new LoadGenerator.Settings("127.0.0.1", port, "/get-online-features", bodies, rate, connections, warmup(),
          duration(), o.duration("timeout", "2s"), 1);
    }

    private void jit(LoadGenerator http, LoadGenerator.Settings base, String label) {
      Duration jit = o.duration("jit-warmup", "10s");
      LoadResult r = http.run(base.at(0, 8).lasting(Duration.ZERO, jit));
      out.printf("%s: JIT warm-up, HTTP closed loop, 8 connections: %,.0f req/s, %s (not reported)%n", label,
          r.achievedRate(), r.clean() ? "clean" : "errors " + r.nonOk());
    }

    private LoadResult phase(String label, String what, ServerProcess s, java.util.function.Supplier<LoadResult> run) {
      String load = ServeBenchmark.loadAverage();
      double cpu0 = ServeBenchmark.cpuSeconds(s.pid());
      ThreadCpu threads0 = ThreadCpu.of(s.pid());
      PhaseCpu use0 = new PhaseCpu(s, redisPids, o.opt("client-cpus", null), o.opt("server-cpus", null), out);
      long t0 = System.nanoTime();
      LoadResult r = run.get();
      long nanos = System.nanoTime() - t0;
      double cores = (ServeBenchmark.cpuSeconds(s.pid()) - cpu0) / (nanos / 1e9);
      out.printf("%s, %s: %s; server CPU %.2f cores; load average before %s%n", label, what, r.line(), cores, load);
      cpuPerRequest(r, ThreadCpu.of(s.pid()).minus(threads0), nanos);
      use0.print();
      return r;
    }

    private Duration warmup() {
      return o.duration("warmup", "2s");
    }

    private Duration duration() {
      return o.duration("duration", "10s");
    }

    private String token() {
      try (FeatureRepo repo = FeatureRepo.open(root)) {
        ApiTokens.Issued issued = ApiTokens.issue("bench", Set.of("reader"), Optional.of(Duration.ofDays(1)),
            Clock.systemUTC());
        repo.registry().tokens().create(issued.record());
        return issued.token();
      }
    }
  }

  private static double p99(List<LoadResult.Sample> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    long[] l = xs.stream().mapToLong(LoadResult.Sample::latencyNanos).sorted().toArray();
    return l[(int) Math.min(l.length - 1, Math.ceil(l.length * 0.99) - 1)] / 1e6;
  }

  private static String statuses(List<LoadResult.Sample> xs) {
    java.util.Map<Integer, Long> m = new java.util.TreeMap<>();
    xs.forEach(x -> m.merge(x.status(), 1L, Long::sum));
    return m.toString();
  }

  private static String jwt(RSAKey key) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience("quiver").subject("bench").claim("roles", List.of("reader"))
            .issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5)))
            .expirationTime(Date.from(now.plusSeconds(3600))).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** A self-signed EC P-256 certificate for 127.0.0.1 and localhost, by openssl. */
  private static void selfSigned(Path cert, Path key) throws Exception {
    Files.createDirectories(cert.getParent());
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("openssl could not make a certificate: " + said);
    }
  }
}
