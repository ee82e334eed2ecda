package dev.quiver.online.redis;

import dev.quiver.testkit.LocalRedisCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.testkit.OnlineStoreContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The online store contract against a real three-master Redis Cluster, plus what is particular to
 * a cluster: rows spread over every master, a table is dropped from every master, the script
 * reaches every master, and the hash tag keeps one entity's rows of all tables in one slot.
 */
class RedisClusterOnlineStoreTest extends OnlineStoreContract {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static LocalRedisCluster cluster;
  private static RedisClient rawClient;
  private static final List<StatefulRedisConnection<String, String>> NODES = new ArrayList<>();

  private String prefix;

  @BeforeAll
  static void startCluster() {
    cluster = LocalRedisCluster.start(3);
    rawClient = RedisClient.create();
    for (int port : cluster.ports()) {
      NODES.add(rawClient.connect(RedisURI.create("127.0.0.1", port)));
    }
  }

  @AfterAll
  static void stopCluster() {
    NODES.clear();
    if (rawClient != null) {
      rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected OnlineStore newStore() {
    prefix = "c" + STORES.incrementAndGet();
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
    Map<String, Object> options = RedisOnlineStoreTest.options(cluster.urls(), prefix);
    options.put("cluster", true);
    return new RedisOnlineStoreProvider().open(options, Path.of("."));
  }

  /** The keys of this test's store on each master, through a plain connection to it. */
  private List<Set<String>> keysPerNode() {
    List<Set<String>> out = new ArrayList<>();
    for (StatefulRedisConnection<String, String> node : NODES) {
      out.add(new HashSet<>(node.sync().keys(prefix + ":*")));
    }
    return out;
  }

  @Test
  void rowsSpreadOverEveryMasterAndADropRemovesThemFromEach() {
    store.createTable(TABLE);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      entries.add(new Entry(userKey(i), row(10, null, i)));
    }
    assertThat(store.multiPutIfNewer(TABLE, entries)).isEqualTo(300);

    List<Set<String>> perNode = keysPerNode();
    int rows = 0;
    for (int n = 0; n < perNode.size(); n++) {
      long rowsHere = perNode.get(n).stream().filter(k -> k.contains(":{")).count();
      assertThat(rowsHere).as("rows on master %d of 3", n).isGreaterThan(50);
      rows += (int) rowsHere;
    }
    assertThat(rows).isEqualTo(300);

    store.dropTable(TABLE);
    assertThat(keysPerNode()).allSatisfy(keys -> assertThat(keys).noneMatch(k -> k.contains(":{")));
    assertThat(store.multiGet(TABLE, entries.stream().map(Entry::key).toList())).containsOnlyNulls();
  }

  @Test
  void oneEntitysRowsOfEveryTableShareASlot() {
    RedisCommands<String, String> any = NODES.getFirst().sync();
    for (long user : new long[] {0, 7, -1, Long.MAX_VALUE}) {
      String hex = java.util.HexFormat.of().formatHex(userKey(user));
      Set<Long> slots = new HashSet<>();
      for (String table : List.of(TABLE, "payments.user_txn.v2", "risk.scores.v1")) {
        slots.add(any.clusterKeyslot(prefix + ":" + table + ":{" + hex + "}"));
      }
      assertThat(slots).as("slots of user %d's rows", user).hasSize(1);
      assertThat(slots.iterator().next()).isEqualTo((long) SlotHash.getSlot(hex));
    }
  }

  @Test
  void mastersThatForgotTheScriptGetItAgain() {
    store.createTable(TABLE);
    for (StatefulRedisConnection<String, String> node : NODES) {
      node.sync().scriptFlush();
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      entries.add(new Entry(userKey(i), row(10, null, i)));
      entries.add(new Entry(userKey(i), row(11, null, 100 + i)));
    }

    assertThat(store.multiPutIfNewer(TABLE, entries)).isEqualTo(120);

    for (StatefulRedisConnection<String, String> node : NODES) {
      assertThat(node.sync().scriptExists(PutIfNewerScript.SHA)).as("script on master %s", node).containsExactly(true);
    }
    assertThat(store.multiGet(TABLE, List.of(userKey(0), userKey(59)))).containsExactly(row(11, null, 100), row(11, null, 159));
  }

  @Test
  void mastersThatForgotTheSwapScriptGetItAgain() {
    for (StatefulRedisConnection<String, String> node : NODES) {
      node.sync().scriptFlush();
    }
    List<Swap> swaps = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      swaps.add(new Swap(userKey(i), null, row(10, null, i)));
    }

    boolean[] done = store.multiCompareAndSet(TABLE, swaps);

    assertThat(done).hasSize(60).doesNotContain(false);
    for (StatefulRedisConnection<String, String> node : NODES) {
      assertThat(node.sync().scriptExists(CompareAndSetScript.SHA)).as("script on master %s", node).containsExactly(true);
    }
    assertThat(store.multiGet(TABLE, List.of(userKey(0), userKey(59)))).containsExactly(row(10, null, 0), row(10, null, 59));
  }

