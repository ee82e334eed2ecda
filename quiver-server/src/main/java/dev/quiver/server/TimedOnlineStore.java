package dev.quiver.server;

import dev.quiver.core.online.OnlineStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.function.Supplier;

/** An online store that records the latency and failures of reads and writes. Thread-safe. */
final class TimedOnlineStore implements OnlineStore {
  private final OnlineStore store;
  private final Timer gets;
  private final Timer puts;
  private final Counter getErrors;
  private final Counter putErrors;

  TimedOnlineStore(OnlineStore store, ServerMetrics metrics) {
    this.store = store;
    this.gets = metrics.storeTimer("multi_get");
    this.puts = metrics.storeTimer("multi_put");
    this.getErrors = metrics.storeErrors("multi_get");
    this.putErrors = metrics.storeErrors("multi_put");
  }

  @Override
  public void createTable(String table) {
    store.createTable(table);
  }

  @Override
  public void dropTable(String table) {
    store.dropTable(table);
  }

  @Override
  public List<byte[]> multiGet(String table, List<byte[]> keys) {
    return timed(gets, getErrors, () -> store.multiGet(table, keys));
  }

  @Override
  public int multiPutIfNewer(String table, List<Entry> entries) {
    return timed(puts, putErrors, () -> store.multiPutIfNewer(table, entries));
  }

  @Override
  public int multiPutIfNotOlder(String table, List<Entry> entries) {
    return timed(puts, putErrors, () -> store.multiPutIfNotOlder(table, entries));
  }

  @Override
  public void multiPut(String table, List<Entry> entries) {
    timed(puts, putErrors, () -> {
      store.multiPut(table, entries);
      return entries.size();
    });
  }

  /**
   * The wrapped store's own compare-and-set (Redis's script, RocksDB's under its key stripes): the
   * interface's default is atomic only against other callers of that default in this JVM.
   */
  @Override
  public boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
    return timed(puts, putErrors, () -> store.multiCompareAndSet(table, swaps));
  }

  @Override
  public VersionedRows readForSwap(String table, List<byte[]> keys) {
    return timed(gets, getErrors, () -> store.readForSwap(table, keys));
  }

  @Override
  public void delete(String table, List<byte[]> keys) {
    store.delete(table, keys);
  }

  @Override
  public void check() {
    store.check();
  }

  @Override
  public boolean inProcess() {
    return store.inProcess();
  }

  /** The wrapped store is owned by the feature repo, which closes it. */
  @Override
  public void close() {}

  private static <T> T timed(Timer timer, Counter errors, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } catch (RuntimeException e) {
      errors.increment();
      throw e;
    } finally {
      timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }
}
