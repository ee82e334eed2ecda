package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.OnlineResponse;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;

/**
 * The feature log's two costly steps alone, in thread CPU time (so other processes on a shared machine
 * do not count), with {@link FeatureLogWriterBenchmark}'s 50-feature responses (issue 23, flog29):
 * <ol>
 *   <li>the request thread's encoding of a logged request into the ring ({@link FeatureLogRecord#encode}),
 *       at steady state: a ring of 10,000 places whose writer keeps up (each place read and released
 *       right after it is published), for 1 &times; 50 and 100 &times; 50 requests: CPU and bytes allocated per
 *       request;</li>
 *   <li>one roll: the {@code COPY} of a buffer of 100,000 logged 1 &times; 50 rows (random values drawn for
 *       every row, distinct request ids) to a Parquet file, on this thread (DuckDB with one thread), paced as the
 *       writer paces it ({@link FeatureLogPacer#standard()}): its CPU (thread and process), the longest burst of
 *       CPU between two pauses, the pauses, the wall time and the file's size.</li>
 * </ol>
 *
 * <p>A second argument {@code roll} runs the roll alone. (Until flog30 the roll's rows repeated 4,096 requests,
 * which zstd compressed 8 times better than fresh rows: its file sizes and CPU are not comparable with these.)
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' dev.quiver.server.FeatureLogStepsBenchmark
 * [rounds]} (default 4 rounds of each; the first is the JIT's).
 */
public final class FeatureLogStepsBenchmark {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  private FeatureLogStepsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < 50; f++) {
      refs.add(FeatureRef.of("user_wide:f" + f));
    }
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("wide", 1, refs, null, new FeatureLogging(1.0))).build();
    OnlineRequest request = new OnlineRequest(List.of(), "wide", Map.of("user_id", List.of()), false, Map.of());
    boolean rollOnly = args.length > 1 && args[1].equals("roll");
    for (int entities : rollOnly ? new int[0] : new int[] {1, 100}) {
      encode(defs, refs, request, entities, entities == 1 ? 1_000_000 : 20_000, rounds);
    }
    roll(defs, refs, request, 100_000, rounds);
  }

  private static void encode(Definitions defs, List<FeatureRef> refs, OnlineRequest request, int entities, int requests,
      int rounds) {
    SplittableRandom random = new SplittableRandom(7);
    OnlineResponse[] responses = new OnlineResponse[16];
    for (int i = 0; i < responses.length; i++) {
      responses[i] = FeatureLogWriterBenchmark.response(random, refs, entities);
    }
    FeatureLog.Shape shape = FeatureLog.Shape.of(responses[0], null, defs);
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    FeatureLogRing ring = new FeatureLogRing(10_000);
    for (int round = 0; round < rounds; round++) {
      long bytes = 0;
      long c0 = mx.getCurrentThreadCpuTime();
      long a0 = mx.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < requests; i++) {
        FeatureLogSlot slot = ring.claim();
        slot.shape = shape;
        FeatureLogRecord.encode(slot, 3, T, request, responses[i & 15]);
        ring.publish(slot);
        FeatureLogSlot read = ring.peek();
        bytes += read.length();
        ring.release(read);
      }
      long c1 = mx.getCurrentThreadCpuTime();
      long a1 = mx.getCurrentThreadAllocatedBytes();
      System.out.printf("%sencode %d x 50 into a ring of 10,000: %.3f us CPU and %.0f bytes allocated per request (%.0f bytes"
          + " each)%n", round == 0 ? "(JIT) " : "", entities, (c1 - c0) / 1e3 / requests, (double) (a1 - a0) / requests,
          (double) bytes / requests);
    }
  }

  private static void roll(Definitions defs, List<FeatureRef> refs, OnlineRequest request, int rows, int rounds) throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    FeatureService service = defs.service("wide", 1).orElseThrow();
    FeatureLogRequestIds ids = new FeatureLogRequestIds(new SplittableRandom(3));
    FeatureLogSchema schema = FeatureLogSchema.of(
        FeatureLog.Served.of("wide", service, defs, 3, T, request, FeatureLogWriterBenchmark.response(random, refs, 1)));
    var mx = ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Path file = Files.createTempFile("flog-roll", ".parquet");
    try (RootAllocator allocator = new RootAllocator(); Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement st = c.createStatement()) {
        st.execute("SET threads = 1");
      }
      for (int round = 0; round < rounds; round++) {
        FeatureLogBatches buffer = new FeatureLogBatches(schema, "wide", allocator, 4096, 32_768);
        for (int i = 0; i < rows; i++) { // every row drawn afresh: a file of repeated rows compresses as no log does
          buffer.append(FeatureLog.Served.of("wide", service, defs, 3, T, request, FeatureLogWriterBenchmark.response(random, refs, 1)),
              ids.next());
        }
        Files.deleteIfExists(file);
        FeatureLogPacer pacer = FeatureLogPacer.standard();
        long p0 = os.getProcessCpuTime();
        long w0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        buffer.copy(c, file.toString(), pacer);
        long c1 = mx.getCurrentThreadCpuTime();
        long w1 = System.nanoTime();
        long p1 = os.getProcessCpuTime();
        System.out.printf("%sroll of %,d rows of 1 x 50: %.0f ms CPU (%.2f us per row; process %.0f ms), %,d bytes;"
            + " longest burst %.1f ms CPU, %d pauses, %.0f ms wall%n", round == 0 ? "(JIT) " : "",
            rows, (c1 - c0) / 1e6, (c1 - c0) / 1e3 / rows, (p1 - p0) / 1e6, Files.size(file), pacer.longestBurstNanos() / 1e6,
            pacer.pauses(), (w1 - w0) / 1e6);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
