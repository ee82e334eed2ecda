package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving metrics across registry versions: a new view version continues the per-feature series
 * (the {@code view} label has no version); freshness is reported per view version of the registry that
 * has data written, the older one too while a newer one is applied but not materialized.
 */
class FeatureMetricsVersionTest {
  @TempDir Path tmp;

  private static final Map<String, String> AMOUNT_PRESENT =
      Map.of("service", "scoring", "view", "user_stats", "feature", "amount", "status", "PRESENT");

  private static PromText scrape(Http http) {
    return PromText.parse(http.get("/metrics").body());
  }

  private static double servedPresent(Http http) {
    return scrape(http).value(FeatureMetricsTest.VALUES, AMOUNT_PRESENT);
  }

  private static void readScoring(Http http) {
    Http.Reply r = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]},"
        + " \"include_feature_view_version_metadata\": true}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("results").get(1).get("statuses").get(0).asText()).isEqualTo("PRESENT");
  }

  private static Map<Map<String, String>, Double> freshness(Http http) {
    return scrape(http).series("quiver_view_freshness_seconds");
  }

  @Test
  void countsContinueAcrossVersionsAndFreshnessFollowsTheServedVersion() throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1)
             .withRegistryPoll(Duration.ofMillis(50)));
         Http http = new Http(server.httpPort())) {
      readScoring(http);
      readScoring(http);
      assertThat(servedPresent(http)).isEqualTo(2.0);
      assertThat(freshness(http).keySet()).containsExactly(Map.of("view", "user_stats@v1"));

      Files.writeString(dir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS.replace("- name: user_stats\n",
          "- name: user_stats\n    version: 2\n"));
      assertThat(repo.apply(repo.plan(false), "test", "user_stats v2", false)).isPresent();
      awaitRegistryVersion(http, 2);
      assertThat(freshness(http).keySet()).as("v2 has nothing written yet: no gauge, and v1's stays")
          .containsExactly(Map.of("view", "user_stats@v1"));
      readScoring(http);
      assertThat(servedPresent(http)).as("the same series, counting on").isEqualTo(3.0);
      Http.Reply pinned = http.post("/get-online-features", "{\"features\": [\"user_stats@v2:amount\"], \"entities\": {\"user_id\": [3]}}");
      assertThat(pinned.status()).as(pinned.body()).isEqualTo(200);
      assertThat(scrape(http).value(FeatureMetricsTest.VALUES,
          Map.of("service", "", "view", "user_stats", "feature", "amount", "status", "NOT_FOUND"))).isEqualTo(1.0);

      repo.materialize(List.of("user_stats@v2"), TestRepo.START, TestRepo.END, (v, r, w) -> {}, "test");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!freshness(http).containsKey(Map.of("view", "user_stats@v2")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(freshness(http).keySet()).as("both versions are in the registry and readable (v1 pinned)")
          .containsExactlyInAnyOrder(Map.of("view", "user_stats@v1"), Map.of("view", "user_stats@v2"));
      readScoring(http);
      assertThat(servedPresent(http)).isEqualTo(4.0);
      assertThat(scrape(http).value("quiver_service_requests_seconds_count", Map.of("service", "scoring", "outcome", "ok")))
          .isEqualTo(4.0);
    }
  }

  private static void awaitRegistryVersion(Http http, long version) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (http.get("/ready").json().get("registry_version").asLong() != version && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(http.get("/ready").json().get("registry_version").asLong()).isEqualTo(version);
  }
}
