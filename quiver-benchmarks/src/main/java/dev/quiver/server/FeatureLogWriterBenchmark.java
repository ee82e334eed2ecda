package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The feature log's writer alone (issue 23): CPU per logged entity row of a 50-feature service
 * (25 FLOAT64, 15 INT64, 10 STRING; 1 in 20 values NOT_FOUND, 1 in 50 NULL_VALUE) for requests of
 * 1 and of 100 entity rows, measured as the writer thread's own CPU time (ThreadMXBean, so other
 * processes on a shared machine do not count) from its first batch to an empty queue, including the
 * Parquet rolls ({@code roll_rows} 100,000), and the whole process's CPU over the same time less the
 * request thread's (it adds the garbage collector and DuckDB's Parquet threads); and the request thread's cost of {@link FeatureLog#served}.
 * In package {@code dev.quiver.server} because the log's classes are package-private.
 *
 * <p>Then, for the same two shapes, what a queued request costs the heap while the writer is held
 * (as when it rolls a file or gets no CPU): the bytes {@link FeatureLog#served} allocates on the
 * request thread and its CPU time there, each request with a response just built (ThreadMXBean), and the live heap each queued request keeps (heap used after a full
 * collection with 20,000 requests queued, less before, each request with a response of its own).
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*'
 * dev.quiver.server.FeatureLogWriterBenchmark [rows [roll_rows]]} (rows logged per shape, default 300,000;
 * rows per file, default 100,000: more than rows measures the appending alone). Without the {@code
 * --add-opens} the writer cannot hand Arrow vectors to DuckDB and this measures its appender fallback
 * (the first line says which).
 */
public final class FeatureLogWriterBenchmark {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
  private static final int FEATURES = 50;

  private static int rollRows;

