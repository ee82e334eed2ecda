package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.core.online.RowEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
 * <p>What is checked, in the order of the file:
 *
 * <ul>
 *   <li>tables: create and drop are idempotent, a dropped table comes back empty, tables are isolated;
 *   <li>reads: nulls aligned with the keys for missing keys and missing tables, bytes round-trip
 *       exactly (keys and rows built with {@link KeyEncoding} and {@link RowEncoding});
 *   <li>newest wins: an older or equal order key never overwrites, a newer one does, whatever the
 *       order of arrival, also for several entries of one key in one batch, which are applied as if
 *       in sequence (the count returned is that of the sequence);
 *   <li>randomized ({@code random*}): many shuffled batches with ties, null created times, times
 *       before 1970 and deletes, compared after every batch with a plain in-memory model that
 *       orders by the generator's own numbers, not by the encoded bytes. A failure names the seed;
 *       {@code -Dquiver.contract.seed=N} runs just that seed, {@code -Dquiver.contract.seeds=N}
 *       runs seeds 1 to N (default 8);
 *   <li>size: 50,000 entries in one batch, 1 MB values, empty batches;
 *   <li>concurrency: {@value #THREADS} writers racing on the same keys end at the maximum, and a
 *       reader never sees a key go back in time;
 *   <li>compare-and-set ({@link OnlineStore#multiCompareAndSet}): from absent, refused on any other
 *       bytes (an empty row is not an absent one), deletes, many keys with mixed outcomes in one
 *       call, empty calls, tables not created, 1 MB rows, and {@value #THREADS} threads on separate
 *       clients ({@link #anotherClient()}) running read-increment-swap loops on three hot counters
 *       ({@link SwapCounters}) without losing an increment; a plain {@link OnlineStore#multiPut} never
 *       lands between a swap's read and its write;
 *   <li>durability: data survives {@link #reopen()}; {@link OnlineStore#check()} passes.
 * </ul>
 */
public abstract class OnlineStoreContract {
  /** Racing threads; the contract holds for any number, eight finds races on two cores. */
  protected static final int THREADS = 8;

  /** The times of hand-written rows are seconds after this instant. */
  protected static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  /** A realistic table name (project, view, version). */
  protected static final String TABLE = "payments.user_txn.v1";

  private static final List<ScalarType> USER = List.of(ScalarType.INT64);
  private static final List<String> NAMES =
      List.of("writer", "amount", "country", "txn_count_7d", "is_active", "embedding", "last_seen", "raw");
  private static final List<ValueType> TYPES =
      List.of(ScalarType.INT64, ScalarType.FLOAT64, ScalarType.STRING, ScalarType.INT32, ScalarType.BOOL,
          new ListType(ScalarType.FLOAT32), ScalarType.TIMESTAMP, ScalarType.BYTES);

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

  /** {@link #reopen()}, made the store under test and closed after the test. */
  protected final OnlineStore reopened() {
    store = track(reopen());
    return store;
  }

  private OnlineStore track(OnlineStore s) {
    assertThat(s).as("store").isNotNull();
    opened.add(s);
    return s;
  }

  /** The seeds of the randomized cases: 1 to 8, or as the system properties say. */
  static Stream<Long> seeds() {
    String one = System.getProperty("quiver.contract.seed");
    if (one != null && !one.isBlank()) {
      return Stream.of(Long.parseLong(one.strip()));
    }
    long count = Long.getLong("quiver.contract.seeds", 8);
    return LongStream.rangeClosed(1, count).boxed();
  }

  // ---- fixtures ---------------------------------------------------------------------------------

  /** The encoded key of user {@code id}. */
  protected static byte[] userKey(long id) {
    return KeyEncoding.encode(USER, List.of(id));
  }

  /**
   * A realistic feature row written by {@code writer}, with event time {@code T0 + eventSecond} and
   * created time {@code T0 + createdSecond} (none when null).
   */
  protected static byte[] row(long eventSecond, Long createdSecond, long writer) {
    return row(T0.plusSeconds(eventSecond), createdSecond == null ? null : T0.plusSeconds(createdSecond),
        writer, new byte[] {(byte) writer, 0, (byte) 0xFF});
  }

  private static byte[] row(Instant event, Instant created, long writer, byte[] raw) {
    List<Object> values = Arrays.asList(
        writer, writer * 1.5, writer % 3 == 0 ? null : "país-" + writer, (int) (writer % 1000),
        writer % 2 == 0, List.of(0.25f, -1.0f, (float) writer), event, raw);
    return RowEncoding.encode(event, created, NAMES, TYPES, values);
  }

  private static long writer(byte[] row) {
    return (Long) RowEncoding.decode(row).get("writer");
  }

  /** A row, readably: its times and writer (or hex when it is not a row). */
  protected static String describe(byte[] row) {
    if (row == null) {
      return "null";
    }
    try {
      RowEncoding.Decoded d = RowEncoding.decode(row);
      return "row(event " + d.eventTime() + ", created " + d.createdTime() + ", writer " + d.get("writer")
          + ", " + row.length + " bytes)";
    } catch (RuntimeException e) {
      return row.length > 64 ? row.length + " bytes" : HexFormat.of().formatHex(row);
    }
  }

  /** Asserts the stored values equal {@code expected} byte for byte, showing both readably. */
  protected static void assertValues(List<byte[]> actual, List<byte[]> expected, String context) {
    assertThat(actual).as("values returned for %s", context).isNotNull().hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(describe(actual.get(i))).as("value %d of %s", i, context).isEqualTo(describe(expected.get(i)));
      assertThat(actual.get(i)).as("bytes of value %d of %s", i, context).isEqualTo(expected.get(i));
    }
  }

  private static Entry entry(byte[] key, byte[] value) {
    return new Entry(key, value);
  }

  private static List<byte[]> nulls(int n) {
    return Collections.nCopies(n, null);
  }

  // ---- tables -----------------------------------------------------------------------------------

  @Test
  public void createTableIsIdempotentAndKeepsRows() {
    store.createTable(TABLE);
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1))));

    store.createTable(TABLE);

    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(10, null, 1)), "a re-created table");
  }

  @Test
  public void dropTableIsIdempotentAndRemovesEveryRow() {
    store.dropTable("never.created");
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1)), entry(userKey(2), row(10, null, 2))));

    store.dropTable(TABLE);
    store.dropTable(TABLE);

    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2))), nulls(2), "a dropped table");
    store.createTable(TABLE);
    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2))), nulls(2), "a dropped, re-created table");
    // the dropped rows' order keys are forgotten too: an older row is accepted
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(5, null, 3))))).isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(5, null, 3)), "a re-created table");
  }

  @Test
  public void tablesAreIsolated() {
    String other = "payments.user_txn.v2";
    store.createTable(TABLE);
    store.createTable(other);
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(20, null, 1))));

    // newest-wins is per table: the newer row in TABLE does not block an older one in the other
    assertThat(store.multiPutIfNewer(other, List.of(entry(userKey(1), row(10, null, 2))))).isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(20, null, 1)), TABLE);
    assertValues(store.multiGet(other, List.of(userKey(1))), List.of(row(10, null, 2)), other);

    store.delete(other, List.of(userKey(1)));
    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(20, null, 1)), "a table after a delete in another");

    store.multiPutIfNewer(other, List.of(entry(userKey(2), row(10, null, 2))));
    store.dropTable(TABLE);
    assertValues(store.multiGet(other, List.of(userKey(2))), List.of(row(10, null, 2)), "a table after another was dropped");
  }

  // ---- reads ------------------------------------------------------------------------------------

  @Test
  public void multiGetOfAMissingTableGivesNullsAlignedWithKeys() {
    List<byte[]> keys = List.of(userKey(1), userKey(2), userKey(1));

    assertValues(store.multiGet("never.created", keys), nulls(3), "a missing table");
    assertThat(store.multiGet("never.created", List.of())).isEmpty();
  }

  @Test
  public void multiGetGivesNullsAlignedWithMissingKeys() {
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1)), entry(userKey(3), row(10, null, 3))));

    List<byte[]> got = store.multiGet(TABLE, List.of(userKey(2), userKey(1), userKey(4), userKey(3), userKey(1)));

    assertValues(got, Arrays.asList(null, row(10, null, 1), null, row(10, null, 3), row(10, null, 1)), "keys");
    assertThat(store.multiGet(TABLE, List.of())).isEmpty();
  }

  @Test
  public void putThenGetRoundTripsBytesExactly() {
    store.createTable(TABLE);
    List<ScalarType> composite = List.of(ScalarType.STRING, ScalarType.INT64, ScalarType.BYTES, ScalarType.TIMESTAMP);
    List<byte[]> keys = List.of(
        userKey(0), userKey(-1), userKey(Long.MAX_VALUE), userKey(Long.MIN_VALUE),
        KeyEncoding.encode(composite, List.of("", 0L, new byte[0], Instant.EPOCH)),
        KeyEncoding.encode(composite, List.of("ünïcødé ✓", 7L, new byte[] {0, -1, 0}, T0)),
        KeyEncoding.encode(List.of(ScalarType.STRING), List.of("a")),
        KeyEncoding.encode(List.of(ScalarType.STRING), List.of("ab")));
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      values.add(row(T0.plusNanos(1000L * i), i % 2 == 0 ? null : T0.minusSeconds(i), i, new byte[] {0, (byte) i, -1}));
    }
    // a row with every value null, and one with nothing but the order key
    values.set(0, RowEncoding.encode(T0, T0, NAMES, TYPES, Collections.nCopies(NAMES.size(), null)));
    values.set(1, RowEncoding.encode(Instant.parse("1969-07-20T20:17:40.000001Z"), null, List.of(), List.of(), List.of()));
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      entries.add(entry(keys.get(i), values.get(i)));
    }

    assertThat(store.multiPutIfNewer(TABLE, entries)).isEqualTo(keys.size());

    List<byte[]> got = store.multiGet(TABLE, keys);
    assertValues(got, values, "rows just written");
    RowEncoding.Decoded d = RowEncoding.decode(got.get(5));
    assertThat(d.get("country")).isEqualTo("país-5");
    assertThat(d.get("embedding")).isEqualTo(List.of(0.25f, -1.0f, 5.0f));
    assertThat((byte[]) d.get("raw")).isEqualTo(new byte[] {0, 5, -1});
    assertThat(RowEncoding.decode(got.get(0)).has("amount")).isTrue();
    assertThat(RowEncoding.decode(got.get(0)).get("amount")).isNull();
  }

  // ---- newest wins ------------------------------------------------------------------------------

  @Test
  public void anOlderOrEqualRowNeverOverwritesANewerOneDoes() {
    store.createTable(TABLE);
    byte[] k = userKey(42);

    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(10, 5L, 1))))).isEqualTo(1);
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(9, 99L, 2))))).as("late backfill").isZero();
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(10, 5L, 3))))).as("equal order key").isZero();
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(10, null, 4))))).as("no created time").isZero();
    assertValues(store.multiGet(TABLE, List.of(k)), List.of(row(10, 5L, 1)), "after older writes");

    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(10, 6L, 5))))).as("created later").isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(k)), List.of(row(10, 6L, 5)), "after a later created time");

    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(11, null, 6))))).as("newer event").isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(k)), List.of(row(11, null, 6)), "after a newer event");
  }

  @Test
  public void aRefillReplacesAnEqualRowButNeverANewerOne() {
    store.createTable(TABLE);
    byte[] k = userKey(43);
    byte[] other = userKey(44);
    store.multiPutIfNewer(TABLE, List.of(entry(k, row(10, 5L, 1))));

    assertThat(store.multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, 5L, 2))))).as("equal order key").isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(k)), List.of(row(10, 5L, 2)), "after an equal refill");
    assertThat(store.multiPutIfNotOlder(TABLE, List.of(entry(k, row(9, 99L, 3))))).as("older").isZero();
    assertThat(store.multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, null, 4))))).as("no created time").isZero();
    assertValues(store.multiGet(TABLE, List.of(k)), List.of(row(10, 5L, 2)), "after older refills");
    assertThat(store.multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, 6L, 5))))).as("created later").isEqualTo(1);
    // in one call, as in sequence: of equal rows the last wins; an absent key is written
    assertThat(store.multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, 6L, 6)), entry(k, row(10, 6L, 7)),
        entry(k, row(8, null, 8)), entry(other, row(1, null, 9))))).isEqualTo(3);
    assertValues(store.multiGet(TABLE, List.of(k, other)), List.of(row(10, 6L, 7), row(1, null, 9)), "after one call");
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(10, 6L, 10))))).as("plain writes still keep equal rows").isZero();
  }

  @Test
  public void orderKeysCompareAsTimesAcrossTheEpochAndEveryByte() {
    store.createTable(TABLE);
    byte[] k = userKey(1);
    // increasing times whose order keys differ in the sign bit, in the last byte, and by one microsecond
    List<Instant> increasing = List.of(
        Instant.parse("1900-01-01T00:00:00Z"), Instant.EPOCH.minusNanos(1000), Instant.EPOCH,
        Instant.EPOCH.plusNanos(1000), Instant.EPOCH.plusNanos(256_000), T0, T0.plusNanos(1000),
        Instant.parse("2262-04-11T00:00:00Z"));

    for (int i = increasing.size() - 1; i >= 0; i--) {
      Instant t = increasing.get(i);
      int written = store.multiPutIfNewer(TABLE, List.of(entry(k, row(t, null, i, new byte[0]))));
      assertThat(written).as("writing %s after every newer time", t).isEqualTo(i == increasing.size() - 1 ? 1 : 0);
    }
    store.dropTable(TABLE);
    store.createTable(TABLE);
    for (int i = 0; i < increasing.size(); i++) {
      Instant t = increasing.get(i);
      assertThat(store.multiPutIfNewer(TABLE, List.of(entry(k, row(t, null, i, new byte[0])))))
          .as("writing %s after the time before it", t).isEqualTo(1);
    }
    assertThat(writer(store.multiGet(TABLE, List.of(k)).get(0))).isEqualTo(increasing.size() - 1);
  }

  @Test
  public void arrivalOrderDoesNotMatter() {
    store.createTable(TABLE);
    List<byte[]> versions = List.of(row(10, null, 1), row(10, 3L, 2), row(20, 1L, 3), row(30, null, 4));
    List<List<Integer>> orders = permutations(List.of(0, 1, 2, 3));
    for (int p = 0; p < orders.size(); p++) {
      for (int i : orders.get(p)) {
        store.multiPutIfNewer(TABLE, List.of(entry(userKey(p), versions.get(i))));
      }
    }
    for (int p = 0; p < orders.size(); p++) {
      assertValues(store.multiGet(TABLE, List.of(userKey(p))), List.of(versions.get(3)), "arrival order " + orders.get(p));
    }
  }

  @Test
  public void severalEntriesOfOneKeyInOneBatchAreAppliedAsIfInSequence() {
    store.createTable(TABLE);
    byte[] k = userKey(7);

    // in sequence: 30 written, 10 not, 50 written, 20 not, the second 50 (equal) not
    int written = store.multiPutIfNewer(TABLE, List.of(
        entry(k, row(30, null, 1)), entry(k, row(10, null, 2)), entry(k, row(50, null, 3)),
        entry(k, row(20, null, 4)), entry(k, row(50, null, 5))));

    assertThat(written).isEqualTo(2);
    assertValues(store.multiGet(TABLE, List.of(k)), List.of(row(50, null, 3)), "the first of the newest");

    // against a stored row: only the entries newer than it, and than each other, count
    written = store.multiPutIfNewer(TABLE, List.of(
        entry(k, row(40, null, 6)), entry(k, row(60, null, 7)), entry(k, row(55, null, 8)),
        entry(userKey(8), row(1, null, 9)), entry(k, row(70, null, 10))));

    assertThat(written).isEqualTo(3);
    assertValues(store.multiGet(TABLE, List.of(k, userKey(8))), List.of(row(70, null, 10), row(1, null, 9)), "keys");
  }

  @Test
  public void severalEntriesOfOneKeyInOneBatchInAnyOrderEndAtTheMax() {
    store.createTable(TABLE);
    List<byte[]> versions = List.of(row(10, null, 1), row(10, 1L, 2), row(11, null, 3), row(12, null, 4), row(12, 0L, 5));
    Random random = new Random(5);
    for (int trial = 0; trial < 30; trial++) {
      List<Entry> batch = new ArrayList<>();
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> expected = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        byte[] key = userKey(1000L * trial + k);
        List<byte[]> shuffled = new ArrayList<>(versions);
        Collections.shuffle(shuffled, random);
        byte[] max = null;
        for (byte[] v : shuffled.subList(0, 1 + random.nextInt(versions.size()))) {
          batch.add(entry(key, v));
          max = max == null || writer(v) > writer(max) ? v : max; // writers grow with the order key
        }
        keys.add(key);
        expected.add(max);
      }
      Collections.shuffle(batch, random);

      store.multiPutIfNewer(TABLE, batch);

      assertValues(store.multiGet(TABLE, keys), expected, "the keys of shuffled batch " + trial);
    }
  }

  // ---- randomized -------------------------------------------------------------------------------

  /** One generated row: its own numbers (what the model compares) and its encoding. */
  private record Version(long eventMicros, Long createdMicros, long writer, byte[] bytes) {
    int compareTo(Version o) {
      int c = Long.compare(eventMicros, o.eventMicros);
      if (c != 0) {
        return c;
      }
      long mine = createdMicros == null ? Long.MIN_VALUE : createdMicros;
      long theirs = o.createdMicros == null ? Long.MIN_VALUE : o.createdMicros;
      return Long.compare(mine, theirs);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void randomBatchesEndAtTheMaxByOrderKey(long seed) {
    try {
      randomBatches(seed);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("randomized online store case failed with seed " + seed
          + " (rerun just it with -Dquiver.contract.seed=" + seed + "): " + e.getMessage(), e);
    }
  }

  private void randomBatches(long seed) {
    Random rnd = new Random(seed);
    String table = "random.seed" + seed;
    store.createTable(table);

    // keys of one randomly chosen shape; some are prefixes of others
    List<List<ScalarType>> shapes = List.of(
        List.of(ScalarType.INT64), List.of(ScalarType.STRING), List.of(ScalarType.STRING, ScalarType.INT64),
        List.of(ScalarType.BYTES), List.of(ScalarType.TIMESTAMP, ScalarType.BOOL), List.of(ScalarType.FLOAT64));
    List<ScalarType> shape = shapes.get(rnd.nextInt(shapes.size()));
    int keyCount = 20 + rnd.nextInt(300);
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < keyCount; i++) {
      List<Object> parts = new ArrayList<>();
      for (ScalarType t : shape) {
        parts.add(switch (t) {
          case INT64 -> (long) i - keyCount / 2;
          case STRING -> "k".repeat(1 + i % 3) + i / 3;
          case BYTES -> new byte[] {(byte) i, (byte) (i >> 8), 0};
          case TIMESTAMP -> Instant.EPOCH.plusSeconds(i - keyCount / 2);
          case BOOL -> i % 2 == 0;
          case FLOAT64 -> i * 0.5 - 3;
          default -> throw new IllegalStateException(t.toString());
        });
      }
      keys.add(KeyEncoding.encode(shape, parts));
    }
    long[] bases = {0, Timestamps.toMicros(T0), -1_000_000L * 86_400 * 365 * 10};
    long base = bases[rnd.nextInt(bases.length)];
    int span = 1 + rnd.nextInt(40); // small spans give many ties

    int versionCount = 500 + rnd.nextInt(3000);
    List<Integer> keyOf = new ArrayList<>();
    List<Version> versions = new ArrayList<>();
    for (int w = 0; w < versionCount; w++) {
      int key = rnd.nextInt(1 + rnd.nextInt(keyCount)); // skewed to the first keys
      long event = base + (rnd.nextInt(2 * span + 1) - span) * (rnd.nextBoolean() ? 1L : 1_000_000L);
      Long created = rnd.nextInt(4) == 0 ? null : base + rnd.nextInt(3) - 1;
      byte[] bytes = row(Timestamps.ofMicros(event), created == null ? null : Timestamps.ofMicros(created), w,
          new byte[rnd.nextInt(40)]);
      keyOf.add(key);
      versions.add(new Version(event, created, w, bytes));
    }
    List<Integer> order = new ArrayList<>();
    for (int w = 0; w < versionCount; w++) {
      order.add(w);
    }
    Collections.shuffle(order, rnd);

    Map<ByteBuffer, Version> model = new HashMap<>();
    int position = 0;
    int batchNo = 0;
    while (position < order.size()) {
      int size = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(order.size()) : 1 + rnd.nextInt(60);
      List<Integer> batch = order.subList(position, Math.min(order.size(), position + size));
      position += batch.size();
      batchNo++;

      List<Entry> entries = new ArrayList<>();
      int expectedWritten = 0;
      for (int w : batch) {
        Version v = versions.get(w);
        byte[] key = keys.get(keyOf.get(w));
        entries.add(entry(key, v.bytes()));
        Version current = model.get(ByteBuffer.wrap(key));
        if (current == null || v.compareTo(current) > 0) {
          model.put(ByteBuffer.wrap(key), v);
          expectedWritten++;
        }
      }
      assertThat(store.multiPutIfNewer(table, entries))
          .as("entries written by batch %d (%d entries)", batchNo, entries.size())
          .isEqualTo(expectedWritten);

      if (rnd.nextInt(15) == 0) {
        List<byte[]> gone = new ArrayList<>();
        for (int i = rnd.nextInt(10); i >= 0; i--) {
          byte[] key = keys.get(rnd.nextInt(keyCount));
          gone.add(key);
          model.remove(ByteBuffer.wrap(key));
        }
        store.delete(table, gone);
      }
      if (rnd.nextInt(5) == 0) {
        assertMatchesModel(table, keys, model, "after batch " + batchNo);
      }
    }
    assertMatchesModel(table, keys, model, "after all " + batchNo + " batches");
    reopened();
    assertMatchesModel(table, keys, model, "after reopening");
  }

  private void assertMatchesModel(String table, List<byte[]> keys, Map<ByteBuffer, Version> model, String when) {
    List<byte[]> expected = new ArrayList<>();
    for (byte[] k : keys) {
      Version v = model.get(ByteBuffer.wrap(k));
      expected.add(v == null ? null : v.bytes());
    }
    assertValues(store.multiGet(table, keys), expected, "every key " + when);
  }

  // ---- unconditional writes ---------------------------------------------------------------------

  @Test
  public void multiPutReplacesWhateverIsStoredAndTheLastEntryOfAKeyWins() {
    String tiles = TABLE + ".tiles";
    store.multiPut(tiles, List.of(entry(userKey(1), new byte[] {1, 2, 3}), entry(userKey(2), new byte[] {9})));
    // no order key: a shorter, "older" value replaces the stored one
    store.multiPut(tiles, List.of(entry(userKey(1), new byte[] {7}), entry(userKey(3), new byte[] {5}),
        entry(userKey(1), new byte[] {8, 8})));
    store.multiPut(tiles, List.of());
    assertValues(store.multiGet(tiles, List.of(userKey(1), userKey(2), userKey(3), userKey(4))),
        Arrays.asList(new byte[] {8, 8}, new byte[] {9}, new byte[] {5}, null), "after two multiPuts");
    store.delete(tiles, List.of(userKey(2)));
    assertValues(store.multiGet(tiles, List.of(userKey(2))), Arrays.asList((byte[]) null), "after a delete");
    store.dropTable(tiles);
    assertValues(store.multiGet(tiles, List.of(userKey(1))), Arrays.asList((byte[]) null), "after dropping the table");
  }

  // ---- deletes ----------------------------------------------------------------------------------

  @Test
  public void deleteRemovesOnlyTheGivenKeysAndIgnoresAbsentOnes() {
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(
        entry(userKey(1), row(10, null, 1)), entry(userKey(2), row(10, null, 2)), entry(userKey(3), row(10, null, 3))));

    store.delete(TABLE, List.of(userKey(1), userKey(99), userKey(3), userKey(1)));
    store.delete(TABLE, List.of());
    store.delete("never.created", List.of(userKey(2)));

    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3))),
        Arrays.asList(null, row(10, null, 2), null), "after the delete");
    // a deleted row's order key is forgotten: an older row is written again
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(5, null, 4))))).isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(5, null, 4)), "a key written after its delete");
  }

  // ---- size -------------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void largeBatchesAreWrittenAndReadWhole() {
    int n = 50_000;
    store.createTable(TABLE);
    List<Entry> first = new ArrayList<>(n);
    List<byte[]> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(userKey(1_000_000L + i));
      first.add(entry(keys.get(i), row(100, null, i)));
    }

    assertThat(store.multiPutIfNewer(TABLE, first)).isEqualTo(n);

    // then the even keys get a newer row and the odd ones an older one
    List<Entry> second = new ArrayList<>(n);
    List<byte[]> expected = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] value = row(i % 2 == 0 ? 101 : 99, null, n + i);
      second.add(entry(keys.get(i), value));
      expected.add(i % 2 == 0 ? value : first.get(i).value());
    }
    assertThat(store.multiPutIfNewer(TABLE, second)).isEqualTo(n / 2);

    List<byte[]> got = store.multiGet(TABLE, keys);
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      if (!Arrays.equals(got.get(i), expected.get(i))) {
        assertValues(List.of(got.get(i)), List.of(expected.get(i)), "key " + i + " of a batch of " + n);
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void largeValuesRoundTrip() {
    store.createTable(TABLE);
    Random random = new Random(1);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      byte[] raw = new byte[1 << 20];
      random.nextBytes(raw);
      entries.add(entry(userKey(i), row(T0.plusSeconds(10), null, i, raw)));
    }

    assertThat(store.multiPutIfNewer(TABLE, entries)).isEqualTo(8);

    List<byte[]> keys = entries.stream().map(Entry::key).toList();
    assertValues(store.multiGet(TABLE, keys), entries.stream().map(Entry::value).toList(), "1 MB rows");
    byte[] older = row(T0.plusSeconds(9), null, 100, new byte[1 << 20]);
    byte[] newer = row(T0.plusSeconds(11), null, 101, new byte[(1 << 20) + 1]);
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(userKey(0), older), entry(userKey(1), newer)))).isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(userKey(0), userKey(1))),
        List.of(entries.get(0).value(), newer), "1 MB rows after newer and older ones");
  }

  @Test
  public void emptyBatchesDoNothing() {
    assertThat(store.multiPutIfNewer("never.created", List.of())).isZero();
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1))));

    assertThat(store.multiPutIfNewer(TABLE, List.of())).isZero();
    store.delete(TABLE, List.of());

    assertThat(store.multiGet(TABLE, List.of())).isEmpty();
    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(10, null, 1)), "after empty batches");
  }

  // ---- concurrency ------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void concurrentWritersToTheSameKeysEndAtTheMax() throws Exception {
    int keyCount = 32;
    int rounds = 300;
    store.createTable(TABLE);
    List<byte[]> keys = new ArrayList<>();
    for (int k = 0; k < keyCount; k++) {
      keys.add(userKey(k));
    }
    CyclicBarrier start = new CyclicBarrier(THREADS + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    try {
      List<Future<long[]>> writers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          // every (thread, round) has its own event time, so the maximum is unique; half the threads go in
          // order (so most writes replace, and an interleaved read-compare-write shows), half shuffled
          Random random = new Random(thread);
          List<Integer> order = new ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            order.add(r);
          }
          if (thread % 2 == 1) {
            Collections.shuffle(order, random);
          }
          long[] max = new long[keyCount];
          Arrays.fill(max, -1);
          start.await();
          for (int r : order) {
            long event = (long) r * THREADS + thread;
            List<Entry> batch = new ArrayList<>();
            for (int i = 1 + random.nextInt(keyCount / 2); i > 0; i--) {
              int k = random.nextInt(keyCount);
              batch.add(entry(keys.get(k), row(event, null, event)));
              max[k] = Math.max(max[k], event);
            }
            store.multiPutIfNewer(TABLE, batch);
          }
          return max;
        }));
      }
      Callable<String> reader = () -> {
        long[] seen = new long[keyCount];
        Arrays.fill(seen, -1);
        start.await();
        while (writing.get()) {
          List<byte[]> got = store.multiGet(TABLE, keys);
          for (int k = 0; k < keyCount; k++) {
            long now = got.get(k) == null ? -1 : writer(got.get(k));
            if (now < seen[k]) {
              return "key " + k + " went back from event " + seen[k] + " to " + now;
            }
            seen[k] = now;
          }
        }
        return null;
      };
      Future<String> regressions = pool.submit(reader);

      long[] expected = new long[keyCount];
      Arrays.fill(expected, -1);
      for (Future<long[]> w : writers) {
        long[] max = w.get(60, TimeUnit.SECONDS);
        for (int k = 0; k < keyCount; k++) {
          expected[k] = Math.max(expected[k], max[k]);
        }
      }
      writing.set(false);

      assertThat(regressions.get(60, TimeUnit.SECONDS)).as("what a concurrent reader saw").isNull();
      List<byte[]> got = store.multiGet(TABLE, keys);
      for (int k = 0; k < keyCount; k++) {
        assertThat(got.get(k) == null ? -1 : writer(got.get(k))).as("event of key %d", k).isEqualTo(expected[k]);
        if (expected[k] >= 0) {
          assertThat(got.get(k)).isEqualTo(row(expected[k], null, expected[k]));
        }
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("writers stopped").isTrue();
    }
  }

  // ---- compare-and-set --------------------------------------------------------------------------

  /** One swap. */
  private static Swap swap(byte[] key, byte[] expected, byte[] value) {
    return new Swap(key, expected, value);
  }

  private static List<Boolean> outcomes(boolean[] done) {
    List<Boolean> out = new ArrayList<>(done.length);
    for (boolean d : done) {
      out.add(d);
    }
    return out;
  }

  @Test
  public void aSwapFromAbsentSetsTheRowOnce() {
    store.createTable(TABLE);
    byte[] first = row(10, null, 1);

    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, first))))).containsExactly(true);
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, row(11, null, 2))))))
        .as("a second swap from absent").containsExactly(false);

    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(first), "after two swaps from absent");
  }

  @Test
  public void aSwapWithAWrongExpectationIsRefusedAndChangesNothing() {
    store.createTable(TABLE);
    byte[] stored = row(10, null, 1);
    store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, stored)));
    byte[] longer = Arrays.copyOf(stored, stored.length + 1);
    byte[] lastByteOff = stored.clone();
    lastByteOff[lastByteOff.length - 1] ^= 1;

    for (byte[] wrong : List.of(longer, Arrays.copyOf(stored, stored.length - 1), lastByteOff, new byte[0])) {
      assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), wrong, row(20, null, 2))))))
          .as("a swap expecting %s", describe(wrong)).containsExactly(false);
    }
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(2), new byte[0], row(20, null, 3))))))
        .as("an empty expectation is not an absent row").containsExactly(false);
    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2))), Arrays.asList(stored, null), "after refusals");

    // an empty row is a row: it is not absent, and it can be expected
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(2), null, new byte[0]))))).containsExactly(true);
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(2), null, stored))))).containsExactly(false);
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(2), new byte[0], stored))))).containsExactly(true);
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), stored.clone(), longer)))))
        .as("the right expectation, a copy of the stored bytes").containsExactly(true);
    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2))), List.of(longer, stored), "after the swaps");
  }

  @Test
  public void aSwapToNullDeletesTheRow() {
    store.createTable(TABLE);
    byte[] stored = row(10, null, 1);
    store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, stored), swap(userKey(2), null, stored)));

    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(
        swap(userKey(1), stored, null), swap(userKey(2), row(9, null, 1), null), swap(userKey(3), null, null)))))
        .as("delete as expected, delete with a wrong expectation, delete of an absent row").containsExactly(true, false, true);

    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3))), Arrays.asList(null, stored, null),
        "after deleting swaps");
    // the deleted key is absent again: a swap from absent sets it
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, row(1, null, 5)))))).containsExactly(true);
  }

  @Test
  public void manyKeysInOneCallEachGetTheirOwnOutcome() {
    store.createTable(TABLE);
    Random random = new Random(19);
    int n = 700; // several script calls, and every slot group of a cluster
    Map<ByteBuffer, byte[]> model = new HashMap<>();
    for (int round = 0; round < 4; round++) {
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        order.add(k);
      }
      Collections.shuffle(order, random);
      List<Swap> swaps = new ArrayList<>();
      List<Boolean> aligned = new ArrayList<>();
      for (int k : order) {
        byte[] key = userKey(k);
        byte[] current = model.get(ByteBuffer.wrap(key));
        boolean right = random.nextInt(3) > 0;
        byte[] expectation = right ? current : current == null ? row(1, null, k) : random.nextBoolean() ? null
            : Arrays.copyOf(current, current.length - 1);
        byte[] value = random.nextInt(6) == 0 ? null : row(round * 10 + random.nextInt(10), null, k + 1000L * round);
        swaps.add(swap(key, expectation, value));
        aligned.add(right);
        if (right) {
          if (value == null) {
            model.remove(ByteBuffer.wrap(key));
          } else {
            model.put(ByteBuffer.wrap(key), value);
          }
        }
      }

      assertThat(outcomes(store.multiCompareAndSet(TABLE, swaps))).as("outcomes of round %d", round).isEqualTo(aligned);

      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        keys.add(userKey(k));
        values.add(model.get(ByteBuffer.wrap(userKey(k))));
      }
      assertValues(store.multiGet(TABLE, keys), values, "every key after round " + round);
    }
  }

  @Test
  public void anEmptySwapCallDoesNothing() {
    assertThat(store.multiCompareAndSet("never.created", List.of())).isEmpty();
    store.createTable(TABLE);
    store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, row(10, null, 1))));

    assertThat(store.multiCompareAndSet(TABLE, List.of())).isEmpty();

    assertValues(store.multiGet(TABLE, List.of(userKey(1))), List.of(row(10, null, 1)), "after an empty swap call");
    assertValues(store.multiGet("never.created", List.of(userKey(1))), nulls(1), "a table never written");
  }

  @Test
  public void swapsOnATableThatDoesNotExistSeeOnlyAbsentRows() {
    String table = "swapped.before.created";
    assertThat(outcomes(store.multiCompareAndSet(table, List.of(swap(userKey(1), row(10, null, 1), row(11, null, 2))))))
        .as("expecting a row in a table that does not exist").containsExactly(false);
    assertValues(store.multiGet(table, List.of(userKey(1))), nulls(1), "after a refused swap");

    assertThat(outcomes(store.multiCompareAndSet(table, List.of(swap(userKey(1), null, row(11, null, 2))))))
        .as("from absent, in a table that does not exist").containsExactly(true);
    assertValues(store.multiGet(table, List.of(userKey(1))), List.of(row(11, null, 2)), "written by a swap");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void largeRowsAreSwappedWhole() {
    store.createTable(TABLE);
    Random random = new Random(3);
    List<Swap> sets = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      byte[] raw = new byte[1 << 20];
      random.nextBytes(raw);
      sets.add(swap(userKey(k), null, row(T0.plusSeconds(10), null, k, raw)));
    }
    assertThat(outcomes(store.multiCompareAndSet(TABLE, sets))).containsExactly(true, true, true, true);

    byte[] almost = sets.get(1).value().clone();
    almost[almost.length - 1] ^= 1; // differs from the stored 1 MB row in its last byte only
    byte[] next0 = row(T0.plusSeconds(11), null, 10, new byte[(1 << 20) + 1]);
    byte[] next1 = row(T0.plusSeconds(11), null, 11, new byte[1 << 20]);
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(
        swap(userKey(0), sets.get(0).value().clone(), next0), swap(userKey(1), almost, next1),
        swap(userKey(2), sets.get(2).value(), null)))))
        .containsExactly(true, false, true);

    assertValues(store.multiGet(TABLE, List.of(userKey(0), userKey(1), userKey(2), userKey(3))),
        Arrays.asList(next0, sets.get(1).value(), null, sets.get(3).value()), "1 MB rows after swaps");
  }

  /**
   * A second instance over the same storage, open at the same time as {@link #store}, with its own
   * connections, as another process would open it; closed after the test. Stores whose storage one
   * instance holds at a time (embedded ones) keep this default: the store under test itself.
   */
  protected OnlineStore anotherClient() {
    return store;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  public void concurrentReadIncrementSwapLoopsLoseNoIncrement() throws Exception {
    String table = TABLE + ".counters";
    List<byte[]> keys = List.of(userKey(1), userKey(2), userKey(3));
    int rounds = 150;
    List<OnlineStore> clients = new ArrayList<>();
    clients.add(store);
    for (int c = 1; c < 4; c++) {
      OnlineStore other = anotherClient();
      if (other != store) {
        track(other);
      }
      clients.add(other);
    }
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<long[]>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        OnlineStore client = clients.get(t % clients.size());
        Random random = new Random(t);
        workers.add(pool.submit(() -> {
          long[] added = new long[keys.size()];
          start.await();
          SwapCounters.increment(client, table, keys, rounds, random, added, versioned(random));
          return added;
        }));
      }
      long[] expected = new long[keys.size()];
      for (Future<long[]> w : workers) {
        long[] added = w.get(120, TimeUnit.SECONDS);
        for (int k = 0; k < keys.size(); k++) {
          expected[k] += added[k];
        }
      }
      List<byte[]> got = store.multiGet(table, keys);
      for (int k = 0; k < keys.size(); k++) {
        assertThat(SwapCounters.decode(got.get(k)))
            .as("counter %d after %d threads on %d clients swapped it (a lost update leaves it short)", k, THREADS,
                clients.stream().distinct().count())
            .isEqualTo(expected[k]);
      }
      assertThat(Arrays.stream(expected).sum()).as("increments made").isGreaterThanOrEqualTo((long) THREADS * rounds);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("workers stopped").isTrue();
    }
  }

  /** Whether a swapping thread reads with {@link OnlineStore#readForSwap} this time: about half the time. */
  private static boolean versioned(Random random) {
    return random.nextBoolean();
  }

  @Test
  public void aSwapWithTheVersionReadSucceedsWhenNothingWroteItsRowSince() {
    store.createTable(TABLE);
    byte[] first = row(10, null, 1);
    store.multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, first)));
    OnlineStore.VersionedRows read = store.readForSwap(TABLE, List.of(userKey(1), userKey(2)));
    assertValues(read.rows(), Arrays.asList(first, null), "read for a swap");
    // writes of other keys meanwhile change nothing for these (a store may read them again, never refuse them)
    List<Entry> others = new ArrayList<>();
    for (int k = 3; k < 2000; k++) {
      others.add(entry(userKey(k), row(5, null, k)));
    }
    store.multiPut(TABLE, others);

    byte[] second = row(11, null, 2);
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(
        new Swap(userKey(1), read.rows().get(0), second, read.versions()[0]),
        new Swap(userKey(2), null, first, read.versions()[1]))))).containsExactly(true, true);
    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2))), List.of(second, first), "after the swaps");
    // the version read before those swaps is stale now: the row is compared, and it is not what was read
    assertThat(outcomes(store.multiCompareAndSet(TABLE, List.of(
        new Swap(userKey(1), read.rows().get(0), row(12, null, 3), read.versions()[0]))))).containsExactly(false);
  }

  @Test
  public void aSwapWithTheVersionReadIsRefusedAfterAnyWriteOfItsRow() {
    List<String> writes = List.of("multiPut", "multiPutIfNewer", "multiPutIfNotOlder", "swap", "delete", "dropTable");
    for (String write : writes) {
      String table = TABLE + "." + write;
      store.createTable(table);
      byte[] first = row(10, null, 1);
      store.multiPutIfNewer(table, List.of(entry(userKey(1), first)));
      OnlineStore.VersionedRows read = store.readForSwap(table, List.of(userKey(1)));
      assertValues(read.rows(), List.of(first), write + ": read for a swap");
      byte[] written = row(20, null, 2);
      switch (write) {
        case "multiPut" -> store.multiPut(table, List.of(entry(userKey(1), written)));
        case "multiPutIfNewer" -> store.multiPutIfNewer(table, List.of(entry(userKey(1), written)));
        case "multiPutIfNotOlder" -> store.multiPutIfNotOlder(table, List.of(entry(userKey(1), written)));
        case "swap" -> store.multiCompareAndSet(table, List.of(swap(userKey(1), first, written)));
        case "delete" -> store.delete(table, List.of(userKey(1)));
        case "dropTable" -> store.dropTable(table);
        default -> throw new IllegalStateException(write);
      }
      boolean gone = write.equals("delete") || write.equals("dropTable");

      assertThat(outcomes(store.multiCompareAndSet(table, List.of(
          new Swap(userKey(1), read.rows().getFirst(), row(30, null, 3), read.versions()[0])))))
          .as("a swap expecting the row read before a %s of it", write).containsExactly(false);
      assertValues(store.multiGet(table, List.of(userKey(1))), Arrays.asList(gone ? null : written),
          "after " + write + " and the refused swap");
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  public void aPlainWriteNeverLandsInsideASwap() throws Exception {
    String table = TABLE + ".jumps";
    List<byte[]> keys = List.of(userKey(1));
    long jump = 1_000_000; // far more than the increments, so a count's millions say which plain write it follows
    int jumps = 3000;
    ExecutorService pool = Executors.newFixedThreadPool(5);
    AtomicBoolean jumping = new AtomicBoolean(true);
    try {
      List<Future<String>> incrementers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        OnlineStore client = t % 2 == 0 ? store : track(anotherClient());
        Random random = new Random(t);
        incrementers.add(pool.submit(() -> {
          long seen = 0;
          long[] added = new long[1];
          while (jumping.get()) {
            SwapCounters.increment(client, table, keys, 1, random, added, versioned(random));
            long now = SwapCounters.decode(client.multiGet(table, keys).getFirst()) / jump;
            if (now < seen) {
              return "the count went back from plain write " + seen + " to " + now;
            }
            seen = now;
          }
          return null;
        }));
      }
      Future<String> writer = pool.submit(() -> {
        for (long j = 1; j <= jumps; j++) {
          store.multiPut(table, List.of(new Entry(keys.getFirst(), SwapCounters.encode(j * jump, j))));
          long now = SwapCounters.decode(store.multiGet(table, keys).getFirst()) / jump;
          if (now < j) {
            return "plain write " + j + " was undone by a swap that had read before it (the count is back at " + now + ")";
          }
        }
        return null;
      });
      assertThat(writer.get(100, TimeUnit.SECONDS)).as("what the plain writer saw").isNull();
      jumping.set(false);
      for (Future<String> f : incrementers) {
        assertThat(f.get(30, TimeUnit.SECONDS)).as("what an incrementer saw").isNull();
      }
      assertThat(SwapCounters.decode(store.multiGet(table, keys).getFirst()) / jump).as("the last plain write")
          .isEqualTo(jumps);
    } finally {
      jumping.set(false);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("writers stopped").isTrue();
    }
  }

  // ---- durability and health --------------------------------------------------------------------

  @Test
  public void dataSurvivesReopening() {
    store.createTable(TABLE);
    store.createTable("kept.empty.v1");
    store.createTable("dropped.v1");
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1)), entry(userKey(2), row(20, 1L, 2))));
    store.multiPutIfNewer("dropped.v1", List.of(entry(userKey(1), row(10, null, 3))));
    store.delete(TABLE, List.of(userKey(2)));
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(3), row(30, null, 4))));
    store.dropTable("dropped.v1");

    reopened();

    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3))),
        Arrays.asList(row(10, null, 1), null, row(30, null, 4)), "rows after reopening");
    assertValues(store.multiGet("dropped.v1", List.of(userKey(1))), nulls(1), "a dropped table after reopening");
    assertValues(store.multiGet("kept.empty.v1", List.of(userKey(1))), nulls(1), "an empty table after reopening");
    // the stored order keys still decide
    assertThat(store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(9, null, 5)), entry(userKey(3), row(31, null, 6)))))
        .isEqualTo(1);
    assertValues(store.multiGet(TABLE, List.of(userKey(1), userKey(3))),
        List.of(row(10, null, 1), row(31, null, 6)), "rows written after reopening");

    reopened();
    assertValues(store.multiGet(TABLE, List.of(userKey(3))), List.of(row(31, null, 6)), "rows after a second reopening");
  }

  @Test
  public void checkPassesOnAHealthyStore() {
    assertThatCode(store::check).doesNotThrowAnyException();
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1))));
    assertThatCode(store::check).doesNotThrowAnyException();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static <T> List<List<T>> permutations(List<T> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<T> rest = new ArrayList<>(items);
      T first = rest.remove(i);
      for (List<T> p : permutations(rest)) {
        List<T> withFirst = new ArrayList<>();
        withFirst.add(first);
        withFirst.addAll(p);
        out.add(withFirst);
      }
    }
    return out;
  }
}
