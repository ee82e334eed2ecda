package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.RowEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The behaviour every {@link OnlineStore} must have. A store's test extends this class and says how
 * to open one:
 *
 * <pre>{@code
 * class RocksDbOnlineStoreTest extends OnlineStoreContract {
 *   @TempDir Path dir;
 *   RocksDbOnlineStore last;
 *   @Override protected OnlineStore newStore() { return last = RocksDbOnlineStore.open(dir); }
 *   @Override protected OnlineStore reopen() { last.close(); return last = RocksDbOnlineStore.open(dir); }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #newStore()} once, first, and may later call {@link #reopen()}; from
 * then on it uses only the instance {@code reopen} returned. Every store either method returned is
 * closed after the test (so {@link OnlineStore#close()} may be called twice on one instance).
 *
 * <p>The cases live in the parts this class implements, each a test interface that reads on its
 * own:
 *
 * <ul>
 *   <li>{@link OnlineTableContract}: create and drop are idempotent, a dropped table comes back
 *       empty, tables are isolated;
 *   <li>{@link OnlineReadWriteContract}: nulls aligned with the keys for missing keys and missing
 *       tables, bytes round-trip exactly (keys and rows built with {@link KeyEncoding} and {@link
 *       RowEncoding}), plain puts and deletes;
 *   <li>{@link OnlineNewestWinsContract}: an older or equal order key never overwrites, a newer one
 *       does, whatever the order of arrival, also for several entries of one key in one batch, which
 *       are applied as if in sequence (the count returned is that of the sequence);
 *   <li>{@link OnlineRandomizedContract}: many shuffled batches with ties, null created times, times
 *       before 1970 and deletes, compared with a plain in-memory model; a failure names the seed
 *       ({@code -Dquiver.contract.seed=N} runs just that seed, {@code -Dquiver.contract.seeds=N}
 *       runs seeds 1 to N, default 8);
 *   <li>{@link OnlineBatchSizeContract}: 50,000 entries in one batch, 1 MB values, empty batches;
 *   <li>{@link OnlineCompareAndSetContract}: {@link OnlineStore#multiCompareAndSet} from absent,
 *       refused on any other bytes (an empty row is not an absent one), deletes, many keys with
 *       mixed outcomes in one call, empty calls, tables not created, 1 MB rows, versions from
 *       {@link OnlineStore#readForSwap};
 *   <li>{@link OnlineConcurrencyContract}: {@value #THREADS} writers racing on the same keys end at
 *       the maximum and a reader never sees a key go back in time; {@value #THREADS} threads on
 *       separate clients ({@link #anotherClient()}) running read-increment-swap loops on three hot
 *       counters ({@link SwapCounters}) lose no increment; a plain {@link OnlineStore#multiPut}
 *       never lands between a swap's read and its write;
 *   <li>{@link OnlineDurabilityContract}: data survives {@link #reopen()}; {@link
 *       OnlineStore#check()} passes.
 * </ul>
 *
 * <p>The fixtures below ({@link #userKey}, {@link #row}, {@link #assertValues}, ...) are the ones the
 * parts use, for a store's own tests to build on.
 */
public abstract class OnlineStoreContract implements OnlineTableContract, OnlineReadWriteContract,
    OnlineNewestWinsContract, OnlineRandomizedContract, OnlineBatchSizeContract, OnlineCompareAndSetContract,
    OnlineConcurrencyContract, OnlineDurabilityContract {
  /** Racing threads; the contract holds for any number, eight finds races on two cores. */
  protected static final int THREADS = OnlineFixtures.THREADS;

  /** The times of hand-written rows are seconds after this instant. */
  protected static final Instant T0 = OnlineFixtures.T0;

  /** A realistic table name (project, view, version). */
  protected static final String TABLE = OnlineFixtures.TABLE;

  private final List<OnlineStore> opened = new ArrayList<>();

  /** The store under test: from {@link #newStore()}, or from the last {@link #reopened()}. */
  protected OnlineStore store;

  /** A new store over fresh, empty storage; called once per test, before anything else. */
  protected abstract OnlineStore newStore();

  /**
   * A store over the same storage as the last one returned. An embedded store that locks its files
   * closes the previous instance first; a store that cannot be reopened may return the same instance.
   */
  protected abstract OnlineStore reopen();

  /**
   * A second instance over the same storage, open at the same time as {@link #store}, with its own
   * connections, as another process would open it; closed after the test. Stores whose storage one
   * instance holds at a time (embedded ones) keep this default: the store under test itself.
   */
  protected OnlineStore anotherClient() {
    return store;
  }

  @BeforeEach
  final void openStore() {
    store = track(newStore());
  }

  @AfterEach
  final void closeStores() {
    RuntimeException failure = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    opened.clear();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public final OnlineStore store() {
    return store;
  }

  /** {@link #reopen()}, made the store under test and closed after the test. */
  @Override
  public final OnlineStore reopened() {
    store = track(reopen());
    return store;
  }

  @Override
  public final OnlineStore otherClient() {
    return anotherClient();
  }

  @Override
  public final OnlineStore closedAfterTest(OnlineStore s) {
    return track(s);
  }

  private OnlineStore track(OnlineStore s) {
    assertThat(s).as("store").isNotNull();
    opened.add(s);
    return s;
  }

  /** The encoded key of user {@code id}. */
  protected static byte[] userKey(long id) {
    return OnlineFixtures.userKey(id);
  }

  /**
   * A realistic feature row written by {@code writer}, with event time {@code T0 + eventSecond} and
   * created time {@code T0 + createdSecond} (none when null).
   */
  protected static byte[] row(long eventSecond, Long createdSecond, long writer) {
    return OnlineFixtures.row(eventSecond, createdSecond, writer);
  }

  /** A row, readably: its times and writer (or hex when it is not a row). */
  protected static String describe(byte[] row) {
    return OnlineFixtures.describe(row);
  }

  /** Asserts the stored values equal {@code expected} byte for byte, showing both readably. */
  protected static void assertValues(List<byte[]> actual, List<byte[]> expected, String context) {
    OnlineFixtures.assertValues(actual, expected, context);
  }
}
