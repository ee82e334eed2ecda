package dev.quiver.online.redis;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.RowEncoding;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * The online store over Redis, standalone or Redis Cluster, through Lettuce. Opened by {@link
 * RedisOnlineStoreProvider}.
 *
 * <h2>Key layout, format 1</h2>
 *
 * <pre>
 * row key    = prefix ":" table ":{" hex(entity key) "}"     ; a string holding the row
 * tables key = prefix ":tables"                              ; a set of the created tables' names
 *
 * e.g. quiver:payments.user_txn.v1:{01020000000000000007}  for user_id 7 (int64)
 * </pre>
 *
 * <ul>
 *   <li>{@code prefix} is the {@code key_prefix} option (default {@code quiver}); {@code table} is the
 *       name passed to the store, verbatim (UTF-8; it may not hold <code>&#123;</code> or <code>&#125;</code>).
 *   <li>{@code hex(entity key)} is the {@link dev.quiver.core.online.KeyEncoding} key, two lowercase hex
 *       digits per byte, so keys are printable in {@code redis-cli} and never hold a brace.
 *   <li>The braces are a Redis Cluster hash tag: only the entity key decides the slot, so every
 *       table's row of one entity lives on the same node.
 *   <li>The value is the {@link RowEncoding} row, byte for byte; no TTL is set (reads judge age by
 *       the row's event time).
 * </ul>
 *
 * <h2>Calls</h2>
 *
 * Each batch call is one round trip: its commands are pipelined on one connection and answered
 * together.
 *
 * <ul>
 *   <li>{@link #multiGet}: standalone, one {@code MGET}; in a cluster, one {@code GET} per key, sent
 *       to the master of its slot with one write per master.
 *   <li>{@link #multiPutIfNewer} (and {@link #multiPutIfNotOlder}, with a second script that replaces
 *       equal order keys too): the entries of one key are first reduced to the newest on the
 *       client (the count returned is still that of applying them in sequence); then {@code EVALSHA}
 *       calls of {@link PutIfNewerScript}, each for up to {@value ScriptCalls#SCRIPT_KEYS} keys or 1 MB of rows
 *       (in a cluster: keys of one slot, again one write per master). A server that answers {@code
 *       NOSCRIPT} (restarted, failed over, flushed) gets the script by {@code EVAL}, which caches it
 *       again; a {@code MOVED} or {@code ASK} (a slot being resharded) is followed the same way.
 *   <li>{@link #multiCompareAndSet}: {@code EVALSHA} calls of {@link CompareAndSetScript}, grouped
 *       like those of {@link #multiPutIfNewer}; a script's {@code GET}, compare and {@code SET} (or
 *       {@code DEL}) run atomically, so swaps are atomic against every client in every process.
 *   <li>{@link #delete}: {@code UNLINK}. {@link #dropTable}: <code>SCAN MATCH prefix:table:&#123;*</code>
 *       on every master and {@code UNLINK} of each page (rows written while it runs may survive it).
 *       {@link #createTable} records the name in the tables key. {@link #check}: {@code PING} to
 *       every master.
 * </ul>
 *
 * <h2>Threads, nulls, errors</h2>
 *
 * Thread-safe: calls from any number of threads share {@code pool_size} Lettuce connections,
 * which multiplex them. Every call blocks its thread until Redis has answered. Each command must be
 * answered within {@code command_timeout} of being sent, or the call fails with a {@link
 * QuiverException} naming the server ("redis at host:port did not answer within 500ms ..."); so
 * a batch Redis needs longer than that to work through fails too (batches of some thousands of
 * rows take milliseconds). While a connection is down its commands are rejected at once rather
 * than queued, with the same message. Lettuce reconnects in the background, so the same instance
 * works again once Redis is back. A failed write may have been applied in part; writes are
 * idempotent, so retry it. Null arguments, keys or entries throw {@link NullPointerException}; a
 * table name holding a brace, or a row shorter than its order key, {@link IllegalArgumentException}.
 */
final class RedisOnlineStore implements OnlineStore {
  /** The SCAN COUNT of {@link #dropTable}. */
  static final int SCAN_COUNT = 1000;

  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

  private final RedisSettings settings;
  private final RedisKeys keys;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final List<StatefulConnection<byte[], byte[]>> connections;
  private final List<Lane> lanes;
  private final String endpoint;
  private final Replies replies;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisOnlineStore(RedisSettings settings, ClientResources resources, AbstractRedisClient client,
      List<StatefulConnection<byte[], byte[]>> connections) {
    this.settings = settings;
    this.keys = new RedisKeys(settings.keyPrefix());
    this.resources = resources;
    this.client = client;
    this.connections = List.copyOf(connections);
    List<Lane> lanes = new ArrayList<>();
    for (StatefulConnection<byte[], byte[]> c : connections) {
      lanes.add(switch (c) {
        case StatefulRedisClusterConnection<byte[], byte[]> cluster -> new Lane(cluster.async(), cluster);
        case StatefulRedisConnection<byte[], byte[]> standalone -> new Lane(standalone.async(), null);
        default -> throw new IllegalStateException("unexpected connection " + c.getClass());
      });
    }
    this.lanes = List.copyOf(lanes);
    this.endpoint = settings.endpoint();
    this.replies = new Replies(endpoint, settings.commandTimeout());
  }

  /**
   * Connects {@code pool_size} connections and loads the script on every master.
   *
   * @throws QuiverException when Redis cannot be reached within the timeouts, or refuses the
   *     credentials
   */
  static RedisOnlineStore open(RedisSettings settings) {
    ClientResources resources = DefaultClientResources.builder()
        // retry soon after a loss, then every second at most: serving resumes quickly after an outage
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(settings.commandTimeout());
    AbstractRedisClient client = null;
    List<StatefulConnection<byte[], byte[]>> connections = new ArrayList<>();
    try {
      if (settings.cluster()) {
        RedisClusterClient cluster = RedisClusterClient.create(resources, settings.uris());
        client = cluster;
        cluster.setOptions(ClusterClientOptions.builder()
            .socketOptions(socket)
            .timeoutOptions(timeouts)
            .autoReconnect(true)
            .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
            // Lettuce 7 refreshes the topology on MOVED, ASK, reconnects and unknown nodes by default;
            // a periodic refresh also notices changes no command ran into
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(Duration.ofSeconds(30))
                .build())
            .build());
        for (int i = 0; i < settings.poolSize(); i++) {
          connections.add(cluster.connect(ByteArrayCodec.INSTANCE));
        }
      } else {
        RedisClient standalone = RedisClient.create(resources, settings.uris().getFirst());
        client = standalone;
        standalone.setOptions(ClientOptions.builder()
            .socketOptions(socket)
            .timeoutOptions(timeouts)
            .autoReconnect(true)
            .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
            .build());
        for (int i = 0; i < settings.poolSize(); i++) {
          connections.add(standalone.connect(ByteArrayCodec.INSTANCE));
        }
      }
    } catch (RuntimeException e) {
      shutdown(client, resources);
      throw new QuiverException(settings.endpoint() + " could not be connected to within "
          + Durations.format(settings.connectTimeout()) + " (connect_timeout) and "
          + Durations.format(settings.commandTimeout()) + " (command_timeout): " + Replies.messages(e)
          + "; check the url, credentials and that Redis is running" + (settings.cluster() ? " in cluster mode" : ""), e);
    }
    RedisOnlineStore store = new RedisOnlineStore(settings, resources, client, connections);
    try {
      store.connectMasters();
      store.loadScript();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** Records the table in the tables key; rows need no other preparation. */
  @Override
  public void createTable(String table) {
    RedisKeys.check(table);
    ensureOpen();
    replies.await(lane().async().sadd(keys.tablesKey(), table.getBytes(StandardCharsets.UTF_8)), () -> "creating table " + table);
  }

  /** Unlinks every row of the table, a SCAN page at a time on every master, then forgets the table. */
  @Override
  public void dropTable(String table) {
    byte[] pattern = keys.rowPattern(table);
    ensureOpen();
    Supplier<String> what = () -> "dropping table " + table;
    Lane any = lane();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    for (RedisClusterAsyncCommands<byte[], byte[]> node : masters(any, what)) {
      KeyScanCursor<byte[]> page = replies.await(node.scan(args), what);
      while (true) {
        if (!page.getKeys().isEmpty()) {
          // through the cluster connection, which splits the UNLINK by slot
          replies.await(any.async().unlink(page.getKeys().toArray(new byte[0][])), what);
        }
        if (page.isFinished()) {
          break;
        }
        page = replies.await(node.scan(page, args), what);
      }
    }
    replies.await(any.async().srem(keys.tablesKey(), table.getBytes(StandardCharsets.UTF_8)), what);
  }

  @Override
  public List<byte[]> multiGet(String table, List<byte[]> entityKeys) {
    byte[][] rowKeys = rowKeys(table, entityKeys);
    ensureOpen();
    if (rowKeys.length == 0) {
      return List.of();
    }
    Supplier<String> what = () -> "reading " + count(rowKeys.length, "key") + " of table " + table;
    Lane lane = lane();
    if (lane.cluster() != null) {
      // a GET per key, one write per master; Lettuce's own cluster MGET would flush once per slot
      List<Future<byte[]>> futures = sendToMasters(lane.cluster(), rowKeys.length, i -> SlotHash.getSlot(rowKeys[i]),
          i -> new AsyncCommand<>(new Command<>(CommandType.GET, new ValueOutput<>(CODEC),
              new CommandArgs<>(CODEC).addKey(rowKeys[i]))),
          what);
      return Collections.unmodifiableList(replies.awaitAll(futures, i -> lane.async().get(rowKeys[i]), what));
    }
    List<KeyValue<byte[], byte[]>> got = replies.await(lane.async().mget(rowKeys), what);
    List<byte[]> out = new ArrayList<>(got.size());
    for (KeyValue<byte[], byte[]> kv : got) {
      out.add(kv.hasValue() ? kv.getValue() : null);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public int multiPutIfNewer(String table, List<Entry> entries) {
    return putUnlessOlder(table, entries, false);
  }

  /** {@inheritDoc} As {@link #multiPutIfNewer}, with {@link PutIfNewerScript#NOT_OLDER_SOURCE}. */
  @Override
  public int multiPutIfNotOlder(String table, List<Entry> entries) {
    return putUnlessOlder(table, entries, true);
  }

  /** Writes the entries newer than the stored rows, or also equal ones with {@code replaceEqual}. */
  private int putUnlessOlder(String table, List<Entry> entries, boolean replaceEqual) {
    String sha = replaceEqual ? PutIfNewerScript.NOT_OLDER_SHA : PutIfNewerScript.SHA;
    byte[] script = replaceEqual ? PutIfNewerScript.NOT_OLDER_BYTES : PutIfNewerScript.BYTES;
    byte[] start = keys.rowKeyStart(table);
    Objects.requireNonNull(entries, "entries");
    ensureOpen();
    if (entries.isEmpty()) {
      return 0;
    }
    Map<ByteBuffer, PendingPut> byKey = new LinkedHashMap<>();
    for (Entry e : entries) {
      Objects.requireNonNull(e, "entry");
      if (!RowEncoding.hasOrderKey(e.value())) {
        throw new IllegalArgumentException("a row of " + e.value().length + " bytes holds no whole order key;"
            + " rows come from RowEncoding.encode");
      }
      PendingPut p = byKey.get(ByteBuffer.wrap(e.key()));
      if (p == null) {
        byKey.put(ByteBuffer.wrap(e.key()), new PendingPut(RedisKeys.rowKey(start, e.key()), e.value(), replaceEqual));
      } else {
        p.add(e.value());
      }
    }
    List<List<PendingPut>> calls = ScriptCalls.group(new ArrayList<>(byKey.values()), settings.cluster());
    Supplier<String> what = () -> "writing " + count(entries.size(), "row") + " to table " + table;

    Lane lane = lane();
    RedisClusterAsyncCommands<byte[], byte[]> c = lane.async();
    List<Future<List<Object>>> futures;
    if (lane.cluster() != null) {
      futures = sendToMasters(lane.cluster(), calls.size(), i -> SlotHash.getSlot(calls.get(i).getFirst().rowKey),
          i -> ScriptCalls.evalsha(sha, calls.get(i)), what);
    } else {
      futures = new ArrayList<>(calls.size());
      for (List<PendingPut> call : calls) {
        futures.add(c.evalsha(sha, ScriptOutputType.MULTI, ScriptCalls.rowKeysOf(call), ScriptCalls.rowsOf(call)));
      }
    }
    // NOSCRIPT (restart, failover, SCRIPT FLUSH), MOVED or ASK: once more by EVAL, which sends the
    // script and caches it again, through the connection that follows redirections
    List<List<Object>> before = replies.awaitAll(futures,
        i -> c.eval(script, ScriptOutputType.MULTI, ScriptCalls.rowKeysOf(calls.get(i)), ScriptCalls.rowsOf(calls.get(i))),
        what);
    int written = 0;
    for (int i = 0; i < calls.size(); i++) {
      List<PendingPut> call = calls.get(i);
      List<Object> stored = before.get(i);
      if (stored == null || stored.size() != call.size()) {
        throw new QuiverException(endpoint + " answered the put-if-newer script with " + stored + " for " + call.size()
            + " keys; is another script loaded under SHA " + sha + "?");
      }
      for (int j = 0; j < call.size(); j++) {
        written += call.get(j).written((byte[]) stored.get(j));
      }
    }
    return written;
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code EVALSHA} calls of {@link CompareAndSetScript}, each for up to {@value ScriptCalls#SCRIPT_KEYS}
   * keys or about 1 MB of expected and new rows (in a cluster: keys of one slot, one write per
   * master), pipelined in one round trip; {@code NOSCRIPT}, {@code MOVED} and {@code ASK} are
   * followed as for {@link #multiPutIfNewer}. A script runs atomically on its server, so every
   * client of the server, in any process, sees each swap whole. When the call throws (a timeout, a
   * lost connection), some swaps may have been applied: read the rows again before retrying.
   *
   * @throws IllegalArgumentException when two swaps have the same key
   */
  @Override
  public boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
    byte[] start = keys.rowKeyStart(table);
    Objects.requireNonNull(swaps, "swaps");
    ensureOpen();
    boolean[] done = new boolean[swaps.size()];
    if (swaps.isEmpty()) {
      return done;
    }
    byte[][] rowKeys = new byte[swaps.size()][];
    Map<ByteBuffer, Integer> seen = new HashMap<>();
    for (int i = 0; i < rowKeys.length; i++) {
      Swap s = Objects.requireNonNull(swaps.get(i), "swap");
      Integer before = seen.put(ByteBuffer.wrap(s.key()), i);
      if (before != null) {
        throw new IllegalArgumentException("swaps " + before + " and " + i + " of table " + table
            + " have the same key; a call swaps each key once");
      }
      rowKeys[i] = RedisKeys.rowKey(start, s.key());
    }
    List<int[]> calls = ScriptCalls.swapCalls(rowKeys, swaps, settings.cluster());
    Supplier<String> what = () -> "swapping " + count(swaps.size(), "row") + " of table " + table;
    Lane lane = lane();
    RedisClusterAsyncCommands<byte[], byte[]> c = lane.async();
    List<Future<List<Object>>> futures;
    if (lane.cluster() != null) {
      futures = sendToMasters(lane.cluster(), calls.size(), i -> SlotHash.getSlot(rowKeys[calls.get(i)[0]]), i -> {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC).add(CompareAndSetScript.SHA).add(calls.get(i).length)
            .addKeys(ScriptCalls.swapKeys(calls.get(i), rowKeys)).addValues(ScriptCalls.swapArgs(calls.get(i), swaps));
        return new AsyncCommand<>(new Command<>(CommandType.EVALSHA, new NestedMultiOutput<>(CODEC), args));
      }, what);
    } else {
      futures = new ArrayList<>(calls.size());
      for (int[] call : calls) {
        futures.add(c.evalsha(CompareAndSetScript.SHA, ScriptOutputType.MULTI, ScriptCalls.swapKeys(call, rowKeys),
            ScriptCalls.swapArgs(call, swaps)));
      }
    }
    List<List<Object>> answers = replies.awaitAll(futures, i -> c.eval(CompareAndSetScript.BYTES, ScriptOutputType.MULTI,
        ScriptCalls.swapKeys(calls.get(i), rowKeys), ScriptCalls.swapArgs(calls.get(i), swaps)), what);
    for (int i = 0; i < calls.size(); i++) {
      int[] call = calls.get(i);
      List<Object> answer = answers.get(i);
      if (answer == null || answer.size() != call.length) {
        throw new QuiverException(endpoint + " answered the compare-and-set script with " + answer + " for "
            + call.length + " keys; is another script loaded under SHA " + CompareAndSetScript.SHA + "?");
      }
      for (int j = 0; j < call.length; j++) {
        done[call[j]] = Long.valueOf(1).equals(answer.get(j));
      }
    }
    return done;
  }


  /** {@inheritDoc} One {@code MSET} (split by slot in a cluster). */
  @Override
  public void multiPut(String table, List<Entry> entries) {
    byte[] start = keys.rowKeyStart(table);
    Objects.requireNonNull(entries, "entries");
    ensureOpen();
    if (entries.isEmpty()) {
      return;
    }
    Map<ByteBuffer, Entry> last = new LinkedHashMap<>();
    for (Entry e : entries) {
      Objects.requireNonNull(e, "entry");
      last.put(ByteBuffer.wrap(e.key()), e);
    }
    Map<byte[], byte[]> rows = new LinkedHashMap<>();
    for (Entry e : last.values()) {
      rows.put(RedisKeys.rowKey(start, e.key()), e.value());
    }
    replies.await(lane().async().mset(rows), () -> "writing " + count(rows.size(), "row") + " to table " + table);
  }

  @Override
  public void delete(String table, List<byte[]> entityKeys) {
    byte[][] rowKeys = rowKeys(table, entityKeys);
    ensureOpen();
    if (rowKeys.length == 0) {
      return;
    }
    replies.await(lane().async().unlink(rowKeys), () -> "deleting " + count(rowKeys.length, "key") + " of table " + table);
  }

  /** PINGs the server, or every master of the cluster. */
  @Override
  public void check() {
    ensureOpen();
    Supplier<String> what = () -> "checking it answers (PING)";
    for (RedisClusterAsyncCommands<byte[], byte[]> node : masters(lane(), what)) {
      replies.await(node.ping(), what);
    }
  }

  /** Closes the connections and shuts Lettuce's threads down; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (StatefulConnection<byte[], byte[]> c : connections) {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // shutting down anyway
      }
    }
    shutdown(client, resources);
  }

  @Override
  public String toString() {
    return "RedisOnlineStore[" + endpoint + ", key_prefix " + keys.prefix() + "]";
  }

  // ---- internals --------------------------------------------------------------------------------

  /**
   * Connects every cluster connection to every master now. Lettuce opens node connections on first
   * use, and with REJECT_COMMANDS it rejects commands for a node whose connection is still opening.
   */
  private void connectMasters() {
    for (Lane lane : lanes) {
      masters(lane, () -> "connecting to every master");
    }
  }

  private void loadScript() {
    loadScript(PutIfNewerScript.BYTES, PutIfNewerScript.SHA);
    loadScript(PutIfNewerScript.NOT_OLDER_BYTES, PutIfNewerScript.NOT_OLDER_SHA);
    loadScript(CompareAndSetScript.BYTES, CompareAndSetScript.SHA);
  }

  private void loadScript(byte[] script, String expected) {
    Supplier<String> what = () -> "loading the write scripts";
    for (RedisClusterAsyncCommands<byte[], byte[]> node : masters(lane(), what)) {
      String sha;
      try {
        sha = replies.awaitRaw(List.of(node.scriptLoad(script)), 0, what);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RedisCommandExecutionException) {
          continue; // e.g. an ACL without SCRIPT: the first write sends the script by EVAL instead
        }
        throw replies.failure(what.get(), e.getCause());
      }
      if (!expected.equals(sha)) {
        throw new QuiverException(endpoint + " gave a write script the SHA-1 " + sha + ", expected " + expected);
      }
    }
  }

  /** One pooled connection: its async commands, and the cluster connection (null when standalone). */
  private record Lane(RedisClusterAsyncCommands<byte[], byte[]> async,
      StatefulRedisClusterConnection<byte[], byte[]> cluster) {}

  /** The next connection of the pool, round robin. */
  private Lane lane() {
    return lanes.get(Math.floorMod(next.getAndIncrement(), lanes.size()));
  }

  /** The server itself, or the connections to every master that serves slots. */
  private List<RedisClusterAsyncCommands<byte[], byte[]>> masters(Lane lane, Supplier<String> what) {
    if (lane.cluster() == null) {
      return List.of(lane.async());
    }
    List<RedisClusterAsyncCommands<byte[], byte[]>> out = new ArrayList<>();
    for (RedisClusterNode node : lane.cluster().getPartitions()) {
      if (node.getRole().isUpstream() && !node.getSlots().isEmpty()) {
        try {
          // by host and port, the connection the cluster connection routes keys of the node's slots to
          out.add(lane.cluster().getConnection(node.getUri().getHost(), node.getUri().getPort()).async());
        } catch (RuntimeException e) {
          throw replies.failure(what.get() + " on " + node.getUri().getHost() + ":" + node.getUri().getPort(), e);
        }
      }
    }
    if (out.isEmpty()) {
      throw new QuiverException(endpoint + " has no master serving slots; is the cluster set up (CLUSTER INFO should"
          + " say cluster_state:ok)?");
    }
    return out;
  }

  /**
   * Sends command {@code i} (for {@code i < n}) to the master serving {@code slotOf(i)}: one write
   * and flush per master, where Lettuce's cluster routing would flush once per slot. A command that
   * meets a slot being moved comes back with MOVED or ASK, for {@link Replies#awaitAll} to send again
   * through the cluster connection, which follows redirections. Returns the futures, aligned.
   */
  private <T> List<Future<T>> sendToMasters(StatefulRedisClusterConnection<byte[], byte[]> connection, int n,
      IntUnaryOperator slotOf, IntFunction<AsyncCommand<byte[], byte[], T>> commandOf, Supplier<String> what) {
    Partitions partitions = connection.getPartitions();
    Map<RedisClusterNode, List<Integer>> byMaster = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      int slot = slotOf.applyAsInt(i);
      RedisClusterNode master = partitions.getMasterBySlot(slot);
      if (master == null) {
        throw new QuiverException(endpoint + " has no master for slot " + slot + " while " + what.get()
            + "; is the cluster complete (CLUSTER INFO should say cluster_state:ok)?");
      }
      byMaster.computeIfAbsent(master, m -> new ArrayList<>()).add(i);
    }
    List<Future<T>> futures = new ArrayList<>(Collections.nCopies(n, null));
    for (Map.Entry<RedisClusterNode, List<Integer>> group : byMaster.entrySet()) {
      RedisURI uri = group.getKey().getUri();
      StatefulRedisConnection<byte[], byte[]> node;
      try {
        node = connection.getConnection(uri.getHost(), uri.getPort());
      } catch (RuntimeException e) {
        futures.stream().filter(Objects::nonNull).forEach(f -> f.cancel(false));
        throw replies.failure(what.get() + " on " + uri.getHost() + ":" + uri.getPort(), e);
      }
      List<AsyncCommand<byte[], byte[], T>> batch = new ArrayList<>(group.getValue().size());
      for (int i : group.getValue()) {
        AsyncCommand<byte[], byte[], T> command = commandOf.apply(i);
        futures.set(i, command);
        batch.add(command);
      }
      node.dispatch(batch);
    }
    return futures;
  }



  private byte[][] rowKeys(String table, List<byte[]> entityKeys) {
    byte[] start = keys.rowKeyStart(table);
    Objects.requireNonNull(entityKeys, "keys");
    byte[][] out = new byte[entityKeys.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = RedisKeys.rowKey(start, Objects.requireNonNull(entityKeys.get(i), "key"));
    }
    return out;
  }



  private void ensureOpen() {
    if (closed.get()) {
      throw new QuiverException("the online store " + this + " is closed");
    }
  }


  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static void shutdown(AbstractRedisClient client, ClientResources resources) {
    try {
      if (client != null) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    } catch (RuntimeException ignored) {
      // best effort: the resources below own the threads
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }
}
