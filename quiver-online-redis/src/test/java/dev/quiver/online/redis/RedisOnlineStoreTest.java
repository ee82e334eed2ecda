package dev.quiver.online.redis;

import dev.quiver.testkit.LocalRedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.testkit.OnlineStoreContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The online store contract against a real standalone redis-server, plus what is particular to
 * Redis: the key layout, the Lua comparison, the script cache, key prefixes and table names.
 * Each test gets fresh storage through its own key prefix on one shared server.
 */
class RedisOnlineStoreTest extends OnlineStoreContract {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static LocalRedis redis;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<byte[], byte[]> raw;

  private String prefix;

  @BeforeAll
  static void startRedis() {
    redis = LocalRedis.start();
    rawClient = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
    raw = rawClient.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void stopRedis() {
    if (rawClient != null) {
      rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Options of a store on {@code url}; a generous timeout, as the 2-core test machine is busy. */
  static Map<String, Object> options(String url, String prefix) {
    Map<String, Object> options = new HashMap<>();
    options.put("type", "redis");
    options.put("url", url);
    options.put("key_prefix", prefix);
    options.put("command_timeout", "5s");
    return options;
  }

  @Override
  protected OnlineStore newStore() {
    prefix = "t" + STORES.incrementAndGet();
    return open(prefix);
  }

  @Override
  protected OnlineStore reopen() {
    return open(prefix);
  }

  /** Another client of the same keys: its own Lettuce client and connections, as another process has. */
  @Override
  protected OnlineStore anotherClient() {
    return open(prefix);
  }

  private static OnlineStore open(String prefix) {
    return new RedisOnlineStoreProvider().open(options(redis.url(), prefix), Path.of("."));
  }

  private static RedisCommands<byte[], byte[]> raw() {
    return raw.sync();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- key layout -------------------------------------------------------------------------------

  @Test
  void rowsLiveUnderPrefixTableAndHexKeyInAHashTag() {
    store.createTable(TABLE);
    byte[] row = row(10, null, 1);
    store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(7), row)));

    // the golden layout of docs/online-encoding.md: KeyEncoding of int64 7 is 01 02 00..07
    assertThat(raw().get(utf8(prefix + ":payments.user_txn.v1:{01020000000000000007}"))).isEqualTo(row);
    assertThat(raw().smembers(utf8(prefix + ":tables"))).extracting(b -> new String(b, StandardCharsets.UTF_8))
        .containsExactly(TABLE);
    assertThat(raw().ttl(utf8(prefix + ":payments.user_txn.v1:{01020000000000000007}"))).as("no TTL").isEqualTo(-1L);
    List<ScalarType> composite = List.of(ScalarType.STRING, ScalarType.BYTES);
    byte[] key = KeyEncoding.encode(composite, List.of("{}", new byte[] {(byte) 0xFF, 0x7D}));
    store.multiPutIfNewer(TABLE, List.of(new Entry(key, row)));
    assertThat(raw().get(utf8(prefix + ":payments.user_txn.v1:{0103027b7d0402ff7d}"))).isEqualTo(row);

    store.dropTable(TABLE);
    assertThat(raw().keys(prefix + ":*")).isEmpty();
  }

  @Test
  void theScriptComparesOrderKeysUnsignedByteByByteLikeRowEncoding() {
    Random random = new Random(42);
    byte[] interesting = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0x81, (byte) 0xFE, (byte) 0xFF};
    int n = 1500;
    List<Entry> first = new ArrayList<>();
    List<Entry> second = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] a = randomRow(random, interesting);
      byte[] b = random.nextInt(10) == 0 ? a.clone() : mutate(random, a, interesting);
      first.add(new Entry(userKey(i), a));
      second.add(new Entry(userKey(i), b));
    }
    store.createTable(TABLE);
    assertThat(store.multiPutIfNewer(TABLE, first)).isEqualTo(n);

    int expected = 0;
    List<byte[]> expectedRows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean newer = RowEncoding.isNewer(second.get(i).value(), first.get(i).value());
      expected += newer ? 1 : 0;
      expectedRows.add(newer ? second.get(i).value() : first.get(i).value());
    }
    assertThat(expected).as("the generator makes both outcomes").isBetween(n / 4, 3 * n / 4);
    assertThat(store.multiPutIfNewer(TABLE, second)).isEqualTo(expected);
    List<byte[]> got = store.multiGet(TABLE, first.stream().map(Entry::key).toList());
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)).as("row %d: %s then %s", i, hex(first.get(i).value()), hex(second.get(i).value()))
          .isEqualTo(expectedRows.get(i));
    }
  }

  /**
   * A row of format 1 (a 16-byte order key) or 2 (a length, then an order key of 16 to 24 bytes),
   * of bytes that straddle the sign bit and zeros, then a tail.
   */
  private static byte[] randomRow(Random random, byte[] interesting) {
    byte[] key = new byte[random.nextBoolean() ? 16 : 16 + random.nextInt(9)];
    for (int i = 0; i < key.length; i++) {
      key[i] = interesting[random.nextInt(interesting.length)];
    }
    return withKey(random, key);
  }

  private static byte[] withKey(Random random, byte[] key) {
    boolean v1 = key.length == 16 && random.nextInt(3) == 0;
    int head = v1 ? 1 : 3;
    byte[] row = new byte[head + key.length + 1 + random.nextInt(4)];
    row[0] = v1 ? RowEncoding.VERSION_1 : RowEncoding.VERSION;
    if (!v1) {
      row[1] = (byte) (key.length >>> 8);
      row[2] = (byte) key.length;
    }
    System.arraycopy(key, 0, row, head, key.length);
    for (int i = head + key.length; i < row.length; i++) {
      row[i] = (byte) random.nextInt(256);
    }
    return row;
  }

  /**
   * The same order key up to a random byte, then other bytes (or none: a prefix, or an extension);
   * the tail and the format may differ too.
   */
  private static byte[] mutate(Random random, byte[] row, byte[] interesting) {
    byte[] key = RowEncoding.orderKeyOf(row);
    int same = random.nextInt(key.length + 1);
    byte[] other = new byte[random.nextBoolean() ? key.length : 16 + random.nextInt(9)];
    for (int i = 0; i < other.length; i++) {
      other[i] = i < same ? key[i] : interesting[random.nextInt(interesting.length)];
    }
    return withKey(random, other);
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  // ---- script cache -----------------------------------------------------------------------------

  @Test
  void aServerThatForgotTheScriptGetsItAgain() {
    store.createTable(TABLE);
    raw().scriptFlush();
    assertThat(raw().scriptExists(PutIfNewerScript.SHA)).containsExactly(false);

    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), row(10, null, 1)),
        new Entry(userKey(2), row(10, null, 2)), new Entry(userKey(1), row(11, null, 3))))).isEqualTo(3);

    assertThat(raw().scriptExists(PutIfNewerScript.SHA)).containsExactly(true);
    assertThat(store.multiGet(TABLE, List.of(userKey(1), userKey(2))))
        .containsExactly(row(11, null, 3), row(10, null, 2));
  }

  @Test
  void aServerThatForgotTheSwapScriptGetsItAgain() {
    assertThat(raw().scriptExists(CompareAndSetScript.SHA)).as("loaded at open").containsExactly(true);
    raw().scriptFlush();

    assertThat(store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(1), null, row(10, null, 1)),
        new Swap(userKey(2), row(1, null, 1), row(10, null, 2))))).containsExactly(true, false);

    assertThat(raw().scriptExists(CompareAndSetScript.SHA)).containsExactly(true);
    assertThat(store.multiGet(TABLE, List.of(userKey(1), userKey(2)))).containsExactly(row(10, null, 1), null);
  }

  // ---- compare-and-set --------------------------------------------------------------------------

  @Test
  void theSwapScriptComparesWholeBinaryStrings() {
    byte[] stored = {0, (byte) 0xFF, 'a', 0, (byte) 0x80};
    raw().set(utf8(prefix + ":" + TABLE + ":{01020000000000000001}"), stored);
    // equal under a locale's collation or up to a NUL byte, but not byte for byte
    for (byte[] other : List.of(new byte[] {0, (byte) 0xFF, 'A', 0, (byte) 0x80}, new byte[] {0, (byte) 0xFF, 'a', 0},
        new byte[] {0, (byte) 0xFF, 'a', 0, (byte) 0x81}, new byte[] {0})) {
      assertThat(store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(1), other, new byte[] {1}))))
          .as("expecting %s", Arrays.toString(other)).containsExactly(false);
    }
    assertThat(store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(1), stored.clone(), new byte[] {0, 0}))))
        .containsExactly(true);
    assertThat(raw().get(utf8(prefix + ":" + TABLE + ":{01020000000000000001}"))).isEqualTo(new byte[] {0, 0});
  }

  @Test
  void twoSwapsOfOneKeyInACallAreRefusedAndNothingIsWritten() {
    assertThatThrownBy(() -> store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(1), null, row(10, null, 1)),
        new Swap(userKey(2), null, row(10, null, 2)), new Swap(userKey(1), null, row(11, null, 3)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("swaps 0 and 2");
    assertThatThrownBy(() -> store.multiCompareAndSet(TABLE, Arrays.asList(new Swap(userKey(1), null, null), null)))
        .isInstanceOf(NullPointerException.class);

    assertThat(store.multiGet(TABLE, List.of(userKey(1), userKey(2)))).containsOnlyNulls();
  }

  // ---- prefixes and table names -----------------------------------------------------------------

  @Test
  void keyPrefixesSeparateStoresOnOneServer() {
    try (OnlineStore other = open(prefix + "-other")) {
      store.createTable(TABLE);
      other.createTable(TABLE);
      store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), row(20, null, 1))));

      assertThat(other.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), row(10, null, 2))))).isEqualTo(1);
      other.dropTable(TABLE);

      assertThat(store.multiGet(TABLE, List.of(userKey(1)))).containsExactly(row(20, null, 1));
      assertThat(other.multiGet(TABLE, List.of(userKey(1)))).containsOnlyNulls();
    }
  }

  @Test
  void globCharactersInTableNamesDropOnlyThatTable() {
    List<String> tables = List.of("a*", "ab", "a?", "a[b]", "a\\b", "a:b", "a", "ünï.v1");
    for (String t : tables) {
      store.createTable(t);
      store.multiPutIfNewer(t, List.of(new Entry(userKey(1), row(10, null, t.length()))));
    }
    for (String dropped : tables) {
      store.dropTable(dropped);
      for (String t : tables) {
        boolean gone = tables.indexOf(t) <= tables.indexOf(dropped);
        assertThat(store.multiGet(t, List.of(userKey(1))).getFirst())
            .as("table %s after dropping %s", t, dropped)
            .isEqualTo(gone ? null : row(10, null, t.length()));
      }
    }
  }

  @Test
  void tableNamesWithBracesAreRefused() {
    assertThatThrownBy(() -> store.createTable("a{b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a{b'");
    assertThatThrownBy(() -> store.multiGet("a}", List.of(userKey(1)))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.multiPutIfNewer("", List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rowsWithoutAnOrderKeyAndNullsAreRefused() {
    assertThatThrownBy(() -> store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), new byte[16]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order key");
    assertThatThrownBy(() -> store.multiGet(TABLE, Arrays.asList(userKey(1), null))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.multiGet(null, List.of())).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aClosedStoreRefusesCallsAndClosesTwice() {
    OnlineStore s = open(prefix);
    s.close();
    s.close();
    assertThatThrownBy(() -> s.multiGet(TABLE, List.of(userKey(1)))).isInstanceOf(QuiverException.class)
        .hasMessageContaining("closed").hasMessageContaining("redis at 127.0.0.1:" + redis.port());
  }
}
