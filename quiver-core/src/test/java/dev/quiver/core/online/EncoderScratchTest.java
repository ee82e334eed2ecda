package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Rows are encoded into a buffer each thread reuses ({@link RowEncoding#encode}) and positions reuse
 * a stream's escaped name: a row encoded after a longer one, or after another stream's, must be the
 * bytes it has alone, and no returned array may share the buffer.
 */
class EncoderScratchTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final List<String> NAMES = List.of("s", "n");
  private static final List<ValueType> TYPES = List.of(ScalarType.STRING, ScalarType.INT64);

  private static byte[] shortRow() {
    return RowEncoding.encode(T, null, new RowPosition.Streamed("orders", 1, 7), NAMES, TYPES, List.of("a", 1L));
  }

  @Test
  void aRowEncodedAfterALongerOneIsTheSameBytesAsAlone() throws InterruptedException {
    AtomicReference<byte[]> alone = new AtomicReference<>();
    Thread fresh = new Thread(() -> alone.set(shortRow()));
    fresh.start();
    fresh.join();

    byte[] longRow = RowEncoding.encode(T, T, new RowPosition.Streamed("other\0stream", 3, 9), NAMES, TYPES,
        List.of("x".repeat(5000), 2L));
    byte[] again = shortRow();
    assertThat(again).isEqualTo(alone.get());
    assertThat(RowEncoding.decode(longRow).get("s")).isEqualTo("x".repeat(5000));
    assertThat(RowEncoding.decode(longRow).position()).isEqualTo(new RowPosition.Streamed("other\0stream", 3, 9));
    assertThat(RowEncoding.decode(again).position()).isEqualTo(new RowPosition.Streamed("orders", 1, 7));

    byte[] next = shortRow();
    java.util.Arrays.fill(again, (byte) 0); // the arrays returned are the caller's own
    assertThat(next).isEqualTo(alone.get());
    assertThat(shortRow()).isEqualTo(alone.get());
  }
}
