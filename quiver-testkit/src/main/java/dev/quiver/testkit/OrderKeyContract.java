package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.core.online.RowPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How every {@link OnlineStore} decides between rows of one key (DESIGN §3, "Ties"): by the whole
 * order key of {@link RowEncoding} — event time, created time, then {@link RowPosition} — compared
 * unsigned, byte by byte, a key that is a prefix of another being the smaller; rows of format 1
 * (no position) still compare. A store's test extends this class and opens a fresh, empty store.
 */
public abstract class OrderKeyContract {
  private static final String TABLE = "ties.v@v1";
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  /** A format 1 row (event T, created T + 1 s, feature n = 0), as stores held it before positions. */
  private static final byte[] FORMAT_1 = format1();

  private static byte[] format1() {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 16 + 1 + 4 + 9);
    b.put(RowEncoding.VERSION_1);
    b.putLong(dev.quiver.core.model.Timestamps.toMicros(T) ^ Long.MIN_VALUE);
    b.putLong(dev.quiver.core.model.Timestamps.toMicros(T.plusSeconds(1)) ^ Long.MIN_VALUE);
    b.put((byte) 1).putInt("n".hashCode()).put((byte) 2).putLong(0);
    return b.array();
  }

  private OnlineStore store;

  /** A new, empty store; closed after each test. */
  protected abstract OnlineStore newStore();

  @BeforeEach
  final void open() {
    store = newStore();
    store.createTable(TABLE);
  }

  @AfterEach
  final void close() {
    store.close();
  }

  private static byte[] key(long id) {
    return KeyEncoding.encode(List.of(ScalarType.INT64), List.of(id));
  }

  private static byte[] row(Instant created, RowPosition position, long value) {
    return RowEncoding.encode(T, created, position, List.of("n"), List.of(ScalarType.INT64), List.of(value));
  }

  private long stored(long id) {
    return (Long) RowEncoding.decode(store.multiGet(TABLE, List.of(key(id))).getFirst()).get("n");
  }

  private int put(long id, byte[] row) {
    return store.multiPutIfNewer(TABLE, List.of(new Entry(key(id), row)));
  }

  @Test
  void equalTimesGoByPositionFilesThenPushesThenStreams() {
    assertThat(put(1, row(T, new RowPosition.InFile("data/b.parquet", 3), 1))).isEqualTo(1);
    assertThat(put(1, row(T, new RowPosition.InFile("data/a.parquet", 9), 2))).as("an earlier file").isZero();
    assertThat(put(1, row(T, new RowPosition.InFile("data/b.parquet", 2), 3))).as("an earlier row").isZero();
    assertThat(put(1, row(T, new RowPosition.InFile("data/b.parquet", 3), 4))).as("the same row").isZero();
    assertThat(put(1, row(T, new RowPosition.InFile("data/b.parquet/c", 0), 5))).as("a longer path").isEqualTo(1);
    assertThat(put(1, row(T, new RowPosition.Pushed(100), 6))).as("a push after every file").isEqualTo(1);
    assertThat(put(1, row(T, new RowPosition.InFile("zzz", Long.MAX_VALUE), 7))).isZero();
    assertThat(put(1, row(T, new RowPosition.Pushed(99), 8))).as("an earlier push").isZero();
    assertThat(put(1, row(T, new RowPosition.Streamed("k/t", 0, 5), 9))).isEqualTo(1);
    assertThat(put(1, row(T, new RowPosition.Streamed("k/t", 0, 5), 10))).as("a replayed event").isZero();
    assertThat(stored(1)).isEqualTo(9);
    // the times come first: a later created time beats any position
    assertThat(put(1, row(T.plusNanos(1000), RowPosition.NONE, 11))).isEqualTo(1);
    assertThat(stored(1)).isEqualTo(11);
  }

  @Test
  void aRowOfFormat1HasTheSmallestPosition() {
    store.multiPutIfNewer(TABLE, List.of(new Entry(key(2), FORMAT_1)));
    Instant created = RowEncoding.decode(FORMAT_1).createdTime();
    assertThat(put(2, row(created, RowPosition.NONE, 1))).as("equal: no position either").isZero();
    assertThat(store.multiGet(TABLE, List.of(key(2))).getFirst()).isEqualTo(FORMAT_1);
    assertThat(put(2, row(created, new RowPosition.InFile("a", 0), 2))).as("any position is later").isEqualTo(1);
    assertThat(stored(2)).isEqualTo(2);
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(key(2), FORMAT_1)))).isZero();
  }

  @Test
  void aRefillReplacesTheSameRowOnly() {
    RowPosition p = new RowPosition.InFile("data/a.parquet", 4);
    put(3, row(T, p, 1));
    assertThat(store.multiPutIfNotOlder(TABLE, List.of(new Entry(key(3), row(T, p, 2))))).isEqualTo(1);
    assertThat(store.multiPutIfNotOlder(TABLE, List.of(new Entry(key(3), row(T, new RowPosition.InFile("data/a.parquet", 3), 3)))))
        .isZero();
    assertThat(stored(3)).isEqualTo(2);
  }

  /** Random rows of a few keys, dense in ties, in batches: the store holds the greatest and counts as a sequence would. */
  @Test
  void randomBatchesKeepTheGreatestOrderKey() {
    Random random = new Random(19);
    List<RowPosition> positions = List.of(RowPosition.NONE, new RowPosition.InFile("a", 0), new RowPosition.InFile("a", 1),
        new RowPosition.InFile("a/b", 0), new RowPosition.InFile("a\u0000", 0), new RowPosition.InFile("é", 0),
        new RowPosition.Pushed(1), new RowPosition.Pushed(2), new RowPosition.Streamed("s", 0, 1), new RowPosition.Streamed("s", 1, 0));
    byte[][] greatest = new byte[8][];
    for (int batch = 0; batch < 60; batch++) {
      List<Entry> entries = new ArrayList<>();
      int expected = 0;
      for (int i = 0; i < 1 + random.nextInt(12); i++) {
        int k = random.nextInt(greatest.length);
        Instant created = random.nextInt(3) == 0 ? null : T.plusSeconds(random.nextInt(2));
        byte[] row = RowEncoding.encode(T.plusSeconds(random.nextInt(2)), created, positions.get(random.nextInt(positions.size())),
            List.of("n"), List.of(ScalarType.INT64), List.of((long) batch * 100 + i));
        if (greatest[k] == null || RowEncoding.compareOrder(row, greatest[k]) > 0) {
          greatest[k] = row;
          expected++;
        }
        entries.add(new Entry(key(k), row));
      }
      assertThat(store.multiPutIfNewer(TABLE, entries)).as("batch %d", batch).isEqualTo(expected);
    }
    List<byte[]> keys = new ArrayList<>();
    for (int k = 0; k < greatest.length; k++) {
      keys.add(key(k));
    }
    List<byte[]> got = store.multiGet(TABLE, keys);
    for (int k = 0; k < greatest.length; k++) {
      assertThat(got.get(k)).as("key %d", k).isEqualTo(greatest[k]);
    }
  }
}
