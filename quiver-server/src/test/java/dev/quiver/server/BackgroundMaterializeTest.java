package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.repo.FeatureRepo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's {@code ?async=true}: 202 at once, the run in the background with its progress at {@code GET
 * /materialize/status}, 409 for a second run meanwhile, and no thread left behind by a failed run.
 */
class BackgroundMaterializeTest {
  @TempDir Path tmp;
  FeatureRepo repo;
  QuiverServer server;
  Http http;

  @BeforeEach
  void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
    http = new Http(server.httpPort());
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
    repo.close();
  }

  JsonNode statusWhen(Predicate<JsonNode> done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Http.Reply r = http.get("/materialize/status");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      if (done.test(r.json()) || System.nanoTime() > deadline) {
        return r.json();
      }
      Thread.sleep(20);
    }
  }

  /** The audit events of {@code action}, oldest first, once the background run's outcome is there (it is written after the run). */
  List<dev.quiver.core.security.AuditEvent> audited(String action) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<dev.quiver.core.security.AuditEvent> events = repo.registry().audit().read(java.time.Instant.EPOCH, 1000).stream()
          .filter(e -> e.action().equals(action)).toList();
      if (events.stream().anyMatch(e -> !e.outcome().equals("started")) || System.nanoTime() > deadline) {
        return events;
      }
      Thread.sleep(20);
    }
  }

  List<String> auditedOutcomes(String action) throws InterruptedException {
    return audited(action).stream().map(dev.quiver.core.security.AuditEvent::outcome).toList();
  }

  static boolean finished(JsonNode status) {
    return !status.get("state").asText().equals("running");
  }

  @Test
  void aBackgroundRunAnswers202AtOnceAndShowsItsProgress() throws Exception {
    assertThat(http.get("/materialize/status").json().get("state").asText()).isEqualTo("idle");
    Http.Reply r = http.post("/materialize?async=true", """
        {"start_ts": "2025-01-01 00:00:00", "end_ts": "now", "feature_views": ["user_stats"]}""");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    assertThat(r.json().get("status").asText()).isEqualTo("accepted");
    assertThat(r.json().get("feature_views").toString()).isEqualTo("[\"user_stats@v1\"]");
    JsonNode s = statusWhen(BackgroundMaterializeTest::finished);
    assertThat(s.get("state").asText()).as(s.toString()).isEqualTo("done");
    assertThat(s.get("id").asLong()).as("the 202 names the run it started").isEqualTo(r.json().get("id").asLong()).isEqualTo(1);
    assertThat(s.get("kind").asText()).isEqualTo("materialize");
    assertThat(s.get("background").asBoolean()).isTrue();
    assertThat(s.get("rows_read").asLong()).isEqualTo(TestRepo.USERS);
    assertThat(s.get("views").get(0).get("view").asText()).isEqualTo("user_stats@v1");
    assertThat(s.get("start").asText()).isEqualTo("2025-01-01T00:00:00Z");
    assertThat(auditedOutcomes("materialize")).as("the start and the outcome are audited")
        .containsExactly("started", "ok");
    assertThat(audited("materialize").getLast().detail()).contains("background run 1", TestRepo.USERS + " rows read, 0 written to [user_stats@v1]");

    Http.Reply inc = http.post("/materialize-incremental?async=1", "{\"end_ts\": \"now\"}");
    assertThat(inc.status()).as(inc.body()).isEqualTo(202);
    JsonNode s2 = statusWhen(BackgroundMaterializeTest::finished);
    assertThat(s2.get("state").asText()).as(s2.toString()).isEqualTo("done");
    assertThat(s2.get("id").asLong()).isEqualTo(2);
    assertThat(s2.get("kind").asText()).isEqualTo("materialize-incremental");
    assertThat(http.get("/metrics").body()).contains("quiver_materializations_total{outcome=\"ok\"} 2.0")
        .contains("quiver_materialization_running 0.0");
    Http.Reply sync = http.post("/materialize", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"2026-02-01T00:00:00+01:00\"}");
    assertThat(sync.status()).as("without async the answer waits for the run, as before").isEqualTo(200);
    assertThat(sync.json().get("views").get(0).get("end").asText()).isEqualTo("2026-01-31T23:00:00Z");
  }

  @Test
  void aSecondRunMeanwhileGets409() throws Exception {
    // The run cannot move its watermark while this test holds the registry's watermark lock (a lock of
    // this JVM: the registry waits for it), so it is still running when the test asks for another one.
    Path lockFile = tmp.resolve("repo/.quiver/registry/watermarks/.lock");
    assertThat(lockFile).exists();
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      Http.Reply r = http.post("/materialize?async=true", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      JsonNode running = statusWhen(s -> s.get("rows_read").asLong() == TestRepo.USERS);
      assertThat(running.get("state").asText()).as(running.toString()).isEqualTo("running");
      assertThat(running.get("current_view").asText()).isEqualTo("user_stats@v1");
      assertThat(http.get("/metrics").body()).contains("quiver_materialization_running 1.0");
      Http.Reply second = http.post("/materialize-incremental?async=true", "{\"end_ts\": \"now\"}");
      FeastHttpTest.feastError(second, 409, "FeastError", "materialization 1 (materialize of user_stats@v1) is running");
      assert409Views(second);
      Http.Reply sync = http.post("/materialize", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\"}");
      assertThat(sync.status()).as(sync.body()).isEqualTo(409);
      Http.Reply read = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2]}}");
      assertThat(read.status()).as("reads go on meanwhile").isEqualTo(200);
      lock.release();
    }
    JsonNode done = statusWhen(BackgroundMaterializeTest::finished);
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("done");
  }

  @Test
  void aFailedRunSaysWhyAndLeavesNoThreadBehind() throws Exception {
    Path broken = tmp.resolve("repo/data/txns/part-1.parquet");
    Files.writeString(broken, "not parquet at all");
    Http.Reply r = http.post("/materialize?async=true", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    JsonNode failed = statusWhen(BackgroundMaterializeTest::finished);
    assertThat(failed.get("state").asText()).as(failed.toString()).isEqualTo("failed");
    assertThat(failed.get("error").asText()).contains("user_stats@v1", "part-1.parquet");
    assertThat(auditedOutcomes("materialize")).as("the failure is audited").containsExactly("started", "failed");
    assertThat(audited("materialize").getLast().detail()).contains("background run 1", "part-1.parquet");
    assertThat(http.get("/metrics").body()).contains("quiver_materializations_total{outcome=\"failed\"} 1.0");
    Files.delete(broken);

    Http.Reply again = http.post("/materialize?async=true", "{\"start_ts\": \"2025-01-01\", \"end_ts\": \"now\"}");
    assertThat(again.status()).as("the failed run let go: " + again.body()).isEqualTo(202);
    assertThat(statusWhen(BackgroundMaterializeTest::finished).get("state").asText()).isEqualTo("done");
    assertThat(threads("quiver-background-materialize")).as("one thread runs every background run").isLessThanOrEqualTo(1);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (threads("quiver-materialize-") > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(threads("quiver-materialize-")).as("no reader thread of a run is left").isZero();
    server.close();
    assertThat(threads("quiver-background-materialize")).as("closing the server ends the background thread").isZero();
  }

  @Test
  void aBackgroundRunAskedForWhileTheServerShutsDownIsUnavailableNotAConflict() {
    Materializations runs = new Materializations(repo, () -> {}, Clock.systemUTC(), Duration.ofSeconds(5),
        new SimpleMeterRegistry());
    runs.close();
    assertThatThrownBy(() -> runs.start(List.of(), TestRepo.START, TestRepo.END, false, status -> {}))
        .isExactlyInstanceOf(QuiverException.class) // 503 over HTTP; a MaterializationRunningException is a 409
        .hasMessage("the server is shutting down; materialize after it restarts");
    assertThat(runs.status().state()).as("nothing was started").isEqualTo("idle");
  }

  /** Like Feast's 409, the answer names the views in the way. */
  static void assert409Views(Http.Reply r) {
    assertThat(HttpServerTest.error(r).get("feature_views").toString()).isEqualTo("[\"user_stats@v1\"]");
  }

  static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
  }
}
