package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed materialization leaves no reader thread behind: through the server's {@code /materialize},
 * again and again, when the source cannot be read and when the online store cannot be written (a
 * Redis that refuses the scripts rows are written with), in the foreground and in the background. (An interrupted writer and an
 * {@link Error} while writing are covered where the hand-off lives, {@code MaterializerTransferTest}.)
 */
class MaterializeThreadsTest {
  private static final String RUN = """
      {"start_ts": "2025-01-01T00:00:00Z", "end_ts": "2026-02-01T00:00:00Z", "feature_views": ["user_stats"]}""";

  @TempDir Path tmp;

  /** The materialization reader threads alive once each has had up to 10 s to end. */
  static List<Thread> readers() throws InterruptedException {
    List<Thread> found = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("quiver-materialize-")).toList();
    for (Thread t : found) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    return found.stream().filter(Thread::isAlive).toList();
  }

  @Test
  void anUnreadableSourceLeavesNoReaderThread() throws IOException, InterruptedException {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      Files.writeString(dir.resolve("data/txns/part-0.parquet"), "not parquet any more");
      for (int i = 0; i < 5; i++) {
        HttpServerTest.expect(http.post("/materialize", RUN), 422, "source_data", "part-0.parquet");
      }
      assertThat(http.post("/materialize?async=true", RUN).status()).isEqualTo(202);
      awaitState(http, "failed");
      assertThat(readers()).as("reader threads left").isEmpty();
    }
  }

  @Test
  void anOnlineStoreThatCannotBeWrittenLeavesNoReaderThread() throws InterruptedException {
    LocalRedis redis = LocalRedis.start();
    try {
      Path dir = TestRepo.create(tmp.resolve("repo"), "online: {type: redis, url: \"" + redis.url() + "\","
          + " connect_timeout: 10s, command_timeout: 10s}");
      try (FeatureRepo repo = FeatureRepo.open(dir);
           QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
           Http http = new Http(server.httpPort())) {
        refuseScripts(redis); // rows are written by scripts; tables, reads and everything else still work
        for (int i = 0; i < 5; i++) {
          HttpServerTest.expect(http.post("/materialize", RUN), 503, "unavailable",
              "failed while writing to the online store");
        }
        assertThat(http.post("/materialize?async=true", RUN).status()).isEqualTo(202);
        awaitState(http, "failed");
        assertThat(readers()).as("reader threads left").isEmpty();
      }
    } finally {
      redis.close();
    }
  }

  /** Takes EVAL and EVALSHA from Redis's default user, the one the store connects as: every row write fails. */
  private static void refuseScripts(LocalRedis redis) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.url());
    try (var connection = client.connect()) {
      connection.sync().aclSetuser("default", io.lettuce.core.AclSetuserArgs.Builder
          .removeCommand(io.lettuce.core.protocol.CommandType.EVAL)
          .removeCommand(io.lettuce.core.protocol.CommandType.EVALSHA));
    } finally {
      client.shutdown();
    }
  }

  private static void awaitState(Http http, String state) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      if (http.get("/materialize/status").json().get("state").asText().equals(state)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the materialization is not " + state + ": " + http.get("/materialize/status").body());
  }
}
