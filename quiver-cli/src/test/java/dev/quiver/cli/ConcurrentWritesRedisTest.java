package dev.quiver.cli;

import dev.quiver.testkit.ConcurrentWritesContract;
import dev.quiver.testkit.LocalRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Pushes racing with materializations, on DuckDB and a Redis server started by the test. */
class ConcurrentWritesRedisTest extends ConcurrentWritesContract {
  private static LocalRedis redis;

  @BeforeAll
  static void start() {
    redis = LocalRedis.start();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Override
  protected String onlineYaml() {
    return "{type: redis, url: \"" + redis.url() + "\", " + MaterializeRedisTest.PATIENT + "}";
  }
}
