package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feature log without a server: sampling per request at the configured rate (seeded, against
 * the same draws counted by hand), a full queue drops and counts without blocking (the writer held),
 * files roll by rows, by time and on a schema change, close flushes, and a write error is counted
 * and reported without reaching the caller.
 */
class FeatureLogTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path tmp;
  final MeterRegistry meters = new SimpleMeterRegistry();
  final FailureLog failures = new FailureLog(meters);

  private static Definitions defs(double rate, int serviceVersion, String... refs) {
    List<FeatureRef> parsed = new ArrayList<>();
    for (String r : refs) {
      parsed.add(FeatureRef.of(r));
    }
    return Definitions.builder("p").entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", serviceVersion, parsed, null, new FeatureLogging(rate)))
        .service(new FeatureService("quiet", 1, parsed, null)).build();
  }

  private static RegistrySnapshot snapshot(Definitions defs, long version) {
    return new RegistrySnapshot(new VersionInfo(version, version - 1, "me", T, "m", "h" + version), defs);
  }

  /** A response of {@code rows} entity rows: user i has amount i * 1.5, every third one NOT_FOUND. */
  private static OnlineResponse response(int first, int rows, String... features) {
    List<Object> keys = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    List<FeatureStatus> statuses = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    for (int i = first; i < first + rows; i++) {
      keys.add((long) i);
      boolean found = i % 3 != 0;
      values.add(found ? i * 1.5 : null);
      statuses.add(found ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND);
      times.add(found ? T : null);
    }
    List<FeatureColumn> columns = new ArrayList<>();
    for (String f : features) {
      columns.add(new FeatureColumn(f, FeatureRef.of(f), ScalarType.FLOAT64, values, statuses, times));
    }
    return new OnlineResponse(Map.of("user_id", keys), columns);
  }

  private static OnlineRequest request(String service) {
    return new OnlineRequest(List.of(), service, Map.of("user_id", List.of()), false, Map.of());
  }

  private FeatureLog log(FeatureLogSettings settings, Random random, Runnable beforeBatch) {
    return new FeatureLog(settings, meters, failures, random::nextDouble, beforeBatch);
  }

  private FeatureLogSettings settings(Map<String, Object> section) {
    return FeatureLogSettings.of(section, tmp);
  }

  private double count(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private List<Map<String, Object>> rows(String extra) throws Exception {
    return FeatureLogServeTest.read(tmp, "SELECT *, filename AS file" + extra + " FROM read_parquet('" + tmp.resolve("feature_logs")
        + "/**/*.parquet', hive_partitioning = true, filename = true)");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 42, 2026})
  void sampleRateIsHonouredPerRequest(long seed) throws Exception {
    double rate = 0.2;
    int requests = 3000;
    Definitions d = defs(rate, 1, "v:amount");
    RegistrySnapshot s = snapshot(d, 3);
    try (FeatureLog log = log(settings(Map.of()), new Random(seed), null)) {
      for (int i = 0; i < requests; i++) {
        log.served(s, request(i % 2 == 0 ? "s" : "s@v1"), response(i * 3, 3, "v:amount"), T);
        log.served(s, request("quiet"), response(i * 3, 3, "v:amount"), T);
      }
    }
    Random same = new Random(seed);
    int kept = 0;
    for (int i = 0; i < requests; i++) {
      kept += same.nextDouble() < rate ? 1 : 0;
    }
    List<Map<String, Object>> rows = FeatureLogServeTest.read(tmp, "SELECT request_id, count(*) AS n, min(user_id) % 3 AS first"
        + " FROM read_parquet('" + tmp.resolve("feature_logs") + "/**/*.parquet') GROUP BY request_id");
    assertThat(rows).as("the draws of the same seed keep exactly these requests").hasSize(kept);
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.get("n")).as("every row of a kept request").isEqualTo(3L);
      assertThat(r.get("first")).as("rows of one request stay together").isEqualTo(0L);
    });
    assertThat((double) kept).as("within 4 sigma of rate * requests")
        .isCloseTo(rate * requests, org.assertj.core.data.Offset.offset(4 * Math.sqrt(requests * rate * (1 - rate))));
    assertThat(tmp.resolve("feature_logs/quiet")).doesNotExist();
    assertThat(count("quiver.feature.log.rows", "service", "s")).isEqualTo(kept * 3.0);
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(1);
    Definitions d = defs(1.0, 1, "v:amount");
    RegistrySnapshot s = snapshot(d, 1);
    try (FeatureLog log = log(settings(Map.of("queue", "4")), new Random(1), () -> {
      held.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })) {
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      long slowest = 0;
      for (int i = 0; i < 1000; i++) {
        long t0 = System.nanoTime();
        log.served(s, request("s"), response(i * 2, 2, "v:amount"), T);
        slowest = Math.max(slowest, System.nanoTime() - t0);
      }
      assertThat(Duration.ofNanos(slowest)).as("an offer never waits for the held writer").isLessThan(Duration.ofMillis(200));
      assertThat(log.queued()).isEqualTo(4);
      assertThat(count("quiver.feature.log.dropped", "service", "s")).isEqualTo(996);
      release.countDown();
    }
    assertThat(rows("")).hasSize(8);
    assertThat(count("quiver.feature.log.rows", "service", "s")).isEqualTo(8);
  }

  @Test
  void filesRollByRowsAndTheRestIsWrittenOnClose() throws Exception {
    Definitions d = defs(1.0, 1, "v:amount");
    RegistrySnapshot s = snapshot(d, 1);
    try (FeatureLog log = log(settings(Map.of("roll_rows", "10")), new Random(1), null)) {
      for (int i = 0; i < 10; i++) {
        log.served(s, request("s"), response(i * 3, 3, "v:amount"), T);
      }
    }
    List<Path> files = FeatureLogServeTest.files(tmp.resolve("feature_logs"));
    assertThat(files).hasSize(3).allSatisfy(f -> assertThat(tmp.resolve("feature_logs").relativize(f).toString())
        .matches("s/date=2026-03-01/part-\\d{13}-\\d+\\.parquet"));
    List<Map<String, Object>> perFile = FeatureLogServeTest.read(tmp, "SELECT filename, count(*) AS n, min(user_id) AS lo"
        + " FROM read_parquet('" + tmp.resolve("feature_logs") + "/**/*.parquet', filename = true) GROUP BY filename ORDER BY lo");
    assertThat(perFile).extracting(r -> r.get("n")).containsExactly(12L, 12L, 6L);
    assertThat(count("quiver.feature.log.files")).isEqualTo(3);
    List<Map<String, Object>> all = FeatureLogServeTest.read(tmp, "SELECT user_id, v__amount, v__amount__status, registry_version,"
        + " service, service_version, served_at FROM read_parquet('" + tmp.resolve("feature_logs") + "/**/*.parquet') ORDER BY user_id");
    assertThat(all).hasSize(30).allSatisfy(r -> {
      long user = (Long) r.get("user_id");
      assertThat(r.get("v__amount")).isEqualTo(user % 3 == 0 ? null : user * 1.5);
      assertThat(r.get("v__amount__status")).isEqualTo(user % 3 == 0 ? "NOT_FOUND" : "PRESENT");
      assertThat(r).containsEntry("registry_version", 1).containsEntry("service", "s").containsEntry("service_version", 1);
      assertThat(((java.sql.Timestamp) r.get("served_at")).toLocalDateTime()).isEqualTo(java.time.LocalDateTime.of(2026, 3, 1, 12, 0));
    });
  }

  @Test
  void filesRollByTimeWhileTheServerRuns() throws Exception {
    Definitions d = defs(1.0, 1, "v:amount");
    RegistrySnapshot s = snapshot(d, 1);
    try (FeatureLog log = log(settings(Map.of("roll_every", "1s")), new Random(1), null)) {
      long t0 = System.nanoTime();
      log.served(s, request("s"), response(1, 2, "v:amount"), T);
      // the folder is made before the rolled file is moved into it: wait for the file
      while ((!Files.exists(tmp.resolve("feature_logs")) || FeatureLogServeTest.files(tmp.resolve("feature_logs")).isEmpty())
          && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
        Thread.sleep(20);
      }
      long waited = System.nanoTime() - t0;
      assertThat(Duration.ofNanos(waited)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
      assertThat(FeatureLogServeTest.files(tmp.resolve("feature_logs"))).hasSize(1);
      log.served(s, request("s"), response(10, 2, "v:amount"), T);
    }
    assertThat(FeatureLogServeTest.files(tmp.resolve("feature_logs"))).hasSize(2);
  }

  @Test
  void aNewServiceVersionOrDateStartsANewFile() throws Exception {
    try (FeatureLog log = log(settings(Map.of()), new Random(1), null)) {
      log.served(snapshot(defs(1.0, 1, "v:amount"), 1), request("s"), response(1, 1, "v:amount"), T);
      log.served(snapshot(defs(1.0, 1, "v:amount"), 2), request("s"), response(2, 1, "v:amount"), T);
      log.served(snapshot(defs(1.0, 2, "v:amount", "w:other"), 3), request("s"), response(3, 1, "v:amount", "w:other"), T);
      log.served(snapshot(defs(1.0, 2, "v:amount", "w:other"), 3), request("s"), response(4, 1, "v:amount", "w:other"),
          T.plus(Duration.ofDays(1)));
    }
    List<String> files = FeatureLogServeTest.files(tmp.resolve("feature_logs")).stream()
        .map(f -> tmp.resolve("feature_logs").relativize(f).getParent().toString()).toList();
    assertThat(files).containsExactlyInAnyOrder("s/date=2026-03-01", "s/date=2026-03-01", "s/date=2026-03-02");
    List<Map<String, Object>> v2 = FeatureLogServeTest.read(tmp, "SELECT user_id, service_version, registry_version, w__other__status"
        + " FROM read_parquet('" + tmp.resolve("feature_logs") + "/s/*/*.parquet', union_by_name = true) WHERE service_version = 2 ORDER BY user_id");
    assertThat(v2).extracting(r -> r.get("user_id")).containsExactly(3L, 4L);
  }

  @Test
  void aWriteErrorIsCountedAndReportedAndNeverReachesTheCaller() throws Exception {
    Files.writeString(tmp.resolve("not-a-folder"), "x"); // a file where the log's folder should be: unwritable even as root
    Definitions d = defs(1.0, 1, "v:amount");
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(FeatureLogWriter.class.getName());
    List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler h = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        logged.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(h);
    try (FeatureLog log = log(settings(Map.of("path", "not-a-folder/logs", "roll_rows", "1")), new Random(1), null)) {
      for (int i = 0; i < 5; i++) {
        log.served(snapshot(d, 1), request("s"), response(i, 1, "v:amount"), T);
      }
    } finally {
      logger.removeHandler(h);
    }
    assertThat(count("quiver.feature.log.write.errors")).isEqualTo(5);
    assertThat(count("quiver.failures", "endpoint", "feature-log")).isEqualTo(5);
    assertThat(count("quiver.feature.log.files")).isZero();
    assertThat(logged).as("rate-limited: the first in full, the rest in a summary at most every 10 s")
        .hasSizeLessThan(3).first().asString().contains("cannot write 1 rows of feature service 's' to the feature log")
        .contains("check that the folder is writable");
  }

  @Test
  void settingsAreCheckedWithMessagesThatSayWhatToWrite() {
    FeatureLogSettings d = settings(Map.of());
    assertThat(d).isEqualTo(new FeatureLogSettings(tmp.resolve("feature_logs"), Duration.ofMinutes(5), 100_000, 10_000));
    assertThatThrownBy(() -> settings(Map.of("roll_evry", "5m"))).isInstanceOf(QuiverException.class)
        .hasMessage("quiver.yaml feature_logging: unknown key 'roll_evry'; the keys are path, roll_every, roll_rows, queue, writer_priority (docs/server.md)");
    assertThatThrownBy(() -> settings(Map.of("roll_every", "soon")))
        .hasMessage("quiver.yaml feature_logging.roll_every must be a duration of at least 1s (30s, 5m, 1h), not 'soon'");
    assertThatThrownBy(() -> settings(Map.of("roll_rows", "0")))
        .hasMessage("quiver.yaml feature_logging.roll_rows must be a whole number from 1 to 10000000 (rows per file), not '0'");
    assertThatThrownBy(() -> settings(Map.of("queue", "lots")))
        .hasMessageContaining("feature_logging.queue must be a whole number from 1 to 1000000");
    assertThat(d.priority()).isEqualTo(FeatureLogSettings.WriterPriority.LOW);
    assertThat(settings(Map.of("writer_priority", "normal")).priority()).isEqualTo(FeatureLogSettings.WriterPriority.NORMAL);
    assertThat(settings(Map.of("writer_priority", "idle")).priority()).isEqualTo(FeatureLogSettings.WriterPriority.IDLE);
    assertThatThrownBy(() -> settings(Map.of("writer_priority", "lowest")))
        .hasMessage("quiver.yaml feature_logging.writer_priority must be low (the writer yields the CPU to the serving"
            + " threads; the default), idle (it runs only on a CPU they leave idle) or normal (it competes with them),"
            + " not 'lowest'");
  }

  @ParameterizedTest(name = "writer_priority {0}")
  @ValueSource(strings = {"low", "normal", "idle"})
  void theWriterThreadAloneRunsAtTheConfiguredPriority(String priority) throws Exception {
    Integer mine = ThreadPriority.nice();
    Integer myPolicy = ThreadPriority.policy();
    assertThat(mine).as("a per-thread nice value (Linux)").isNotNull();
    assertThat(myPolicy).as("a per-thread scheduling policy (Linux)").isEqualTo(0);
    AtomicReference<Integer> writersNice = new AtomicReference<>();
    AtomicReference<Integer> writersPolicy = new AtomicReference<>();
    CountDownLatch seen = new CountDownLatch(1);
    try (FeatureLog log = log(settings(Map.of("writer_priority", priority)), new Random(1), () -> {
      if (writersNice.compareAndSet(null, ThreadPriority.nice())) {
        writersPolicy.set(ThreadPriority.policy());
      }
      seen.countDown();
    })) {
      assertThat(seen.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ThreadPriority.nice()).as("the thread that started the log keeps its priority").isEqualTo(mine);
      assertThat(ThreadPriority.policy()).as("the thread that started the log keeps its policy").isEqualTo(myPolicy);
    }
    assertThat(writersNice.get()).isEqualTo(priority.equals("normal") ? mine : ThreadPriority.LOW);
    assertThat(writersPolicy.get()).isEqualTo(priority.equals("idle") ? ThreadPriority.SCHED_IDLE : myPolicy);
  }
}