  @Test
  void theKeyLayoutIsTheStandaloneOne() {
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(7), row(10, null, 1))));

    String key = prefix + ":payments.user_txn.v1:{01020000000000000007}";
    List<Set<String>> perNode = keysPerNode();
    assertThat(perNode.stream().filter(keys -> keys.contains(key)).count()).isEqualTo(1);
    assertThat(perNode.stream().filter(keys -> keys.contains(prefix + ":tables")).count()).isEqualTo(1);
    int owner = 0;
    while (!perNode.get(owner).contains(key)) {
      owner++;
    }
    byte[] stored;
    try (var bytes = rawClient.connect(ByteArrayCodec.INSTANCE, RedisURI.create("127.0.0.1", cluster.ports().get(owner)))) {
      stored = bytes.sync().get(key.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(stored).isEqualTo(row(10, null, 1));
  }

  @Test
  void aSlotMovedToAnotherMasterAfterOpeningIsFollowed() {
    store.createTable(TABLE);
    store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), row(10, null, 1)))); // the store knows the topology
    // an entity whose slot is empty, moved from its master to the next one (as the last step of resharding)
    long user = 0;
    int slot = -1;
    int from = -1;
    for (long candidate = 9_000_000_000L; from < 0; candidate++) {
      user = candidate;
      slot = SlotHash.getSlot(java.util.HexFormat.of().formatHex(userKey(user)));
      for (int n = 0; n < NODES.size(); n++) {
        if (owns(n, slot) && NODES.get(n).sync().clusterCountKeysInSlot(slot) == 0) {
          from = n;
        }
      }
    }
    assertThat(from).as("the master of slot %d", slot).isNotNegative();
    int to = (from + 1) % NODES.size();
    String target = NODES.get(to).sync().clusterMyId();
    for (int n : new int[] {to, from, (to + 1) % NODES.size()}) {
      NODES.get(n).sync().clusterSetSlotNode(slot, target);
    }
    assertThat(owns(to, slot)).isTrue();

    // the store still sends the slot to its old master, gets MOVED, and follows it (a swap, then a put)
    assertThat(store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(user), null, row(9, null, 5)),
        new Swap(userKey(1), row(10, null, 1), row(10, null, 1))))).containsExactly(true, true);
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(user), row(10, null, 2)),
        new Entry(userKey(user), row(11, null, 3)), new Entry(userKey(2), row(10, null, 4))))).isEqualTo(3);
    assertThat(store.multiGet(TABLE, List.of(userKey(user), userKey(2), userKey(1))))
        .containsExactly(row(11, null, 3), row(10, null, 4), row(10, null, 1));
    assertThat(NODES.get(to).sync().clusterCountKeysInSlot(slot)).as("rows in slot %d on its new master", slot).isEqualTo(1);
    store.delete(TABLE, List.of(userKey(user)));
    assertThat(store.multiGet(TABLE, List.of(userKey(user)))).containsOnlyNulls();
  }

  private static boolean owns(int node, int slot) {
    String myId = NODES.get(node).sync().clusterMyId();
    return NODES.get(node).sync().clusterSlots().stream()
        .map(o -> (List<?>) o)
        .anyMatch(range -> ((Number) range.get(0)).intValue() <= slot && slot <= ((Number) range.get(1)).intValue()
            && ((List<?>) range.get(2)).get(2).equals(myId));
  }
}
