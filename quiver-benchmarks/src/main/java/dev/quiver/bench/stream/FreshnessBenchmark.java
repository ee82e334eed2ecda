package dev.quiver.bench.stream;

import dev.quiver.bench.online.Args;
import dev.quiver.bench.online.Machine;
import dev.quiver.bench.online.Stores;
import dev.quiver.bench.serve.LoadGenerator;
import dev.quiver.bench.serve.LoadResult;
import dev.quiver.bench.serve.RequestBodies;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Freshness from produce to servable while serving (issue 19, DESIGN §5 "stream ingestion": p99 ≤ 1 s
 * at 10k events/s while the server answers 5k req/s).
 *
 * <p>Three processes, as in production: a single-node KRaft broker ({@link KafkaBrokerMain}), the
 * feature server with the stream consumer in its JVM ({@link StreamServerMain}: {@code QuiverServer}
 * and {@code StreamIngestion} over one online store, a fresh repo of {@link StreamWorkload} on
 * {@code --store}), and this JVM, which runs at once, for {@code --warmup} + {@code --duration}:
 * <ul>
 *   <li>a producer at {@code --rate} events/s (open model: event i is due at t0 + i/rate), users
 *       uniform over {@code --users}, event time = the wall clock at send;
 *   <li>the load generator of the serve benchmark ({@link LoadGenerator}, open model, no coordinated
 *       omission) at {@code --load-rate} req/s of {@code POST /get-online-features}, 1 user × every
 *       feature of the view, users uniform ({@code --load-rate 0}: closed loop, as fast as it goes;
 *       {@code --no-load}: none, so only the checker reads);
 *   <li>a {@link FreshnessChecker}: every {@code --sample}-th event sent after the warm-up is
 *       followed until the server returns it (its user's newest {@code seq} reaches it), polling
 *       every {@code --check-interval-ms}; freshness = time of that answer − time of the send.
 * </ul>
 * Before the clock starts, one event is produced and awaited, so the consumer has joined its group.
 * Reported: freshness p50/p90/p99/max and samples never seen within {@code --patience-s} after the
 * producer stopped (counted at their age then, so the percentiles they reach are lower bounds), the load
 * generator's latency percentiles (the server's p99 under this load, from each request's intended time)
 * and its service time (send to response: what the server itself took, queueing on its side included,
 * without the driver's own delays in sending), the producer's achieved rate,
 * and the CPU used by the server, the broker and this JVM.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.stream.FreshnessBenchmark /tmp/quiver-bench/stream [--store rocksdb|redis] [--rate 10000] \
 *     [--load-rate 5000] [--views aggregates|columns] [--users 100000] [--partitions 2] [--warmup-s 10] \
 *     [--duration-s 30] [--sample 100] [--check-interval-ms 10] [--patience-s 10] [--connections 32] \
 *     [--max-poll-records 5000] [--seed 42] [--no-load]
 * </pre>
 */
public final class FreshnessBenchmark {
  private FreshnessBenchmark() {}

  public static void main(String[] args) throws Exception {
    run(args, System.out);
  }

  /** Runs the benchmark with the main's arguments, printing to {@code out}; throws when a run fails its checks. */
  static void run(String[] args, PrintStream out) throws Exception {
    Args a = Args.parse(args);
    String type = a.opt("store", "rocksdb");
    double rate = a.longOpt("rate", 10_000);
    double loadRate = a.longOpt("load-rate", 5_000);
    boolean noLoad = a.flag("no-load"); // no reads but the checker's: how fresh ingestion alone keeps the store
    int users = a.intOpt("users", 100_000);
    int partitions = a.intOpt("partitions", 2);
    String kind = a.opt("views", "aggregates");
    if (!kind.equals("columns") && !kind.equals("aggregates")) {
      throw new IllegalArgumentException("--views is columns or aggregates, not " + kind);
    }
    boolean aggregates = kind.equals("aggregates");
    Duration warmup = Duration.ofSeconds(a.longOpt("warmup-s", 10));
    Duration duration = Duration.ofSeconds(a.longOpt("duration-s", 30));
    int sample = a.intOpt("sample", 100);
    Files.createDirectories(a.dir());
    Machine.print(out);
    try (ChildJvm broker = ChildJvm.start(KafkaBrokerMain.class, List.of(), List.of("bootstrap", "pid"),
            a.dir().resolve("broker.log"));
        Stores store = Stores.start(type)) {
      String bootstrap = broker.field("bootstrap");
      String topic = "live";
      StreamWorkload.createTopic(bootstrap, topic, partitions);
      Path root = StreamWorkload.createRepo(a.dir().resolve("runs/freshness-" + type + "-" + kind), store.yaml(), bootstrap,
          topic, aggregates, a.intOpt("max-poll-records", 5000));
      try (ChildJvm server = ChildJvm.start(StreamServerMain.class, List.of(root.toString()), List.of("port", "pid"),
              a.dir().resolve("freshness-server.log"));
          KafkaProducer<byte[], byte[]> producer = StreamWorkload.producer(bootstrap, Map.of())) {
        int port = Integer.parseInt(server.field("port"));
        out.printf("broker JVM pid %d at %s, topic %s (%d partitions); server JVM pid %d on port %d (HTTP; stream consumer"
                + " in the same JVM), store %s, view %s (%s); its log: %s%n", broker.pid(), bootstrap, topic, partitions,
            server.pid(), port, type, StreamWorkload.VIEW, String.join(", ", StreamWorkload.features(aggregates)), server.log());
        String seqRef = StreamWorkload.VIEW + ":seq";
        prime(producer, topic, port, seqRef, out);

        long[] keys = new long[users];
        for (int i = 0; i < users; i++) {
          keys[i] = i + 1;
        }
        List<String> refs = StreamWorkload.features(aggregates).stream().map(f -> StreamWorkload.VIEW + ":" + f).toList();
        LoadGenerator.Settings load = new LoadGenerator.Settings("127.0.0.1", port, "/get-online-features",
            RequestBodies.build(keys, "user_id", refs, 1, 10_000, 7), loadRate, a.intOpt("connections", 32), warmup,
            duration, Duration.ofSeconds(2), 1);
        FreshnessChecker checker = new FreshnessChecker("127.0.0.1", port, seqRef,
            Duration.ofMillis(a.longOpt("check-interval-ms", 10)), Duration.ofSeconds(a.longOpt("patience-s", 10)));

        String loadBefore = Machine.loadAverage();
        double serverCpu0 = Machine.cpuSeconds(server.pid());
        double brokerCpu0 = Machine.cpuSeconds(broker.pid());
        double ownCpu0 = IngestBenchmark.processCpuSeconds();
        long wall0 = System.nanoTime();
        CompletableFuture<LoadResult> loaded = noLoad ? CompletableFuture.completedFuture(null)
            : CompletableFuture.supplyAsync(() -> new LoadGenerator().run(load));
        Thread checking = new Thread(checker, "freshness-checker");
        checking.start();
        long[] sent = produce(producer, topic, rate, users, warmup, duration, sample, checker, a.longOpt("seed", 42));
        checker.finish();
        LoadResult served = loaded.join();
        checking.join();
        double wall = (System.nanoTime() - wall0) / 1e9;
        double serverCores = (Machine.cpuSeconds(server.pid()) - serverCpu0) / wall;
        double brokerCores = (Machine.cpuSeconds(broker.pid()) - brokerCpu0) / wall;
        double ownCores = (IngestBenchmark.processCpuSeconds() - ownCpu0) / wall;

        Histogram f = checker.freshness();
        out.printf("producer: %,d events in %.1f s = %,.0f events/s (target %,.0f); %,d samples (1 in %d after the %d s"
                + " warm-up)%n", sent[0], sent[1] / 1e9, sent[0] / (sent[1] / 1e9), rate, f.getTotalCount(),
            sample, warmup.toSeconds());
        out.printf("freshness, produce -> servable: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms over %,d samples;"
                + " %,d not seen within the patience (counted at their age then: percentiles above them are lower bounds);"
                + " checker: %,d requests, %,d failed%s%n",
            ms(f, 50), ms(f, 90), ms(f, 99), f.getMaxValue() / 1e6, f.getTotalCount(), checker.unseen(), checker.requests(),
            checker.failedRequests(), checker.lastError() == null ? "" : " (last: " + checker.lastError() + ")");
        out.printf("server under the same run: %s%n", served == null ? "no load (--no-load)" : served.line());
        out.printf("CPU (cores, whole run): server JVM %.2f, broker JVM %.2f, this JVM (producer, load generator, checker)"
            + " %.2f; load average before %s, after %s%n", serverCores, brokerCores, ownCores, loadBefore, Machine.loadAverage());
        out.println();
        out.println("| store, view | events/s (target) | freshness p50 ms | p90 ms | p99 ms | max ms | samples (unseen)"
            + " | req/s (target) | server p50 ms | p99 ms | p99.9 ms | service p99 ms | server CPU cores | load avg before |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        if (served == null) {
          out.printf("| %s, %s | %,.0f (%,.0f) | %.1f | %.1f | %.1f | %.1f | %,d (%,d) | no load | – | – | – | – | %.2f | %s |%n",
              type, kind, sent[0] / (sent[1] / 1e9), rate, ms(f, 50), ms(f, 90), ms(f, 99), f.getMaxValue() / 1e6,
              f.getTotalCount(), checker.unseen(), serverCores, loadBefore.split(" ")[0]);
        } else {
          out.printf("| %s, %s | %,.0f (%,.0f) | %.1f | %.1f | %.1f | %.1f | %,d (%,d) | %,.0f (%,.0f)%s | %.3f | %.3f | %.3f | %.3f | %.2f | %s |%n",
              type, kind, sent[0] / (sent[1] / 1e9), rate, ms(f, 50), ms(f, 90), ms(f, 99), f.getMaxValue() / 1e6,
              f.getTotalCount(), checker.unseen(), served.achievedRate(), loadRate,
              served.clean() ? "" : " not clean", served.ms(50), served.ms(99), served.ms(99.9),
              served.service().getValueAtPercentile(99) / 1e6, serverCores,
              loadBefore.split(" ")[0]);
        }
      }
    }
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  /** Produces one event and waits until the server returns it: the consumer has joined its group. */
  private static void prime(KafkaProducer<byte[], byte[]> producer, String topic, int port, String seqRef, PrintStream out)
      throws Exception {
    long t0 = System.nanoTime();
    FreshnessChecker first = new FreshnessChecker("127.0.0.1", port, seqRef, Duration.ofMillis(20), Duration.ofSeconds(60));
    first.add(1, 0, t0);
    producer.send(new ProducerRecord<>(topic, StreamWorkload.key(1),
        StreamWorkload.json(1, Instant.now().truncatedTo(ChronoUnit.MICROS), 0, 1.0, 1, 0.5))).get();
    first.finish();
    first.run();
    if (first.unseen() > 0) {
      throw new IllegalStateException("the first event was not served within 60 s; see the server's log"
          + (first.lastError() == null ? "" : " (last answer: " + first.lastError() + ")"));
    }
    out.printf("first event served %.2f s after it was sent (consumer group joined)%n", (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Sends events at {@code rate} for warm-up + duration (open model), giving the checker every
   * {@code sample}-th one sent after the warm-up; returns {events sent, nanoseconds taken}.
   */
  private static long[] produce(KafkaProducer<byte[], byte[]> producer, String topic, double rate, int users, Duration warmup,
      Duration duration, int sample, FreshnessChecker checker, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    AtomicReference<Exception> failed = new AtomicReference<>();
    AtomicLong acked = new AtomicLong();
    long t0 = System.nanoTime();
    long measureFrom = t0 + warmup.toNanos();
    long end = measureFrom + duration.toNanos();
    Instant last = Instant.EPOCH;
    long i = 0;
    while (true) {
      long due = t0 + (long) (i * 1e9 / rate);
      if (due >= end) {
        break;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long seq = ++i;
      int user = 1 + random.nextInt(users);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      Instant ts = now.isAfter(last) ? now : last.plusNanos(1000); // strictly increasing, so every event is the newest of its user
      last = ts;
      byte[] value = StreamWorkload.json(user, ts, seq, random.nextInt(100_000) / 100.0, 1 + random.nextInt(9),
          random.nextInt(1000) / 1000.0);
      long sentNanos = System.nanoTime();
      producer.send(new ProducerRecord<>(topic, StreamWorkload.key(user), value), (m, e) -> {
        if (e != null) {
          failed.compareAndSet(null, e);
        } else {
          acked.incrementAndGet();
        }
      });
      if (due >= measureFrom && seq % sample == 0) {
        checker.add(user, seq, sentNanos);
      }
    }
    producer.flush();
    long took = System.nanoTime() - t0;
    if (failed.get() != null) {
      throw new IllegalStateException("the broker refused an event", failed.get());
    }
    return new long[] {i, took};
  }
}
