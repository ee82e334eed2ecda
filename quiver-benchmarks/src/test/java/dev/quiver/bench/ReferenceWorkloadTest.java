package dev.quiver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workload builds at a small scale, is reused when unchanged, and a training set runs over it. */
class ReferenceWorkloadTest {

  @Test
  void buildsReusesAndRuns(@TempDir Path dir) throws Exception {
    ReferenceWorkload w = new ReferenceWorkload(dir, 5_000, 500, 7);
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    assertThat(w.prepare(log)).isTrue();
    assertThat(w.prepare(log)).as("second prepare reuses the files").isFalse();
    assertThat(Files.readString(dir.resolve("workload.json"))).contains("\"user_merchant_txn\"", "\"query_id\"");

    assertThat(TrainingSetBenchmark.run(w, p -> {})).isEqualTo(500);
    assertThat(w.output()).isRegularFile();

    Path parts = dir.resolve("out/train");
    assertThat(TrainingSetBenchmark.run(w, parts, p -> {})).as("a directory of parts").isEqualTo(500);
    assertThat(parts.resolve("part-00000.parquet")).isRegularFile();
  }

  @Test
  void pointsTheRepoAtSparkWithSettingsAndBack(@TempDir Path dir) throws Exception {
    ReferenceWorkload w = new ReferenceWorkload(dir, 2_000, 100, 7);
    w.prepare(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    Path yaml = w.repo().resolve("quiver.yaml");

    w.useEngine("spark", "local[1]", java.util.Map.of("spark.driver.maxResultSize", "32m"));
    assertThat(Files.readAllLines(yaml)).contains(
        "offline: {engine: spark, master: 'local[1]', conf: {\"spark.driver.maxResultSize\": \"32m\"}}");
    try (var repo = dev.quiver.core.repo.FeatureRepo.open(w.repo())) {
      assertThat(repo.registry().latest()).as("the edited quiver.yaml still opens").isPresent();
    }

    w.useEngine("duckdb", "ignored");
    assertThat(Files.readAllLines(yaml)).contains("offline: {engine: duckdb}").noneMatch(l -> l.contains("spark"));
  }
}
