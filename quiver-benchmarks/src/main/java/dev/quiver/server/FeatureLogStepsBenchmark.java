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
 *   <li>one roll: the {@code COPY} of a buffer of 100,000 logged 1 &times; 50 rows (random values, distinct
 *       request ids) to a Parquet file, on this thread (DuckDB with one thread): the writer's burst.</li>
 * </ol>
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
    for (int entities : new int[] {1, 100}) {
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
    List<FeatureLog.Served> served = new ArrayList<>();
    for (int i = 0; i < 4096; i++) {
      served.add(FeatureLog.Served.of("wide", service, defs, 3, T, request, FeatureLogWriterBenchmark.response(random, refs, 1)));
    }
    FeatureLogRequestIds ids = new FeatureLogRequestIds(new SplittableRandom(3));
    FeatureLogSchema schema = FeatureLogSchema.of(served.getFirst());
    var mx = ManagementFactory.getThreadMXBean();
    Path file = Files.createTempFile("flog-roll", ".parquet");
    try (RootAllocator allocator = new RootAllocator(); Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement st = c.createStatement()) {
        st.execute("SET threads = 1");
      }
      for (int round = 0; round < rounds; round++) {
        FeatureLogBatches buffer = new FeatureLogBatches(schema, "wide", allocator, 4096, 32_768);
        for (int i = 0; i < rows; i++) {
          buffer.append(served.get((i * 31 + round) & 4095), ids.next());
        }
        Files.deleteIfExists(file);
        long c0 = mx.getCurrentThreadCpuTime();
        buffer.copy(c, file.toString());
        long c1 = mx.getCurrentThreadCpuTime();
        System.out.printf("%sroll of %,d rows of 1 x 50: %.0f ms CPU (%.2f us per row), %,d bytes%n", round == 0 ? "(JIT) " : "",
            rows, (c1 - c0) / 1e6, (c1 - c0) / 1e3 / rows, Files.size(file));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
