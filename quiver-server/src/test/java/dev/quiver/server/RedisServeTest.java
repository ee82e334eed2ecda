package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over a real Redis (started by the test): reads, pushes, and readiness when Redis goes away. */
class RedisServeTest {
  @TempDir Path tmp;

  @Test
  void servesFromRedisAndReportsWhenItIsGone() {
    LocalRedis redis = LocalRedis.start();
    try {
      // timeouts that fit a loaded 2-core CI machine: the repo is materialized and served through them; once Redis
      // is gone, calls fail at once whatever the timeout (the store rejects commands while disconnected)
      Path dir = TestRepo.create(tmp.resolve("repo"), "online: {type: redis, url: \"" + redis.url() + "\","
          + " connect_timeout: 10s, command_timeout: 10s}");
      try (FeatureRepo repo = FeatureRepo.open(dir);
           QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
           Http http = new Http(server.httpPort())) {
        Http.Reply r = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2, 500]}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("results").get(1).toString()).contains("[3.0,null]", "\"PRESENT\",\"NOT_FOUND\"");
        assertThat(http.post("/push", PushTest.push("online", 500, "2026-03-01T00:00:00Z", 8.25, "SE")).status()).isEqualTo(200);
        assertThat(http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [500]}}")
            .json().get("results").get(1).get("values").get(0).asDouble()).isEqualTo(8.25);
        assertThat(http.get("/ready").status()).isEqualTo(200);

        redis.close();
        Http.Reply down = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2]}}");
        HttpServerTest.expect(down, 503, "unavailable", "redis");
        Http.Reply ready = http.get("/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().get("checks").get("online_store").asText()).contains("redis");
        assertThat(http.get("/health").status()).as("alive, though not ready").isEqualTo(200);
        assertThat(http.get("/metrics").body()).contains("quiver_store_errors_total{op=\"multi_get\"}");
      }
    } finally {
      redis.close();
    }
  }
}
