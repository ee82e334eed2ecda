package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A newly applied registry version is served without a restart, and requests during the swap all succeed. */
class RegistrySwapTest {
  @TempDir Path tmp;

  @Test
  void aNewVersionIsPickedUpWithoutARestart() throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofMillis(50)));
         Http http = new Http(server.httpPort())) {
      String newFeature = "{\"features\": [\"user_stats:visits_again\"], \"entities\": {\"user_id\": [3]}}";
      assertThat(http.post("/get-online-features", newFeature).status()).isEqualTo(404);

      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        readers.add(Thread.ofPlatform().start(() -> {
          while (!stop.get()) {
            Http.Reply r = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]}}");
            if (r.status() != 200 || !r.body().contains("4.5")) {
              failures.add(r.status() + " " + r.body());
            }
          }
        }));
      }
      Files.writeString(dir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS.replace(
          "- {name: seen_at, column: seen_at}", "- {name: seen_at, column: seen_at}\n      - {name: visits_again, column: visits}"));
      assertThat(repo.apply(repo.plan(false), "test", "add visits_again", false)).isPresent();

      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      Http.Reply r = http.post("/get-online-features", newFeature);
      while (r.status() != 200 && System.nanoTime() < deadline) {
        Thread.sleep(20);
        r = http.post("/get-online-features", newFeature);
      }
      stop.set(true);
      for (Thread t : readers) {
        t.join();
      }
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).as("rows written before the feature existed do not hold it").contains("NOT_FOUND");
      assertThat(http.get("/ready").json().get("registry_version").asLong()).isEqualTo(2);
      assertThat(http.get("/api/v1/registry/versions").json().get("versions")).hasSize(2);
      assertThat(failures).as("requests during the swap").isEmpty();

    }
  }
}
