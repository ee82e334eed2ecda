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
  }
}
