package dev.quiver.bench.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read-back check of MaterializeBenchmark: key sampling and the byte comparison. */
class SampleTest {

  @Test
  void samplesSpreadOverTheSortedKeys() {
    long[] keys = new long[1_000];
    Arrays.setAll(keys, i -> 10L * i);

    assertThat(Sample.of(keys, 4)).containsExactly(0, 2_500, 5_000, 7_500);
    assertThat(Sample.of(keys, 5_000)).as("all of them when fewer").isEqualTo(keys);
  }

  @Test
  void aDifferentByteAMissingRowOrAnotherRowCountFails() {
    long[] keys = {1, 2, 3};
    Sample duck = sample("duckdb", keys, 10, new byte[] {1}, new byte[] {2}, null);

    assertThat(sample("spark", keys, 10, new byte[] {1}, new byte[] {2}, null).matches(duck, quiet(), "t")).isTrue();
    assertThat(sample("spark", keys, 10, new byte[] {1}, new byte[] {3}, null).matches(duck, quiet(), "t")).isFalse();
    assertThat(sample("spark", keys, 10, new byte[] {1}, null, null).matches(duck, quiet(), "t")).isFalse();
    assertThat(sample("spark", keys, 10, new byte[] {1}, new byte[] {2}, new byte[] {4}).matches(duck, quiet(), "t")).isFalse();
    assertThat(sample("spark", keys, 11, new byte[] {1}, new byte[] {2}, null).matches(duck, quiet(), "t")).isFalse();
  }

  private static Sample sample(String engine, long[] keys, long rowsWritten, byte[]... stored) {
    Sample s = new Sample(engine, keys);
    s.stored(Arrays.asList(stored));
    s.rowsWritten = rowsWritten;
    return s;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
