package dev.quiver.offline.spark;

import static dev.quiver.offline.spark.MaterializationRepos.END;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.Materializer;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import dev.quiver.testkit.LocalRedisCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Materialization through Spark (core {@code Materializer}, the executors writing latest rows
 * themselves) leaves the same online state as through DuckDB, on randomized repos: column features
 * with one and two keys, window aggregates, a backfill of an older range and an incremental run;
 * into RocksDB (local mode borrows the driver's store), into a real Redis that each task opens
 * itself, with its password read from a secret reference on the executor, and into a Redis Cluster.
 */
class SparkMaterializationTest {
  private static final Instant NOW = END.plus(Duration.ofDays(1));
  private static final String SPARK = "{engine: spark, master: 'local[2]'}";
  private static final String ROCKSDB = "{type: rocksdb, path: .quiver/online}";
  private static final String PASSWORD = "spark-mat-" + Long.toHexString(System.nanoTime());
  /** Named accumulators that finished tasks updated: proof the executors wrote. */
  private static final Set<String> ACCUMULATED = ConcurrentHashMap.newKeySet();
  private static LocalRedis redis;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    redis = LocalRedis.startWithPassword(PASSWORD);
    TestSpark.session().sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        end.taskInfo().accumulables().foreach(a -> {
          if (a.name().isDefined()) {
            ACCUMULATED.add(a.name().get());
          }
          return null;
        });
      }
    });
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void sparkIntoRocksDbEqualsDuckDb(long seed) throws Exception {
    MaterializationRepos data = new MaterializationRepos(seed);
    Path a = data.write(tmp.resolve("duckdb"), "{engine: duckdb}", ROCKSDB, "mat");
    Path b = data.write(tmp.resolve("spark"), SPARK, ROCKSDB, "mat");
    try (FeatureRepo want = MaterializationRepos.open(a, NOW); FeatureRepo got = MaterializationRepos.open(b, NOW)) {
      assertSameResults(seed, MaterializationRepos.materialize(want), MaterializationRepos.materialize(got));
      data.assertSameOnlineState(want, got);
    }
    assertThat(ACCUMULATED).as("the executors wrote and counted").contains("quiver user_latest@v1 rows written");
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5})
  void sparkIntoRedisFromExecutorsEqualsDuckDb(long seed) throws Exception {
    MaterializationRepos data = new MaterializationRepos(seed);
    Path a = data.write(tmp.resolve("duckdb"), "{engine: duckdb}", ROCKSDB, "mat" + seed);
    String onRedis = "{type: redis, url: 'redis://127.0.0.1:" + redis.port() + "', password: '${file:redis.pass}', key_prefix: s"
        + seed + "}";
    Path b = data.write(tmp.resolve("spark"), SPARK, onRedis, "mat" + seed);
    Files.writeString(b.resolve("redis.pass"), PASSWORD + "\n");
    try (FeatureRepo want = MaterializationRepos.open(a, NOW); FeatureRepo got = MaterializationRepos.open(b, NOW)) {
      assertSameResults(seed, MaterializationRepos.materialize(want), MaterializationRepos.materialize(got));
      data.assertSameOnlineState(want, got);
    }
  }

  /** Executors writing into a 3-master Redis Cluster: keys spread over the masters, same state as DuckDB's. */
  @org.junit.jupiter.api.Test
  void sparkIntoRedisClusterFromExecutorsEqualsDuckDb() throws Exception {
    MaterializationRepos data = new MaterializationRepos(7);
    Path a = data.write(tmp.resolve("duckdb"), "{engine: duckdb}", ROCKSDB, "mat7");
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
      Path b = data.write(tmp.resolve("spark"), SPARK, "{type: redis, cluster: true, url: '" + cluster.urls()
          + "', key_prefix: c7}", "mat7");
      try (FeatureRepo want = MaterializationRepos.open(a, NOW); FeatureRepo got = MaterializationRepos.open(b, NOW)) {
        assertSameResults(7, MaterializationRepos.materialize(want), MaterializationRepos.materialize(got));
        data.assertSameOnlineState(want, got);
      }
    }
  }

  /**
   * A task that cannot open the store fails the run with a message naming the store and what is
   * missing (never the secret), and the watermark does not move: here the password file the driver
   * read is gone when the executors resolve it.
   */
  @org.junit.jupiter.api.Test
  void anExecutorThatCannotOpenTheStoreFailsTheRunAndTheWatermarkStays() throws Exception {
    MaterializationRepos data = new MaterializationRepos(6);
    String onRedis = "{type: redis, url: 'redis://127.0.0.1:" + redis.port() + "', password: '${file:redis.pass}', key_prefix: f6}";
    Path b = data.write(tmp.resolve("spark"), SPARK, onRedis, "fail6");
    Files.writeString(b.resolve("redis.pass"), PASSWORD);
    try (FeatureRepo got = MaterializationRepos.open(b, NOW)) {
      got.online().check(); // the driver's store is open, with the password it read
      Files.delete(b.resolve("redis.pass"));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> got.materialize(List.of("user_latest"), MaterializationRepos.T0, END, MaterializationRepos.QUIET, "test"))
          .isInstanceOf(dev.quiver.core.QuiverException.class)
          .hasMessageContaining("user_latest@v1")
          .hasMessageContaining("online store redis (url redis://127.0.0.1:" + redis.port() + ")")
          .hasMessageContaining("refers to the file redis.pass, which does not exist")
          .hasMessageContaining("watermark did not move")
          .hasMessageNotContaining(PASSWORD);
      assertThat(got.registry().watermark("user_latest@v1")).isEmpty();
    }
  }

  /** Rows read and written per view and run are the same: the same source rows, the same writes. */
  private static void assertSameResults(long seed, List<List<Materializer.ViewResult>> want,
      List<List<Materializer.ViewResult>> got) {
    assertThat(got).hasSameSizeAs(want);
    for (int run = 0; run < want.size(); run++) {
      assertThat(got.get(run).stream().map(r -> List.of(r.view(), r.start(), r.end(), r.rowsRead(), r.rowsWritten())).toList())
          .as("seed %d run %d: views, ranges, rows read and written", seed, run)
          .isEqualTo(want.get(run).stream().map(r -> List.of(r.view(), r.start(), r.end(), r.rowsRead(), r.rowsWritten())).toList());
    }
    assertThat(want.get(0).stream().mapToLong(Materializer.ViewResult::rowsRead).sum()).as("seed %d: rows were read", seed)
        .isPositive();
  }
}
