package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolls of Arrow buffers run off the writer thread: while a roll's file is being written (here held
 * on its lock), the writer keeps draining the queue into a new buffer, so queued requests do not
 * wait out a Parquet {@code COPY} on the heap; one more roll may wait, and every row reaches a file.
 */
class FeatureLogRollThreadTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void theWriterDrainsTheQueueWhileARollIsWritten() throws Exception {
    assertThat(FeatureLogBatches.available()).as("this test JVM runs with --add-opens=java.base/java.nio (the Arrow path)").isTrue();
    List<FeatureRef> refs = List.of(FeatureRef.of("v:a"));
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", T, "m", "h1"), defs);
    var meters = new SimpleMeterRegistry();
    try (FeatureLog log = new FeatureLog(FeatureLogSettings.of(Map.of("roll_rows", 4), tmp), meters, new FailureLog(meters),
        () -> 0.0, null)) {
      synchronized (log.writer().rollLock) { // every roll's COPY waits until the end of this block
        for (int i = 0; i < 5; i++) { // 2 rows each: two full buffers (one roll stalled, one waiting) and 2 rows buffered
          log.served(snapshot, new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of()), response(2 * i, refs), T);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (log.queued() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(log.queued()).as("drained while the rolls were held").isZero();
        assertThat(parquetFiles()).as("no file yet: both rolls wait for the lock").isEmpty();
      }
    }
    assertThat(parquetFiles()).hasSize(3);
    List<Map<String, Object>> rows = FeatureLogServeTest.read(tmp, "SELECT user_id, v__a FROM read_parquet('"
        + tmp.resolve("feature_logs") + "/**/*.parquet') ORDER BY user_id");
    assertThat(rows).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(rows.get(i)).containsEntry("user_id", (long) i).containsEntry("v__a", i * 1.5);
    }
  }

  private List<Path> parquetFiles() throws Exception {
    Path root = tmp.resolve("feature_logs");
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
    }
  }

  private static OnlineResponse response(int first, List<FeatureRef> refs) {
    return new OnlineResponse(Map.of("user_id", List.of((long) first, (long) first + 1)), List.of(
        new FeatureColumn("a", refs.get(0), ScalarType.FLOAT64, List.of(first * 1.5, (first + 1) * 1.5),
            List.of(FeatureStatus.PRESENT, FeatureStatus.PRESENT), List.of(T, T))));
  }
}
