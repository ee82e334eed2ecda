package dev.quiver.offline.spark;

import static dev.quiver.offline.spark.DifferentialRepo.END;
import static dev.quiver.offline.spark.DifferentialRepo.FEATURES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.repo.Reproduction;
import dev.quiver.core.repo.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training sets written as Parquet dataset directories ({@code --out DIR/}): Spark's parts (several,
 * written by the executors) and DuckDB's (one), read back in file-name order as a reader reads
 * {@code dir/*.parquet}, equal the DuckDB engine's streamed rows row for row in query order
 * (randomized repos, {@link DifferentialRepo}); a saved directory verifies, reproduces and detects a
 * changed part; a write interrupted after some parts were written leaves no target (nor its hidden
 * directory) and keeps the previous set.
 */
class SparkDatasetOutputTest {
  /** Spark's adaptive execution would merge these small tests' partitions into one; at scale it keeps several. */
  private static final String SPARK = "{engine: spark, master: 'local[2]', conf: {spark.sql.adaptive.coalescePartitions.enabled: false}}";

  @TempDir Path tmp;

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, Long.getLong("quiver.diff.seeds", 2)).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void directoriesHoldTheRowsInQueryOrder(long seed) throws Exception {
    DifferentialRepo data = new DifferentialRepo(seed);
    data.writeData(tmp.resolve("src"));
    Path a = data.repo(tmp.resolve("duckdb"), tmp.resolve("src"), "{engine: duckdb}");
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), SPARK);
    try (FeatureRepo duck = open(a); FeatureRepo spark = open(b)) {
      List<Object[]> want;
      try (HistoricalRows rows = duck.getHistoricalFeatures(request(a))) {
        want = all(rows);
      }
      DoubleAccumulator highest = new DoubleAccumulator(Math::max, -1);
      List<Double> reported = java.util.Collections.synchronizedList(new ArrayList<>());
      TrainingSet s = spark.writeHistoricalFeatures(request(b), b.resolve("out/train"), p -> {
        reported.add(p);
        highest.accumulate(p);
      }, null, "test");
      TrainingSet d = duck.writeHistoricalFeatures(request(a), a.resolve("out/train"), p -> {}, null, "test");
      List<Path> sparkParts = DatasetDirectory.parts(s.output());
      assertThat(sparkParts).as("seed %d: Spark's parts", seed).hasSizeGreaterThan(1);
      assertThat(DatasetDirectory.parts(d.output())).hasSize(1);
      try (Stream<Path> files = Files.list(s.output())) {
        assertThat(files.toList()).as("nothing but parts").hasSameSizeAs(sparkParts);
      }
      assertThat(s.rows()).isEqualTo(want.size());
      assertThat(d.rows()).isEqualTo(want.size());
      assertThat(highest.get()).isEqualTo(100);
      assertThat(reported).as("progress between 0 and 100: %s", reported).anyMatch(p -> p > 0 && p < 100);
      assertThat(tmp.resolve("spark/out").toFile().list()).containsExactly("train");
      for (Path dir : List.of(s.output(), d.output())) {
        List<Object[]> got;
        try (HistoricalRows rows = duck.offline().read(dir.resolve("part-*.parquet"), FileFormat.PARQUET)) {
          got = all(rows);
        }
        assertThat(got).as("seed %d, %s", seed, dir).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
          for (int c = 0; c < want.get(i).length; c++) {
            if (!DuckDbSparkDifferentialTest.same(want.get(i)[c], got.get(i)[c])) {
              throw new AssertionError("seed %d, %s: row %d column %d: streamed %s, read back %s".formatted(seed, dir, i, c,
                  want.get(i)[c], got.get(i)[c]));
            }
          }
        }
      }
    }
  }

  @Test
  void aSavedDirectoryVerifiesReproducesAndDetectsAChangedPart() throws Exception {
    DifferentialRepo data = new DifferentialRepo(3);
    data.writeData(tmp.resolve("src"));
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), SPARK);
    try (FeatureRepo spark = open(b)) {
      TrainingSet s = spark.writeHistoricalFeatures(request(b), b.resolve("sets/train"), p -> {}, "train", "test");
      assertThat(s.dataset().output()).isEqualTo("sets/train/");
      assertThat(spark.verifyDataset("train").identical()).isTrue();
      Reproduction again = spark.reproduceDataset("train", tmp.resolve("again"), p -> {});
      assertThat(again.identical()).as("same engine, same split, same bytes").isTrue();
      assertThatThrownBy(() -> spark.reproduceDataset("train", tmp.resolve("again.parquet"), p -> {}))
          .isInstanceOf(QuiverException.class).hasMessageContaining("saved as a training set directory");

      List<Path> parts = DatasetDirectory.parts(s.output());
      assertThat(parts).hasSizeGreaterThan(1);
      Path last = parts.getLast();
      Files.copy(parts.getFirst(), last, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // a part replaced
      Reproduction check = spark.verifyDataset("train");
      assertThat(check.identical()).isFalse();
      assertThat(check.fingerprint()).isNotEqualTo(s.dataset().outputFingerprint());
      Files.delete(last); // a part gone
      assertThat(spark.verifyDataset("train").identical()).isFalse();
    }
  }

  @Test
  void anInterruptedWriteLeavesNoTargetAndKeepsThePreviousOne() throws Exception {
    DifferentialRepo data = new DifferentialRepo(4);
    data.writeData(tmp.resolve("src"));
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), SPARK);
    Files.writeString(b.resolve("features/failing.yaml"), """
        on_demand_views:
          - name: failing
            inputs: [user_txn]
            features:
              - {name: amount, transform: dev.quiver.offline.spark.FailingTransform, args: [user_txn.amount]}
        """);
    List<FeatureRef> refs = new ArrayList<>(request(b).features());
    refs.add(FeatureRef.of("failing:amount"));
    HistoricalRequest request = HistoricalRequest.ofFeatures(request(b).query(), refs).withFullFeatureNames(true);
    try (FeatureRepo spark = open(b)) {
      Path target = b.resolve("out/train");
      FailingTransform.armed = true; // every executor task fails: as executors lost mid-write
      try {
        assertThatThrownBy(() -> spark.writeHistoricalFeatures(request, target, p -> {}, null, "test"))
            .isInstanceOf(QuiverException.class);
        assertThat(target).doesNotExist();
        assertThat(DatasetDirectory.temp(target)).doesNotExist();

        FailingTransform.armed = false;
        TrainingSet first = spark.writeHistoricalFeatures(request, target, p -> {}, null, "test");
        List<String> before = fingerprints(first.output());
        assertThat(before).hasSizeGreaterThan(1);
        FailingTransform.armed = true;
        assertThatThrownBy(() -> spark.writeHistoricalFeatures(request, target, p -> {}, null, "test"))
            .isInstanceOf(QuiverException.class);
        assertThat(fingerprints(target)).as("the previous set, untouched").isEqualTo(before);
        assertThat(DatasetDirectory.temp(target)).doesNotExist();
      } finally {
        FailingTransform.armed = false;
      }
    }
  }

  @Test
  void aDirectoryThatIsNotATrainingSetIsNotReplaced() throws Exception {
    DifferentialRepo data = new DifferentialRepo(5);
    data.writeData(tmp.resolve("src"));
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), SPARK);
    try (FeatureRepo spark = open(b)) {
      Path notes = Files.createDirectories(b.resolve("notes"));
      Files.writeString(notes.resolve("todo.txt"), "keep me");
      assertThatThrownBy(() -> spark.writeHistoricalFeatures(request(b), notes, p -> {}, null, "test"))
          .isInstanceOf(QuiverException.class).hasMessageContaining("todo.txt").hasMessageContaining("choose another --out");
      assertThat(notes.resolve("todo.txt")).hasContent("keep me");
    }
  }

  private static List<String> fingerprints(Path dir) throws Exception {
    List<String> out = new ArrayList<>();
    for (Path p : DatasetDirectory.parts(dir)) {
      out.add(p.getFileName() + " " + java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
    }
    return out;
  }

  private static HistoricalRequest request(Path repo) {
    List<FeatureRef> refs = new ArrayList<>();
    for (String v : List.of("user_txn", "user_agg", "pair_txn", "risk")) {
      FEATURES.get(v).forEach(f -> refs.add(FeatureRef.of(v + ":" + f)));
    }
    return HistoricalRequest.ofFeatures(new QueryInput.Files(repo.resolve("data/query.parquet").toString(), FileFormat.PARQUET),
        refs).withFullFeatureNames(true);
  }

  private static List<Object[]> all(HistoricalRows rows) {
    List<Object[]> out = new ArrayList<>();
    rows.forEachRemaining(out::add);
    return out;
  }

  private static FeatureRepo open(Path dir) {
    FeatureRepo r = FeatureRepo.open(dir, Clock.fixed(END.plus(Duration.ofDays(1)), ZoneOffset.UTC));
    r.apply(r.plan(false), "test", "first", false);
    return r;
  }
}
