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
  /** Timeouts for a loaded test machine: the executors' connections are checked for equal state, not speed. */
  private static final String PATIENT = "connect_timeout: 10s, command_timeout: 10s";
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
    assertThat(ACCUMULATED).as("the executors wrote and counted").contains("quiver user_latest@v1 rows written",
        "quiver user_agg@v1 tile rows written");
  }

  /**
   * The same rows as an Iceberg table, read by Spark, give the online answers DuckDB gives from the
   * files: latest rows and window-aggregate tiles.
   */
  @org.junit.jupiter.api.Test
  void sparkReadingAnIcebergTableIntoRocksDbEqualsDuckDbReadingTheFiles() throws Exception {
    MaterializationRepos data = new MaterializationRepos(4);
    Path a = data.write(tmp.resolve("duckdb"), "{engine: duckdb}", ROCKSDB, "mat");
    Path b = data.writeIceberg(tmp.resolve("spark"), SPARK, ROCKSDB, "mat");
    try (FeatureRepo want = MaterializationRepos.open(a, NOW); FeatureRepo got = MaterializationRepos.open(b, NOW)) {
      assertSameResults(4, MaterializationRepos.materialize(want), MaterializationRepos.materialize(got));
      data.assertSameOnlineState(want, got, false); // stored rows name their file: a path here, a URI there
    }
  }

  /**
   * The issue-19 backfill rule with tiles written by the executors: after online pushes (events inside
   * the materialized range and newer than its END, and a user without offline rows), a backfill of a
   * past range rebuilds the tile rows from the offline rows before the horizon and keeps what the
   * pushes added after it — on Spark as on DuckDB, into RocksDB and a real Redis. (The pushes are
   * older than the clock skew when the backfill starts, so the rows are rebuilt, not left alone.)
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aBackfillAfterPushesKeepsWhatIsNewerThanEndAsOnDuckDb(boolean onRedis) throws Exception {
    long seed = onRedis ? 9 : 8;
    MaterializationRepos data = new MaterializationRepos(seed);
    Path a = data.write(tmp.resolve("duckdb"), "{engine: duckdb}", ROCKSDB, "push" + seed);
    Path b = data.write(tmp.resolve("spark"), SPARK, onRedis ? "{type: redis, url: 'redis://127.0.0.1:" + redis.port()
        + "', password: '${file:redis.pass}', key_prefix: p" + seed + ", " + PATIENT + "}" : ROCKSDB, "push" + seed);
    Files.writeString(b.resolve("redis.pass"), PASSWORD);
    Instant from = MaterializationRepos.T0.plus(Duration.ofDays(1));
    Instant to = MaterializationRepos.T0.plus(Duration.ofDays(3));
    try (FeatureRepo want = MaterializationRepos.open(a, NOW); FeatureRepo got = MaterializationRepos.open(b, NOW)) {
      for (FeatureRepo r : List.of(want, got)) {
        r.materialize(List.of(), MaterializationRepos.T0, END, MaterializationRepos.QUIET, "test");
        r.push("txns", data.pushRows(1), dev.quiver.core.online.Pusher.Target.ONLINE);
      }
      data.assertSameOnlineState(want, got, false);
      Thread.sleep(Materializer.CLOCK_SKEW.toMillis() + 200); // the pushes are now older than a new scan's start
      List<Materializer.ViewResult> wantBackfill = want.materialize(List.of(), from, to, MaterializationRepos.QUIET, "test");
      List<Materializer.ViewResult> gotBackfill = got.materialize(List.of(), from, to, MaterializationRepos.QUIET, "test");
      assertSameResults(seed, List.of(wantBackfill), List.of(gotBackfill));
      assertThat(skipped(gotBackfill)).as("tile rows left alone").isZero();
      assertThat(skipped(wantBackfill)).as("tile rows left alone").isZero();
      data.assertSameOnlineState(want, got, false);
    }
  }

  private static long skipped(List<Materializer.ViewResult> results) {
    return results.stream().mapToLong(Materializer.ViewResult::keysSkippedConcurrent).sum();
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5})
  void sparkIntoRedisFromExecutorsEqualsDuckDb(long seed) throws Exception {
    MaterializationRepos data = new MaterializationRepos(seed);
    Path a = data.write(tmp.resolve("duckdb"), "{engine: duckdb}", ROCKSDB, "mat" + seed);
    String onRedis = "{type: redis, url: 'redis://127.0.0.1:" + redis.port() + "', password: '${file:redis.pass}', key_prefix: s"
        + seed + ", " + PATIENT + "}";
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
          + "', key_prefix: c7, " + PATIENT + "}", "mat7");
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
