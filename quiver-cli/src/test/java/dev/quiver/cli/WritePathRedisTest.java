package dev.quiver.cli;

import dev.quiver.testkit.LocalRedis;
import dev.quiver.testkit.WritePathContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The write-path consistency contract on DuckDB and a Redis server started by the test. */
class WritePathRedisTest extends WritePathContract {
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
