package dev.quiver.cli;

import dev.quiver.testkit.LocalRedisCluster;
import dev.quiver.testkit.WritePathContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The write-path consistency contract on DuckDB and a three-master Redis Cluster started by the test. */
class WritePathRedisClusterTest extends WritePathContract {
  private static LocalRedisCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalRedisCluster.start(3);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Override
  protected String onlineYaml() {
    return "{type: redis, cluster: true, url: \"" + cluster.urls() + "\", " + MaterializeRedisTest.PATIENT + "}";
  }
}
