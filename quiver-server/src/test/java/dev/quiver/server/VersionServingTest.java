package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After an apply that bumps a view to version 2, the server keeps answering unpinned refs (and
 * services) from version 1 until version 2 is materialized, while refs pinned to version 2 read
 * exactly it; full feature names tell the versions apart.
 */
class VersionServingTest {
  @TempDir Path tmp;

  /** The first entity row's status of each feature (the results after the entity column). */
  private static String statuses(Http.Reply r) {
    JsonNode results = r.json().get("results");
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < results.size(); i++) {
      out.append(results.get(i).get("statuses").get(0).asText()).append(' ');
    }
    return out.toString().strip();
  }

  @Test
  void unpinnedRefsKeepReadingTheOldVersionUntilTheNewOneIsMaterialized() throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofMillis(50)));
         Http http = new Http(server.httpPort())) {
      Files.writeString(dir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS.replace("- name: user_stats\n",
          "- name: user_stats\n    version: 2\n"));
      assertThat(repo.apply(repo.plan(false), "test", "user_stats v2", false)).isPresent();
      awaitRegistryVersion(http, 2);

      Http.Reply service = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]},"
          + " \"include_feature_view_version_metadata\": true}");
      assertThat(service.status()).as(service.body()).isEqualTo(200);
      assertThat(service.body()).contains("4.5");
      assertThat(statuses(service)).isEqualTo("PRESENT PRESENT");
      assertThat(viewsRead(service)).as("the service's unpinned refs read v1").isEqualTo("user_stats@v1");
      Http.Reply pinned = http.post("/get-online-features",
          "{\"features\": [\"user_stats@v2:amount\", \"txn_risk:amount_ratio\"], \"entities\": {\"user_id\": [3]},"
              + " \"request_context\": {\"txn_amount\": [9.0]}}");
      assertThat(statuses(pinned)).as(pinned.body()).isEqualTo("NOT_FOUND PRESENT");
      assertThat(pinned.body()).as("the on-demand view reads its unpinned input from v1").contains("2.0");

      repo.materialize(List.of("user_stats@v2"), TestRepo.START, TestRepo.END, (v, r, w) -> {}, "test");
      String both = "{\"features\": [\"user_stats@v1:amount\", \"user_stats:amount\"], \"entities\": {\"user_id\": [3]},"
          + " \"full_feature_names\": true, \"include_feature_view_version_metadata\": true}";
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      Http.Reply moved;
      do { // the server sees the new watermark at its next registry poll
        Thread.sleep(20);
        moved = http.post("/get-online-features", both);
      } while (!viewsRead(moved).equals("user_stats@v1 user_stats@v2") && System.nanoTime() < deadline);
      assertThat(viewsRead(moved)).as("once v2 is materialized, the unpinned ref reads it: " + moved.body())
          .isEqualTo("user_stats@v1 user_stats@v2");
      assertThat(statuses(moved)).as(moved.body()).isEqualTo("PRESENT PRESENT");
      assertThat(moved.json().get("metadata").get("feature_names").toString())
          .isEqualTo("[\"user_id\",\"user_stats@v1__amount\",\"user_stats__amount\"]");
    }
  }

  /** The feature view versions an answer read, from its {@code feature_view_metadata}: {@code name@vN ...}. */
  private static String viewsRead(Http.Reply r) {
    StringBuilder out = new StringBuilder();
    for (JsonNode v : r.json().get("metadata").get("feature_view_metadata")) {
      out.append(v.get("name").asText()).append("@v").append(v.get("version").asInt()).append(' ');
    }
    return out.toString().strip();
  }

  private static void awaitRegistryVersion(Http http, long version) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (http.get("/ready").json().get("registry_version").asLong() != version && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(http.get("/ready").json().get("registry_version").asLong()).isEqualTo(version);
  }
}
