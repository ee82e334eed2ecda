package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tile rows are written with compare-and-set: a writer whose row another writer changed between its
 * read and its write reads and merges again, so neither update is lost; a key that never settles is
 * a clear error.
 */
class TileRowsTest {
  private static final String TABLE = "p.v@v1.tiles";
  private static final byte[] KEY = {1, 2, 3};

  /** A store where another writer appends to the row right after each of the first {@code interruptions} reads. */
  static final class ContendedStore extends OnlineReaderTest.MapStore {
    final AtomicInteger interruptions;
    private boolean inside; // reads inside a compare-and-set are not interrupted

    @Override
    public boolean[] multiCompareAndSet(String table, List<OnlineStore.Swap> swaps) {
      boolean outer = inside;
      inside = true;
      try {
        return super.multiCompareAndSet(table, swaps);
      } finally {
        inside = outer;
      }
    }

    ContendedStore(int interruptions) {
      this.interruptions = new AtomicInteger(interruptions);
    }

    @Override
    public List<byte[]> multiGet(String table, List<byte[]> keys) {
      List<byte[]> read = super.multiGet(table, keys);
      if (table.equals(TABLE) && !inside && interruptions.getAndDecrement() > 0) {
        List<OnlineStore.Swap> other = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
          other.add(new OnlineStore.Swap(keys.get(i), read.get(i), append(read.get(i), "other")));
        }
        assertThat(multiCompareAndSet(table, other)).containsOnly(true);
      }
      return read;
    }
  }

  private static byte[] append(byte[] row, String what) {
    String text = row == null ? what : new String(row, StandardCharsets.UTF_8) + "," + what;
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aWriterThatLostTheRaceMergesAgainAndNothingIsLost() {
    ContendedStore store = new ContendedStore(3);
    store.createTable(TABLE);
    AtomicInteger calls = new AtomicInteger();
    int written = TileRows.swap(store, TABLE, List.of(KEY), (i, stored) -> {
      calls.incrementAndGet();
      return append(stored, "mine");
    });
    assertThat(written).isEqualTo(1);
    assertThat(calls.get()).as("merged again after each lost swap").isEqualTo(4);
    assertThat(new String(store.multiGet(TABLE, List.of(KEY)).getFirst(), StandardCharsets.UTF_8))
        .isEqualTo("other,other,other,mine");
  }

  @Test
  void rowsReadBeforeAreSwappedAgainstAndAStaleOneIsReadAgain() {
    ContendedStore store = new ContendedStore(0);
    store.createTable(TABLE);
    byte[] other = {9};
    store.multiPut(TABLE, List.of(new OnlineStore.Entry(KEY, "first".getBytes(StandardCharsets.UTF_8))));
    List<byte[]> read = store.multiGet(TABLE, List.of(KEY, other)); // as a push's check reads them
    // another writer changes KEY after that read: its swap fails and it is read and merged again
    store.multiPut(TABLE, List.of(new OnlineStore.Entry(KEY, "first,other".getBytes(StandardCharsets.UTF_8))));
    List<String> seen = new ArrayList<>();
    int written = TileRows.swap(store, TABLE, List.of(KEY, other), read, (i, stored) -> {
      seen.add(i + ":" + (stored == null ? null : new String(stored, StandardCharsets.UTF_8)));
      return append(stored, "mine");
    });
    assertThat(written).isEqualTo(2);
    assertThat(seen).as("the rows given are used first, the stale one read again")
        .containsExactly("0:first", "1:null", "0:first,other");
    assertThat(new String(store.multiGet(TABLE, List.of(KEY)).getFirst(), StandardCharsets.UTF_8))
        .isEqualTo("first,other,mine");
    assertThat(new String(store.multiGet(TABLE, List.of(other)).getFirst(), StandardCharsets.UTF_8)).isEqualTo("mine");
    assertThatThrownBy(() -> TileRows.swap(store, TABLE, List.of(KEY), List.of(), (i, stored) -> stored))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyThatNeverSettlesIsAClearError() {
    ContendedStore store = new ContendedStore(Integer.MAX_VALUE);
    store.createTable(TABLE);
    assertThatThrownBy(() -> TileRows.swap(store, TABLE, List.of(KEY), (i, stored) -> append(stored, "mine")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("kept changing under other writers through " + TileRows.ATTEMPTS + " compare-and-set rounds")
        .hasMessageContaining("write again");
  }

  @Test
  void anUnchangedRowIsNotWritten() {
    OnlineReaderTest.MapStore store = new OnlineReaderTest.MapStore();
    store.createTable(TABLE);
    store.multiPut(TABLE, List.of(new OnlineStore.Entry(KEY, new byte[] {9})));
    assertThat(TileRows.swap(store, TABLE, List.of(KEY), (i, stored) -> stored)).isZero();
    assertThat(TileRows.swap(store, TABLE, List.of(KEY), (i, stored) -> null)).isZero();
  }
}
