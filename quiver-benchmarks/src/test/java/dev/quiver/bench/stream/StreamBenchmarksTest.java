package dev.quiver.bench.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream benchmarks at a tiny scale, end to end (a real broker in a JVM of its own, the real
 * consumer, RocksDB, and for freshness the real server): they run, their read-back checks pass
 * (IngestBenchmark throws when an online value differs from what was produced), and they report what
 * they measured. Keeps the lead's rerun commands working as the write path changes under them.
 */
class StreamBenchmarksTest {
  @TempDir Path dir;

  private static String run(ThrowingRun benchmark) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      benchmark.run(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  private interface ThrowingRun {
    void run(PrintStream out) throws Exception;
  }

  @Test
  void ingestWritesEveryEventWithAndWithoutAggregatesAndReportsTheRate() throws Exception {
    String out = run(o -> IngestBenchmark.run(new String[] {dir.toString(), "--events", "3000", "--users", "200",
        "--runs", "1", "--stores", "rocksdb"}, o));

    assertThat(out).contains("3,000 events (200 users) produced");
    assertThat(out).containsPattern("run 1/1, rocksdb, columns: 3,000 events in [0-9.]+ s = [0-9,]+ events/s");
    assertThat(out).contains("read back 200 users: newest seq as produced");
    assertThat(out).contains("read back 200 users: newest seq and txn_count_1d as produced");
    assertThat(out).containsPattern("\\| rocksdb, columns \\| [0-9,]+ \\|");
    assertThat(out).containsPattern("\\| rocksdb, aggregates \\| [0-9,]+ \\|");
  }

  @Test
  void freshnessFollowsEverySampleUntilTheServerReturnsIt() throws Exception {
    String out = run(o -> FreshnessBenchmark.run(new String[] {dir.toString(), "--rate", "200", "--load-rate", "50",
        "--users", "100", "--warmup-s", "1", "--duration-s", "3", "--sample", "10", "--patience-s", "60"}, o));

    assertThat(out).contains("first event served");
    Matcher m = Pattern.compile("over ([0-9,]+) samples; ([0-9,]+) not seen").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(Integer.parseInt(m.group(1).replace(",", ""))).as("1 in 10 of 3 s at 200 events/s").isBetween(55, 61);
    assertThat(m.group(2)).as("every sample became servable").isEqualTo("0");
    assertThat(out).containsPattern("server under the same run: 50 req/s .* ok [0-9,]+");
  }
}