  private FeatureLogWriterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    rollRows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println(FeatureLogBatches.available() ? "the writer buffers rows as Arrow vectors"
        : "the writer buffers rows through DuckDB's appender (this JVM has no --add-opens=java.base/java.nio=ALL-UNNAMED)");
    for (int round = 0; round < 2; round++) {
      for (int entities : new int[] {1, 100}) {
        run(entities, rows, round == 0);
      }
    }
    for (int entities : new int[] {1, 100}) {
      retained(entities, entities == 1 ? 20_000 : 1_000);
    }
  }

  /** Bytes served() allocates per request, and live bytes a queued request keeps, with the writer held. */
  private static void retained(int entities, int requests) throws Exception {
    Path dir = Files.createTempDirectory("flog-bench");
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      refs.add(FeatureRef.of("user_wide:f" + f));
    }
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("wide", 1, refs, null, new FeatureLogging(1.0))).build();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(3, 2, "me", T, "m", "h3"), defs);
    OnlineRequest request = new OnlineRequest(List.of(), "wide", Map.of("user_id", List.of()), false, Map.of());
    SplittableRandom random = new SplittableRandom(11);
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    var memory = ManagementFactory.getMemoryMXBean();
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    FeatureLogSettings settings = new FeatureLogSettings(dir, java.time.Duration.ofHours(1), rollRows, requests + 1, FeatureLogSettings.WriterPriority.NORMAL);
    long allocated = 0;
    long cpu = 0;
    long used0;
    long used1;
    try (FeatureLog log = new FeatureLog(settings, new SimpleMeterRegistry(), new FailureLog(new SimpleMeterRegistry()),
        () -> 0.0, () -> {
          held.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        })) {
      held.await();
      log.served(snapshot, request, response(random, refs, entities), T); // loads what the first call loads
      used0 = usedAfterGc(memory);
      for (int i = 0; i < requests; i++) {
        OnlineResponse r = response(random, refs, entities);
        long a0 = mx.getCurrentThreadAllocatedBytes();
        long e0 = mx.getCurrentThreadCpuTime();
        long c0 = mx.getCurrentThreadCpuTime();
        log.served(snapshot, request, r, T);
        long c1 = mx.getCurrentThreadCpuTime();
        cpu += (c1 - c0) - (c0 - e0); // less what reading the clock costs

        allocated += mx.getCurrentThreadAllocatedBytes() - a0;
      }
      used1 = usedAfterGc(memory);
      release.countDown();
    }
    System.out.printf("%d x %d, writer held, %d requests queued: served() allocates %.0f bytes per request and takes %.3f us"
        + " of CPU (each response just built, as in a server); each queued request keeps %.0f bytes of heap%n", entities, FEATURES,
        requests, (double) allocated / requests, cpu / 1e3 / requests, (double) (used1 - used0) / requests);
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static long usedAfterGc(java.lang.management.MemoryMXBean memory) throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static void run(int entities, int totalRows, boolean warmup) throws Exception {
    Path dir = Files.createTempDirectory("flog-bench");
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      refs.add(FeatureRef.of("user_wide:f" + f));
    }
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("wide", 1, refs, null, new FeatureLogging(1.0))).build();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(3, 2, "me", T, "m", "h3"), defs);
    SplittableRandom random = new SplittableRandom(7);
    List<OnlineResponse> responses = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      responses.add(response(random, refs, entities));
    }
    OnlineRequest request = new OnlineRequest(List.of(), "wide", Map.of("user_id", List.of()), false, Map.of());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    AtomicLong writerCpuStart = new AtomicLong(-1);
    AtomicLong writerAllocStart = new AtomicLong();
    var allocations = (com.sun.management.ThreadMXBean) mx;
    AtomicLong writerId = new AtomicLong();
    // the writer at normal priority: this measures its CPU, and at low priority on a busy machine it would wait for idle CPU
    FeatureLogSettings settings = new FeatureLogSettings(dir, java.time.Duration.ofHours(1), rollRows, 1_000_000, FeatureLogSettings.WriterPriority.NORMAL);
    int requests = totalRows / entities;
    long servedNanos;
    long writerCpu;
    long writerAlloc;
    long processCpu;
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (FeatureLog log = new FeatureLog(settings, new SimpleMeterRegistry(), new FailureLog(new SimpleMeterRegistry()),
        () -> 0.0, () -> {
          if (writerCpuStart.get() < 0) {
            writerId.set(Thread.currentThread().threadId());
            writerAllocStart.set(allocations.getCurrentThreadAllocatedBytes());
            writerCpuStart.set(mx.getCurrentThreadCpuTime());
          }
        })) {
      while (writerCpuStart.get() < 0) {
        Thread.onSpinWait();
      }
      long process0 = os.getProcessCpuTime();
      long cpu0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < requests; i++) {
        log.served(snapshot, request, responses.get(i & 63), T);
      }
      servedNanos = mx.getCurrentThreadCpuTime() - cpu0;
      while (log.queued() > 0 || mx.getThreadInfo(writerId.get()).getThreadState() != Thread.State.TIMED_WAITING) {
        Thread.sleep(5);
      }
      writerCpu = mx.getThreadCpuTime(writerId.get()) - writerCpuStart.get();
      writerAlloc = allocations.getThreadAllocatedBytes(writerId.get()) - writerAllocStart.get();
      processCpu = os.getProcessCpuTime() - process0 - servedNanos;
    }
    long files;
    try (var s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".parquet")).count();
    }
    System.out.printf("%s%d x %d: %d requests, %d rows, %d files; writer %.2f us CPU per row (%.1f us per request),"
        + " process %.2f us CPU per row (GC and DuckDB's threads too); served() %.3f us CPU per request on the request thread;"
        + " the writer allocates %.0f bytes per row%n", warmup ? "(warm-up) " : "", entities, FEATURES,
        requests, (long) requests * entities, files, writerCpu / 1e3 / ((long) requests * entities),
        writerCpu / 1e3 / requests, processCpu / 1e3 / ((long) requests * entities), servedNanos / 1e3 / requests,
        (double) writerAlloc / ((long) requests * entities));
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A response of {@code entities} rows of the 50 features, values and statuses drawn from {@code random}. */
  static OnlineResponse response(SplittableRandom random, List<FeatureRef> refs, int entities) {
    List<Object> keys = new ArrayList<>();
    for (int r = 0; r < entities; r++) {
      keys.add(random.nextLong(1_000_000));
    }
    List<FeatureColumn> columns = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      ValueType type = f < 25 ? ScalarType.FLOAT64 : f < 40 ? ScalarType.INT64 : ScalarType.STRING;
      List<Object> values = new ArrayList<>();
      List<FeatureStatus> statuses = new ArrayList<>();
      List<Instant> times = new ArrayList<>();
      for (int r = 0; r < entities; r++) {
        int roll = random.nextInt(100);
        FeatureStatus st = roll < 5 ? FeatureStatus.NOT_FOUND : roll < 7 ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT;
        statuses.add(st);
        times.add(st == FeatureStatus.NOT_FOUND ? null : T);
        values.add(st != FeatureStatus.PRESENT ? null : switch ((ScalarType) type) {
          case FLOAT64 -> random.nextDouble() * 100;
          case INT64 -> random.nextLong(10_000);
          default -> "v" + random.nextInt(1000);
        });
      }
      columns.add(new FeatureColumn(refs.get(f).view() + "__" + refs.get(f).feature(), refs.get(f), type, values, statuses, times));
    }
    return new OnlineResponse(Map.of("user_id", keys), columns);
  }
}
