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

      Http.Reply service = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]}}");
      assertThat(service.status()).as(service.body()).isEqualTo(200);
      assertThat(service.body()).contains("4.5");
      assertThat(statuses(service)).isEqualTo("PRESENT PRESENT");
      Http.Reply pinned = http.post("/get-online-features",
          "{\"features\": [\"user_stats@v2:amount\", \"txn_risk:amount_ratio\"], \"entities\": {\"user_id\": [3]},"
              + " \"request_context\": {\"txn_amount\": [9.0]}}");
      assertThat(statuses(pinned)).as(pinned.body()).isEqualTo("NOT_FOUND PRESENT");
      assertThat(pinned.body()).as("the on-demand view reads its unpinned input from v1").contains("2.0");

      repo.materialize(List.of("user_stats@v2"), TestRepo.START, TestRepo.END, (v, r, w) -> {}, "test");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      Http.Reply both;
      do {
        Thread.sleep(20);
        both = http.post("/get-online-features", "{\"features\": [\"user_stats@v1:amount\", \"user_stats:amount\"],"
            + " \"entities\": {\"user_id\": [3]}, \"full_feature_names\": true}");
      } while (!statuses(both).equals("PRESENT PRESENT") && System.nanoTime() < deadline);
      assertThat(statuses(both)).as(both.body()).isEqualTo("PRESENT PRESENT");
      assertThat(both.json().get("metadata").get("feature_names").toString())
          .isEqualTo("[\"user_id\",\"user_stats@v1__amount\",\"user_stats__amount\"]");
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
