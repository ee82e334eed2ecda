package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Locks the online key and row formats: the bytes of fixed examples must equal the golden file, so a
 * change to the format is a deliberate, versioned act (-Dquiver.golden.update=true rewrites it).
 */
class EncodingGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/online/encoding-golden-v1.txt");
  private static final Instant T = Instant.parse("2026-03-01T12:34:56.789012Z");

  static List<String> examples() {
    List<String> out = new ArrayList<>();
    out.add("key int64 42: " + hex(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(42L))));
    out.add("key int32 42: " + hex(KeyEncoding.encode(List.of(ScalarType.INT32), List.of(42))));
    out.add("key int64 -1: " + hex(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(-1L))));
    out.add("key string+int64: " + hex(KeyEncoding.encode(List.of(ScalarType.STRING, ScalarType.INT64), List.of("dévice", 7L))));
    out.add("key bytes,bool,float64,timestamp: " + hex(KeyEncoding.encode(
        List.of(ScalarType.BYTES, ScalarType.BOOL, ScalarType.FLOAT64, ScalarType.TIMESTAMP),
        List.of(new byte[] {1, 2, (byte) 255}, true, -0.0, T))));
    List<String> names = List.of("i32", "i64", "f32", "f64", "b", "s", "bytes", "ts", "list", "nul");
    List<ValueType> types = List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64,
        ScalarType.BOOL, ScalarType.STRING, ScalarType.BYTES, ScalarType.TIMESTAMP, new ListType(ScalarType.FLOAT32),
        ScalarType.STRING);
    List<Object> values = Arrays.asList(-7, 1L << 40, 1.5f, -2.25, false, "zürich", new byte[] {9}, T,
        Arrays.asList(0.5f, null, -1f), null);
    out.add("row all types: " + hex(RowEncoding.encode(T, T.plusSeconds(1), names, types, values)));
    out.add("row no created: " + hex(RowEncoding.encode(T, null, List.of("x"), List.of(ScalarType.BOOL), List.of(true))));
    return out;
  }

  @Test
  void bytesMatchTheGoldenFile() throws IOException {
    String actual = String.join("\n", examples()) + "\n";
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.writeString(GOLDEN, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  @Test
  void rowsRoundTrip() {
    List<String> names = List.of("a", "b", "c", "d");
    List<ValueType> types = List.of(ScalarType.INT64, ScalarType.STRING, new ListType(ScalarType.BOOL), ScalarType.TIMESTAMP);
    List<Object> values = Arrays.asList(5L, null, Arrays.asList(true, null, false), T);
    RowEncoding.Decoded d = RowEncoding.decode(RowEncoding.encode(T, null, names, types, values));
    assertThat(d.eventTime()).isEqualTo(T);
    assertThat(d.createdTime()).isNull();
    assertThat(d.get("a")).isEqualTo(5L);
    assertThat(d.has("b")).isTrue();
    assertThat(d.get("b")).isNull();
    assertThat(d.get("c")).isEqualTo(Arrays.asList(true, null, false));
    assertThat(d.get("d")).isEqualTo(T);
    assertThat(d.has("e")).isFalse();
  }

  @Test
  void intKeysOfEitherWidthAreEqualAndKeysRoundTrip() {
    assertThat(KeyEncoding.encode(List.of(ScalarType.INT32), List.of(42)))
        .isEqualTo(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(42L)));
    assertThat(KeyEncoding.decode(KeyEncoding.encode(List.of(ScalarType.STRING, ScalarType.INT64), List.of("x", 3L))))
        .containsExactly("x", 3L);
  }

  @Test
  void orderKeyBytesSortLikeTimes() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 10_000; i++) {
      Instant a = Instant.ofEpochSecond(random.nextLong(-5_000_000_000L, 5_000_000_000L), random.nextInt(1_000_000) * 1000L);
      Instant b = random.nextBoolean() ? a : Instant.ofEpochSecond(random.nextLong(-5_000_000_000L, 5_000_000_000L), random.nextInt(1_000_000) * 1000L);
      Instant ca = random.nextInt(5) == 0 ? null : a.plusMillis(random.nextInt(1000));
      Instant cb = random.nextInt(5) == 0 ? null : b.plusMillis(random.nextInt(1000));
      byte[] ra = RowEncoding.encode(a, ca, List.of(), List.of(), List.of());
      byte[] rb = RowEncoding.encode(b, cb, List.of(), List.of(), List.of());
      int byTime = a.compareTo(b) != 0 ? a.compareTo(b) : compareCreated(ca, cb);
      assertThat(RowEncoding.isNewer(ra, rb)).as("%s/%s vs %s/%s", a, ca, b, cb).isEqualTo(byTime > 0);
    }
  }

  private static int compareCreated(Instant a, Instant b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return a.compareTo(b);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
