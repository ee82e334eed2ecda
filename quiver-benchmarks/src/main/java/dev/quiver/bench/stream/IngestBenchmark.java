package dev.quiver.bench.stream;

import dev.quiver.bench.online.Args;
import dev.quiver.bench.online.Machine;
import dev.quiver.bench.online.Stores;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.stream.kafka.IngestOptions;
import dev.quiver.stream.kafka.SourceStatus;
import dev.quiver.stream.kafka.StreamIngestion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Stream ingestion throughput (issue 19, DESIGN §5 "stream ingestion": ≥ 200k events/s on RocksDB):
 * Kafka → online store through {@link StreamIngestion}, the consumer {@code quiver ingest} runs.
 *
 * <p>Starts a single-node KRaft broker in a JVM of its own ({@link KafkaBrokerMain}), creates topic
 * {@code events} with {@code --partitions} partitions and <b>pre-produces</b> {@code --events} JSON
 * events ({@link StreamWorkload}) over {@code --users} users (uniform, seeded), event times one
 * step apart over the hour before the start. Then, per store, run and view kind, into a fresh repo
 * and store (and for Redis a fresh redis-server 6.2): starts the ingestion with {@code --from
 * earliest} and a new consumer group, and stops the clock when every event is written online and
 * its offset committed (the consumer's event count reaches the topic's size; it counts a batch only
 * after its commit). Reported: events/s over that time (from the start call, which creates the
 * consumer, to the last commit; the group join and first fetch included), the time to the first
 * committed batch, and CPU time: of this JVM (the consumer, decoding, the write path and RocksDB),
 * of the broker's JVM and of redis-server. After each run it reads back 500 users: the newest
 * {@code seq} of each, and with aggregates its {@code txn_count_1d} (every event of the user: all
 * are inside the day), must match what was produced.
 *
 * <p>View kinds ({@code --views}): {@code columns} (the view {@code user_stream} with 4 column
 * features) and {@code aggregates} (the same view plus 7 window aggregates: count, sum, avg over 1h
 * and 1d, last over 1d). Each configuration runs {@code --runs} times; the summary prints medians.
 *
 * <pre>
 * ./mvnw -q -DskipTests -pl quiver-benchmarks -am package
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.stream.IngestBenchmark /tmp/quiver-bench/stream [--events 2000000] [--users 100000] \
 *     [--partitions 2] [--stores rocksdb,redis] [--views columns,aggregates] [--runs 3] [--max-poll-records 5000] [--writers CORES] [--seed 42]
 * </pre>
 */
public final class IngestBenchmark {
  private IngestBenchmark() {}

  private static final int CHECKED_USERS = 500;

  /** What was produced: per user, its event count and newest seq (0: none). */
  private record Produced(long events, int[] counts, long[] lastSeq, double seconds) {}

  private record Run(double seconds, double firstBatchSeconds, double cpu, double brokerCpu, double redisCpu) {}

  public static void main(String[] args) throws Exception {
    run(args, System.out);
  }

  /** Runs the benchmark with the main's arguments, printing to {@code out}; throws when a run fails its checks. */
  static void run(String[] args, PrintStream out) throws Exception {
    Args a = Args.parse(args);
    long events = a.longOpt("events", 2_000_000);
    int users = a.intOpt("users", 100_000);
    int partitions = a.intOpt("partitions", 2);
    int runs = a.intOpt("runs", 3);
    int maxPoll = a.intOpt("max-poll-records", 5000);
    int writers = a.intOpt("writers", IngestOptions.DEFAULT.writers());
    List<String> stores = a.listOpt("stores", "rocksdb,redis");
    List<String> kinds = a.listOpt("views", "columns,aggregates");
    for (String k : kinds) {
      if (!k.equals("columns") && !k.equals("aggregates")) {
        throw new IllegalArgumentException("--views takes columns and/or aggregates, not " + k);
      }
    }
    Files.createDirectories(a.dir());
    Machine.print(out);
    try (ChildJvm broker = ChildJvm.start(KafkaBrokerMain.class, List.of(), List.of("bootstrap", "pid"),
        a.dir().resolve("broker.log"))) {
      String bootstrap = broker.field("bootstrap");
      String topic = "events";
      StreamWorkload.createTopic(bootstrap, topic, partitions);
      Produced produced = produce(bootstrap, topic, events, users, a.longOpt("seed", 42));
      out.printf("broker: JVM pid %d at %s; topic %s, %d partitions: %,d events (%,d users) produced in %.2f s (%,.0f events/s)%n",
          broker.pid(), bootstrap, topic, partitions, produced.events(), users, produced.seconds(),
          produced.events() / produced.seconds());
      out.printf("consumer: max.poll.records %d; one consumer per source (one source here), %d writing thread(s)%n", maxPoll,
          writers);
      Map<String, List<Run>> results = new LinkedHashMap<>();
      for (String store : stores) {
        for (int run = 1; run <= runs; run++) {
          for (String kind : kinds) {
            Run r = ingestOnce(a.dir(), store, kind, run, runs, broker, topic, maxPoll, writers, produced, out);
            results.computeIfAbsent(store + ", " + kind, x -> new ArrayList<>()).add(r);
          }
        }
      }
      out.println();
      out.printf("summary: %,d events, %d partitions, %,d users, medians of %d runs (load average now %s)%n", events,
          partitions, users, runs, Machine.loadAverage());
      out.println("| store, view | events/s | seconds | first batch after s | ingest JVM CPU s (cores) | µs CPU per event"
          + " | broker CPU s | redis-server CPU s |");
      out.println("|---|---|---|---|---|---|---|---|");
      for (var e : results.entrySet()) {
        double s = median(e.getValue().stream().mapToDouble(Run::seconds).toArray());
        double cpu = median(e.getValue().stream().mapToDouble(Run::cpu).toArray());
        double redis = median(e.getValue().stream().mapToDouble(Run::redisCpu).toArray());
        out.printf("| %s | %,.0f | %.2f | %.2f | %.1f (%.2f) | %.1f | %.1f | %s |%n", e.getKey(), events / s, s,
            median(e.getValue().stream().mapToDouble(Run::firstBatchSeconds).toArray()), cpu, cpu / s, cpu * 1e6 / events,
            median(e.getValue().stream().mapToDouble(Run::brokerCpu).toArray()),
            Double.isNaN(redis) ? "–" : String.format("%.1f", redis));
      }
    }
  }

