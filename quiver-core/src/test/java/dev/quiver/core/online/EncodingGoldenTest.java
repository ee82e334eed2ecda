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
  private static final Path GOLDEN = Path.of("src/test/resources/online/encoding-golden-v2.txt");
  /** Rows of format 1, written before row positions existed: still read. */
  private static final Path GOLDEN_V1 = Path.of("src/test/resources/online/encoding-golden-v1.txt");
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
    out.add("row in file: " + hex(RowEncoding.encode(T, null, new RowPosition.InFile("data/txns/part-1.parquet", 7),
        List.of("x"), List.of(ScalarType.INT64), List.of(5L))));
    out.add("row pushed: " + hex(RowEncoding.encode(T, T, new RowPosition.Pushed(1_772_368_496_789_012L),
        List.of("x"), List.of(ScalarType.INT64), List.of(5L))));
    out.add("row streamed: " + hex(RowEncoding.encode(T, T, new RowPosition.Streamed("localhost:9092/txns", 3, 1234),
        List.of("x"), List.of(ScalarType.INT64), List.of(5L))));
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
  void rowsOfFormat1AreStillReadWithTheSmallestPosition() throws IOException {
    java.util.Map<String, byte[]> rows = new java.util.HashMap<>();
    for (String line : Files.readAllLines(GOLDEN_V1)) {
      int colon = line.indexOf(": ");
      rows.put(line.substring(0, colon), HexFormat.of().parseHex(line.substring(colon + 2)));
    }
    byte[] all = rows.get("row all types");
    RowEncoding.Decoded d = RowEncoding.decode(all);
    assertThat(d.eventTime()).isEqualTo(T);
    assertThat(d.createdTime()).isEqualTo(T.plusSeconds(1));
    assertThat(d.position()).isEqualTo(RowPosition.NONE);
    assertThat(d.get("s")).isEqualTo("zürich");
    assertThat(d.get("list")).isEqualTo(Arrays.asList(0.5f, null, -1f));
    assertThat(RowEncoding.decode(rows.get("row no created")).get("x")).isEqualTo(true);
    assertThat(RowEncoding.hasOrderKey(all)).isTrue();
    // the same times: a format 2 row with any position is newer, one with none is the same
    byte[] none = RowEncoding.encode(T, T.plusSeconds(1), List.of(), List.of(), List.of());
    byte[] inFile = RowEncoding.encode(T, T.plusSeconds(1), new RowPosition.InFile("a", 0), List.of(), List.of(), List.of());
    assertThat(RowEncoding.compareOrder(none, all)).isZero();
    assertThat(RowEncoding.isNewer(inFile, all)).isTrue();
    assertThat(RowEncoding.isNewer(all, inFile)).isFalse();
  }

  @Test
  void positionsRoundTrip() {
    for (RowPosition p : List.of(RowPosition.NONE, new RowPosition.InFile("data/a\u0000b é.parquet", 42),
        new RowPosition.Pushed(-5), new RowPosition.Pushed(Long.MAX_VALUE), new RowPosition.Streamed("k:1/t", 0, 0))) {
      assertThat(RowEncoding.decode(RowEncoding.encode(T, null, p, List.of(), List.of(), List.of())).position()).isEqualTo(p);
    }
  }

  /**
   * The tie order in bytes: file rows by path (a path before the paths it prefixes), then row;
   * pushed rows after every file row, by sequence; streamed rows after pushed ones.
   */
  @Test
  void positionBytesSortInTheTieOrder() {
    List<RowPosition> ascending = List.of(RowPosition.NONE,
        new RowPosition.InFile("", 0),
        new RowPosition.InFile("a", 0), new RowPosition.InFile("a", 1), new RowPosition.InFile("a", Long.MAX_VALUE),
        new RowPosition.InFile("a\u0000", 0), new RowPosition.InFile("a\u0000\u0000", 0), new RowPosition.InFile("a\u0001", 0),
        new RowPosition.InFile("a/b", 0), new RowPosition.InFile("ab", 0), new RowPosition.InFile("b", 0),
        new RowPosition.InFile("é", 0), new RowPosition.InFile("\uffff", 0),
        new RowPosition.Pushed(Long.MIN_VALUE), new RowPosition.Pushed(-1), new RowPosition.Pushed(0),
        new RowPosition.Pushed(Long.MAX_VALUE),
        new RowPosition.Streamed("", 0, 0), new RowPosition.Streamed("s", 0, 0), new RowPosition.Streamed("s", 0, 1),
        new RowPosition.Streamed("s", 1, 0), new RowPosition.Streamed("s", Integer.MAX_VALUE, 0), new RowPosition.Streamed("t", 0, 0));
    for (int i = 0; i < ascending.size(); i++) {
      for (int j = 0; j < ascending.size(); j++) {
        byte[] a = RowEncoding.encode(T, T, ascending.get(i), List.of("x"), List.of(ScalarType.INT64), List.of((long) j));
        byte[] b = RowEncoding.encode(T, T, ascending.get(j), List.of("x"), List.of(ScalarType.INT64), List.of((long) i));
        assertThat(Integer.signum(RowEncoding.compareOrder(a, b))).as("%s vs %s", ascending.get(i), ascending.get(j))
            .isEqualTo(Integer.compare(i, j));
        assertThat(RowEncoding.isNewer(a, b)).isEqualTo(i > j);
        assertThat(RowEncoding.isNotOlder(a, b)).isEqualTo(i >= j);
      }
    }
    // the times come first: an older row never wins by position
    byte[] older = RowEncoding.encode(T.minusNanos(1000), T, new RowPosition.Streamed("z", 9, 9), List.of(), List.of(), List.of());
    byte[] newer = RowEncoding.encode(T, null, RowPosition.NONE, List.of(), List.of(), List.of());
    assertThat(RowEncoding.isNewer(newer, older)).isTrue();
  }

  @Test
  void pushSequencesIncrease() {
    long a = RowPosition.nextPushes(3);
    long b = RowPosition.nextPushes(1);
    assertThat(b).isGreaterThanOrEqualTo(a + 3);
    assertThat(a).isGreaterThan(java.time.Instant.parse("2020-01-01T00:00:00Z").toEpochMilli() * 1000);
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
