package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedOnlineStoreTest {

  /** Records which calls reach it; answers swaps as the store's own (here: refused) and reads with versions. */
  private static final class Recording implements OnlineStore {
    final List<String> calls = new ArrayList<>();

    @Override
    public void createTable(String table) {}

    @Override
    public void dropTable(String table) {}

    @Override
    public int multiPutIfNewer(String table, List<Entry> entries) {
      calls.add("multiPutIfNewer " + table);
      return 0;
    }

    @Override
    public int multiPutIfNotOlder(String table, List<Entry> entries) {
      calls.add("multiPutIfNotOlder " + table);
      return 0;
    }

    @Override
    public void delete(String table, List<byte[]> keys) {
      calls.add("delete " + table);
    }

    @Override
    public void check() {}

    @Override
    public void close() {}

    @Override
    public boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
      calls.add("multiCompareAndSet " + table + " " + swaps.size() + " version " + swaps.getFirst().readVersion());
      return new boolean[swaps.size()];
    }

    @Override
    public VersionedRows readForSwap(String table, List<byte[]> keys) {
      calls.add("readForSwap " + table + " " + keys.size());
      return new VersionedRows(java.util.Arrays.asList(new byte[][] {{1}}), new long[] {42});
    }

    @Override
    public List<byte[]> multiGet(String table, List<byte[]> keys) {
      calls.add("multiGet " + table);
      return java.util.Arrays.asList(new byte[keys.size()][]);
    }

    @Override
    public void multiPut(String table, List<Entry> entries) {
      calls.add("multiPut " + table);
    }
  }

  @Test
  void swapsAndVersionedReadsReachTheWrappedStoresOwnImplementation() {
    Recording inner = new Recording();
    OnlineStore timed = new TimedOnlineStore(inner, new ServerMetrics());

    OnlineStore.VersionedRows read = timed.readForSwap("t", List.of(new byte[] {7}));
    boolean[] done = timed.multiCompareAndSet("t", List.of(new OnlineStore.Swap(new byte[] {7}, read.rows().getFirst(),
        new byte[] {2}, read.versions()[0])));

    // the interface's defaults would read with multiGet and write with multiPut (a swap atomic only in this JVM)
    assertThat(inner.calls).containsExactly("readForSwap t 1", "multiCompareAndSet t 1 version 42");
    assertThat(done).containsExactly(false);
    assertThat(read.versions()).containsExactly(42);
  }
}