  /** Pre-produces the events, keyed by user, and waits until the broker has acknowledged them all. */
  private static Produced produce(String bootstrap, String topic, long events, int users, long seed) throws Exception {
    int[] counts = new int[users + 1];
    long[] lastSeq = new long[users + 1];
    SplittableRandom random = new SplittableRandom(seed);
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant start = end.minus(Duration.ofHours(1));
    long stepNanos = Math.max(1000, Duration.ofHours(1).toNanos() / events / 1000 * 1000); // microsecond steps
    AtomicReference<Exception> failed = new AtomicReference<>();
    AtomicLong acked = new AtomicLong();
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = StreamWorkload.producer(bootstrap,
        Map.of("linger.ms", "20", "batch.size", String.valueOf(256 * 1024)))) {
      for (long seq = 1; seq <= events; seq++) {
        int user = 1 + random.nextInt(users);
        Instant ts = start.plusNanos(stepNanos * seq);
        byte[] value = StreamWorkload.json(user, ts, seq, random.nextInt(100_000) / 100.0, 1 + random.nextInt(9),
            random.nextInt(1000) / 1000.0);
        counts[user]++;
        lastSeq[user] = seq;
        producer.send(new ProducerRecord<>(topic, StreamWorkload.key(user), value), (m, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          } else {
            acked.incrementAndGet();
          }
        });
      }
      producer.flush();
    }
    if (failed.get() != null || acked.get() != events) {
      throw new IllegalStateException("the broker acknowledged " + acked.get() + " of " + events + " events", failed.get());
    }
    return new Produced(events, counts, lastSeq, (System.nanoTime() - t0) / 1e9);
  }

  private static Run ingestOnce(Path dir, String type, String kind, int run, int runs, ChildJvm broker, String topic,
      int maxPoll, int writers, Produced produced, PrintStream out) throws Exception {
    boolean aggregates = kind.equals("aggregates");
    try (Stores store = Stores.start(type)) {
      Path root = StreamWorkload.createRepo(dir.resolve("runs/ingest-" + type + "-" + kind), store.yaml(),
          broker.field("bootstrap"), topic, aggregates, maxPoll);
      try (FeatureRepo repo = FeatureRepo.open(root)) {
        var defs = repo.appliedDefinitions();
        Pusher pusher = repo.pusher();
        repo.offline();
        String group = "bench-" + type + "-" + kind + "-" + run + "-" + System.nanoTime();
        IngestOptions options = IngestOptions.DEFAULT.from(IngestOptions.StartFrom.EARLIEST).groupId(group).writers(writers);
        long redisPid = store.server().map(ProcessHandle::pid).orElse(-1L);
        String load = Machine.loadAverage();
        System.gc();
        double cpu0 = processCpuSeconds();
        double broker0 = Machine.cpuSeconds(broker.pid());
        double redis0 = redisPid < 0 ? Double.NaN : Machine.cpuSeconds(redisPid);
        long t0 = System.nanoTime();
        long first = 0;
        long done;
        try (StreamIngestion ingestion = StreamIngestion.start(defs, StreamIngestion.select(defs, List.of(), List.of()),
            options, (source, columns, origin) -> pusher.push(source, columns, Pusher.Target.ONLINE, origin),
            repo.offline(), root, new SimpleMeterRegistry())) {
          long deadline = t0 + Duration.ofMinutes(10).toNanos();
          while (true) {
            SourceStatus s = ingestion.status().getFirst();
            long now = System.nanoTime();
            if (first == 0 && s.events() > 0) {
              first = now;
            }
            if (s.events() + s.refused() >= produced.events()) {
              done = now;
              if (s.refused() > 0) {
                throw new IllegalStateException(s.refused() + " events were refused; see the log above");
              }
              break;
            }
            if (s.state() == SourceStatus.State.FAILED || now > deadline) {
              throw new IllegalStateException("the consumer did not finish: " + s);
            }
            Thread.sleep(2);
          }
        }
        double seconds = (done - t0) / 1e9;
        Run r = new Run(seconds, (first - t0) / 1e9, processCpuSeconds() - cpu0, Machine.cpuSeconds(broker.pid()) - broker0,
            redisPid < 0 ? Double.NaN : Machine.cpuSeconds(redisPid) - redis0);
        String check = check(repo, aggregates, produced);
        out.println(ownWrites(repo.online()));
        out.printf("run %d/%d, %s, %s: %,d events in %.2f s = %,.0f events/s; first batch committed after %.2f s;"
                + " CPU: this JVM %.1f s (%.2f cores), broker %.1f s%s; load average before %s; %s%n", run, runs, type,
            kind, produced.events(), seconds, produced.events() / seconds, r.firstBatchSeconds(), r.cpu(), r.cpu() / seconds,
            r.brokerCpu(), Double.isNaN(r.redisCpu()) ? "" : String.format(", redis-server %.1f s", r.redisCpu()), load, check);
        return r;
      }
    }
  }

  /**
   * The RocksDB store's counters of rows its writes took from memory (rows this process wrote) and
   * from RocksDB, read by reflection (they are package-private, for profiles); empty for other stores.
   */
  static String ownWrites(Object online) {
    long[] v = new long[4];
    String[] names = {"swapRowsKnown", "swapRowsStored", "putRowsKnown", "putRowsStored"};
    try {
      for (int i = 0; i < v.length; i++) {
        var m = online.getClass().getDeclaredMethod(names[i]);
        m.setAccessible(true);
        v[i] = (Long) m.invoke(online);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "own writes: no counters (" + online.getClass().getSimpleName() + ")";
    }
    String kept;
    try {
      var m = online.getClass().getDeclaredMethod("keptBytes");
      m.setAccessible(true);
      kept = String.format("; %,d bytes kept", (Long) m.invoke(online));
    } catch (ReflectiveOperationException | RuntimeException e) {
      kept = ""; // a build before the kept rows' bound was shared
    }
    return String.format("own writes: tile rows %,d kept / %,d read (%.1f%% kept); latest rows %,d kept / %,d read"
        + " (%.1f%% kept)%s", v[0], v[1], 100.0 * v[0] / Math.max(1, v[0] + v[1]), v[2], v[3],
        100.0 * v[2] / Math.max(1, v[2] + v[3]), kept);
  }

  /** Reads back CHECKED_USERS users online; throws when a value differs from what was produced. */
  private static String check(FeatureRepo repo, boolean aggregates, Produced produced) {
    List<Object> users = new ArrayList<>();
    for (int u = 1; u < produced.counts().length && users.size() < CHECKED_USERS; u++) {
      if (produced.counts()[u] > 0) {
        users.add((long) u);
      }
    }
    List<FeatureRef> refs = new ArrayList<>(List.of(FeatureRef.of(StreamWorkload.VIEW + ":seq")));
    if (aggregates) {
      refs.add(FeatureRef.of(StreamWorkload.VIEW + ":txn_count_1d"));
    }
    OnlineResponse resp = repo.getOnlineFeatures(refs, Map.of("user_id", users), false);
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      int u = (int) (long) (Long) users.get(i);
      for (FeatureColumn c : resp.features()) {
        Object got = c.values().get(i);
        long want = c.name().equals("seq") ? produced.lastSeq()[u] : produced.counts()[u];
        if (!(got instanceof Number n) || n.longValue() != want) {
          wrong.add("user " + u + " " + c.name() + " = " + got + ", expected " + want);
        }
      }
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException(wrong.size() + " values differ from what was produced, e.g. "
          + wrong.subList(0, Math.min(5, wrong.size())));
    }
    return "read back " + users.size() + " users: newest seq" + (aggregates ? " and txn_count_1d" : "") + " as produced";
  }

  static double processCpuSeconds() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1e9 : Double.NaN;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
