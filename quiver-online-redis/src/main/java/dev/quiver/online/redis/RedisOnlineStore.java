package dev.quiver.online.redis;

import static dev.quiver.online.redis.Replies.count;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.online.redis.RedisConnections.Lane;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>This class checks arguments and that the store is open, and sends the plain commands; the
 * connections and cluster routing are {@link RedisConnections}', reads {@link RowReads}', and the
 * script writes and compare-and-set {@link ScriptWrites}'.
 */
final class RedisOnlineStore implements OnlineStore {
  /** The SCAN COUNT of {@link #dropTable}. */
  static final int SCAN_COUNT = 1000;

  private final RedisKeys keys;
  private final RedisConnections connections;
  private final RowReads reads;
  private final ScriptWrites writes;
  private final String endpoint;
  private final Replies replies;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisOnlineStore(RedisSettings settings, Replies replies, RedisConnections connections) {
    this.keys = new RedisKeys(settings.keyPrefix());
    this.connections = connections;
    this.endpoint = settings.endpoint();
    this.replies = replies;
    this.reads = new RowReads(connections, replies);
    this.writes = new ScriptWrites(connections, replies, endpoint, settings.cluster());
  }

  /**
   * Connects {@code pool_size} connections and loads the script on every master.
   *
   * @throws QuiverException when Redis cannot be reached within the timeouts, or refuses the
   *     credentials
   */
  static RedisOnlineStore open(RedisSettings settings) {
    Replies replies = new Replies(settings.endpoint(), settings.commandTimeout());
    RedisOnlineStore store = new RedisOnlineStore(settings, replies, RedisConnections.open(settings, replies));
    try {
      store.connections.connectMasters();
      store.writes.loadScripts();
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
    replies.await(connections.lane().async().sadd(keys.tablesKey(), table.getBytes(StandardCharsets.UTF_8)),
        () -> "creating table " + table);
  }

  /** Unlinks every row of the table, a SCAN page at a time on every master, then forgets the table. */
  @Override
  public void dropTable(String table) {
    byte[] pattern = keys.rowPattern(table);
    ensureOpen();
    Supplier<String> what = () -> "dropping table " + table;
    Lane any = connections.lane();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    for (RedisClusterAsyncCommands<byte[], byte[]> node : connections.masters(any, what)) {
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

  /** {@inheritDoc} Through {@link RowReads}. */
  @Override
  public List<byte[]> multiGet(String table, List<byte[]> entityKeys) {
    byte[][] rowKeys = rowKeys(table, entityKeys);
    ensureOpen();
    if (rowKeys.length == 0) {
      return List.of();
    }
    return reads.get(table, rowKeys);
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
    byte[] start = keys.rowKeyStart(table);
    Objects.requireNonNull(entries, "entries");
    ensureOpen();
    if (entries.isEmpty()) {
      return 0;
    }
    return writes.putUnlessOlder(table, start, entries, replaceEqual);
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
    if (swaps.isEmpty()) {
      return new boolean[0];
    }
    return writes.compareAndSet(table, start, swaps);
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
    replies.await(connections.lane().async().mset(rows), () -> "writing " + count(rows.size(), "row") + " to table " + table);
  }

  @Override
  public void delete(String table, List<byte[]> entityKeys) {
    byte[][] rowKeys = rowKeys(table, entityKeys);
    ensureOpen();
    if (rowKeys.length == 0) {
      return;
    }
    replies.await(connections.lane().async().unlink(rowKeys),
        () -> "deleting " + count(rowKeys.length, "key") + " of table " + table);
  }

  /** PINGs the server, or every master of the cluster. */
  @Override
  public void check() {
    ensureOpen();
    Supplier<String> what = () -> "checking it answers (PING)";
    for (RedisClusterAsyncCommands<byte[], byte[]> node : connections.masters(connections.lane(), what)) {
      replies.await(node.ping(), what);
    }
  }

  /** Closes the connections and shuts Lettuce's threads down; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connections.close();
  }

  @Override
  public String toString() {
    return "RedisOnlineStore[" + endpoint + ", key_prefix " + keys.prefix() + "]";
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
}
