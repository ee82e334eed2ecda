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
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queued request keeps the served values, not the response: while the writer is held, the
 * response and its columns become garbage as soon as the caller drops them (what the young
 * collections of a logged server would otherwise copy, request after request), and the file written
 * once the writer is released still holds every value and status.
 */
class FeatureLogRetentionTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void aQueuedRequestDoesNotKeepItsResponse() throws Exception {
    List<FeatureRef> refs = List.of(FeatureRef.of("v:a"), FeatureRef.of("v:b"));
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", T, "m", "h1"), defs);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    var meters = new SimpleMeterRegistry();
    List<WeakReference<Object>> responses = new ArrayList<>();
    try (FeatureLog log = new FeatureLog(FeatureLogSettings.of(Map.of(), tmp), meters, new FailureLog(meters), () -> 0.0, () -> {
      held.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })) {
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 20; i++) {
        OnlineResponse r = response(i * 2, refs);
        responses.add(new WeakReference<>(r));
        responses.add(new WeakReference<>(r.features().getFirst()));
        responses.add(new WeakReference<>(r.features().getFirst().values()));
        log.served(snapshot, new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of()), r, T);
      }
      assertThat(log.queued()).isEqualTo(20);
      for (int attempt = 0; attempt < 20 && responses.stream().anyMatch(w -> w.get() != null); attempt++) {
        System.gc();
        Thread.sleep(20);
      }
      assertThat(responses).as("responses, their columns and their value lists, collectable while queued")
          .allSatisfy(w -> assertThat(w.get()).isNull());
      release.countDown();
    }
    List<Map<String, Object>> rows = FeatureLogServeTest.read(tmp, "SELECT user_id, v__a, v__a__status, v__b, v__b__status FROM"
        + " read_parquet('" + tmp.resolve("feature_logs") + "/**/*.parquet') ORDER BY user_id");
    assertThat(rows).hasSize(40).allSatisfy(r -> {
      long user = (Long) r.get("user_id");
      boolean found = user % 3 != 0;
      assertThat(r.get("v__a")).isEqualTo(found ? user * 1.5 : null);
      assertThat(r.get("v__a__status")).isEqualTo(found ? "PRESENT" : "NOT_FOUND");
      assertThat(r.get("v__b")).isEqualTo(found ? "u" + user : null);
      assertThat(r.get("v__b__status")).isEqualTo(found ? "PRESENT" : user % 2 == 0 ? null : "NOT_FOUND");
    });
  }

  @Test
  void aColumnShorterThanTheKeysIsLoggedAsNullsWithoutThrowing() throws Exception {
    List<FeatureRef> refs = List.of(FeatureRef.of("v:a"), FeatureRef.of("v:b"));
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", T, "m", "h1"), defs);
    var meters = new SimpleMeterRegistry();
    OnlineResponse shortColumn = new OnlineResponse(Map.of("user_id", List.of(1L, 2L)), List.of(
        new FeatureColumn("a", refs.get(0), ScalarType.FLOAT64, List.of(1.5), List.of(FeatureStatus.PRESENT), List.of(T)),
        new FeatureColumn("b", refs.get(1), ScalarType.STRING, java.util.Arrays.asList("x", "y"),
            List.of(FeatureStatus.PRESENT, FeatureStatus.PRESENT), List.of(T, T))));
    try (FeatureLog log = new FeatureLog(FeatureLogSettings.of(Map.of(), tmp), meters, new FailureLog(meters), () -> 0.0, null)) {
      log.served(snapshot, new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of()), shortColumn, T);
    }
    List<Map<String, Object>> rows = FeatureLogServeTest.read(tmp, "SELECT user_id, v__a, v__a__status, v__b FROM"
        + " read_parquet('" + tmp.resolve("feature_logs") + "/**/*.parquet') ORDER BY user_id");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).containsEntry("v__a", 1.5).containsEntry("v__a__status", "PRESENT").containsEntry("v__b", "x");
    assertThat(rows.get(1)).containsEntry("v__a", null).containsEntry("v__a__status", null).containsEntry("v__b", "y");
  }

  /** Users first and first + 1: every third one NOT_FOUND; feature b's status is missing (null) for even NOT_FOUND users. */
  private static OnlineResponse response(int first, List<FeatureRef> refs) {
    List<Object> keys = new ArrayList<>();
    List<Object> a = new ArrayList<>();
    List<Object> b = new ArrayList<>();
    List<FeatureStatus> as = new ArrayList<>();
    List<FeatureStatus> bs = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    for (int i = first; i < first + 2; i++) {
      keys.add((long) i);
      boolean found = i % 3 != 0;
      a.add(found ? i * 1.5 : null);
      b.add(found ? "u" + i : null);
      as.add(found ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND);
      bs.add(found ? FeatureStatus.PRESENT : i % 2 == 0 ? null : FeatureStatus.NOT_FOUND);
      times.add(found ? T : null);
    }
    return new OnlineResponse(Map.of("user_id", keys), List.of(
        new FeatureColumn("a", refs.get(0), ScalarType.FLOAT64, a, as, times),
        new FeatureColumn("b", refs.get(1), ScalarType.STRING, b, bs, times)));
  }
}
