package dev.quiver.offline.spark;

import static dev.quiver.offline.spark.DifferentialRepo.DEVICES;
import static dev.quiver.offline.spark.DifferentialRepo.END;
import static dev.quiver.offline.spark.DifferentialRepo.FEATURES;
import static dev.quiver.offline.spark.DifferentialRepo.MERCHANTS;
import static dev.quiver.offline.spark.DifferentialRepo.T0;
import static dev.quiver.offline.spark.DifferentialRepo.TXN_COLUMNS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rows pushed with {@code to: offline} (and {@code online_and_offline}) on a Spark repo appear in the
 * next training set exactly as on DuckDB: the same randomized repos ({@link DifferentialRepo}), the
 * same randomized pushes to the Parquet source through {@link FeatureRepo#push} (rows tying earlier
 * rows' keys and times, so only file order decides; null values; idempotency keys, some
 * retried), then identical training sets (cell by cell) and identical online state after
 * materializing. Seeds as {@link DuckDbSparkDifferentialTest}.
 */
class SparkOfflinePushTest {
  private static final Materializer.Listener QUIET = (v, read, written) -> {};

  @TempDir Path tmp;

  static Stream<Long> seeds() {
    return DuckDbSparkDifferentialTest.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void pushedRowsAppearInTheNextTrainingSetAsOnDuckDb(long seed) throws Exception {
    DifferentialRepo data = new DifferentialRepo(seed);
    data.writeData(tmp.resolve("src"));
    Path a = data.repo(tmp.resolve("duckdb"), tmp.resolve("src"), "{engine: duckdb}");
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), "{engine: spark, master: 'local[2]'}");
    List<FeatureRef> all = DuckDbSparkDifferentialTest.refs(FEATURES.keySet().toArray(String[]::new));
    try (FeatureRepo duck = DuckDbSparkDifferentialTest.open(a); FeatureRepo spark = DuckDbSparkDifferentialTest.open(b)) {
      List<Object[]> before = trainingSet(spark, b, all);
      Random r = new Random(seed * 31 + 7);
      int pushes = 2 + r.nextInt(3);
      for (int p = 0; p < pushes; p++) {
        Map<String, List<Object>> columns = batch(data, r);
        Pusher.Target to = r.nextInt(3) == 0 ? Pusher.Target.ONLINE_AND_OFFLINE : Pusher.Target.OFFLINE;
        Origin origin = r.nextBoolean() ? new Origin.Push("seed-" + seed + "-push-" + p) : Origin.PUSH;
        Path duckFile = duck.push("txns", columns, to, origin).offlineFile();
        Path sparkFile = spark.push("txns", columns, to, origin).offlineFile();
        assertThat(sparkFile).as("seed %d, push %d", seed, p).exists();
        assertThat(sparkFile.getFileName().toString()).endsWith(".parquet");
        assertThat(files(b)).as("seed %d, push %d: the same file order", seed, p).isEqualTo(files(a));
        assertThat(files(b).getLast()).isEqualTo(canonical(sparkFile.getFileName().toString()));
        assertThat(files(a).getLast()).isEqualTo(canonical(duckFile.getFileName().toString()));
        if (origin instanceof Origin.Push && r.nextBoolean()) { // a retry writes nothing more
          int n = files(b).size();
          assertThat(spark.push("txns", columns, Pusher.Target.OFFLINE, origin).offlineFile()).isEqualTo(sparkFile);
          assertThat(duck.push("txns", columns, Pusher.Target.OFFLINE, origin).offlineFile()).isEqualTo(duckFile);
          assertThat(files(b)).hasSize(n);
        }
      }
      List<Object[]> after = trainingSet(spark, b, all);
      assertThat(after).as("seed %d: the pushes changed the training set", seed)
          .anySatisfy(row -> assertThat(before.stream().noneMatch(old -> sameRow(old, row))).isTrue());
      DuckDbSparkDifferentialTest.assertSameTrainingSet(seed, "after offline pushes", duck, spark, request(a, all), request(b, all));
      for (FeatureRepo repo : List.of(duck, spark)) {
        repo.materialize(List.of(), T0.minus(Duration.ofDays(1)), END, QUIET, "test");
      }
      DuckDbSparkDifferentialTest.assertSameOnlineState(seed, data, duck, spark);
    }
  }

  /**
   * A batch of rows for the txns source: some tie an existing row's keys, event and created time
   * (the pushed row must win as the later file), some values null.
   */
  private static Map<String, List<Object>> batch(DifferentialRepo data, Random r) {
    List<Object[]> existing = data.txnFiles.values().stream().flatMap(List::stream)
        .filter(row -> row[0] != null && row[1] != null && row[2] != null && row[3] != null && row[4] != null).toList();
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (var c : TXN_COLUMNS) {
      columns.put(c.name(), new ArrayList<>()); // every view over the source needs its columns
    }
    int rows = 1 + r.nextInt(12);
    for (int i = 0; i < rows; i++) {
      Object[] tie = existing.get(r.nextInt(existing.size()));
      boolean ties = r.nextInt(2) == 0;
      Instant e = ties ? (Instant) tie[4] : T0.plus(Duration.ofMinutes(15L * r.nextInt(4 * 6 * 24)));
      Object[] row = {ties ? tie[0] : (long) r.nextInt(data.users), ties ? tie[1] : MERCHANTS.get(r.nextInt(3)),
          ties ? tie[2] : DEVICES.get(r.nextInt(3)), ties ? tie[3] : r.nextInt(5), e,
          ties ? tie[5] : r.nextInt(3) == 0 ? null : e.plusSeconds(r.nextInt(2)),
          r.nextInt(8) == 0 ? null : 1000 + r.nextDouble() * 100, r.nextInt(8) == 0 ? null : 70 + r.nextInt(30),
          r.nextInt(8) == 0 ? null : 1_000_000L + r.nextInt(1000), r.nextInt(6) == 0 ? null : "pushed" + r.nextInt(3),
          r.nextInt(6) == 0 ? null : r.nextBoolean()};
      for (int c = 0; c < TXN_COLUMNS.size(); c++) {
        columns.get(TXN_COLUMNS.get(c).name()).add(row[c]);
      }
    }
    return columns;
  }

  private static HistoricalRequest request(Path repo, List<FeatureRef> all) {
    return HistoricalRequest.ofFeatures(new QueryInput.Files(repo.resolve("data/query.parquet").toString(), FileFormat.PARQUET), all)
        .withFullFeatureNames(true);
  }

  private static List<Object[]> trainingSet(FeatureRepo repo, Path dir, List<FeatureRef> all) {
    List<Object[]> out = new ArrayList<>();
    try (HistoricalRows rows = repo.getHistoricalFeatures(request(dir, all))) {
      rows.forEachRemaining(out::add);
    }
    return out;
  }

  private static boolean sameRow(Object[] a, Object[] b) {
    for (int i = 0; i < a.length; i++) {
      if (!DuckDbSparkDifferentialTest.same(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }

  /** The txns source's file names in path order, pushed ones without their time and random id. */
  private static List<String> files(Path repo) throws Exception {
    try (Stream<Path> s = Files.list(repo.resolve("data/txns"))) {
      return s.sorted().map(p -> canonical(p.getFileName().toString())).toList();
    }
  }

  private static String canonical(String name) {
    return name.replaceAll("push-\\d{8}T\\d{9}-(?!key-)[0-9a-f]{8}\\.", "push-ID.").replaceAll("push-\\d{8}T\\d{9}-", "push-");
  }
}
