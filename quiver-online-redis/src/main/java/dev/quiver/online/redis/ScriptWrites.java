package dev.quiver.online.redis;

import static dev.quiver.online.redis.Replies.count;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.online.redis.RedisConnections.Lane;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The writes of a {@link RedisOnlineStore} that run as Lua scripts: loading {@link PutIfNewerScript}
 * (both variants) and {@link CompareAndSetScript} on every master, the conditional puts, and
 * compare-and-set. Each call sends its {@code EVALSHA} calls in one round trip (in a cluster, one
 * write per master) and sends a call again by {@code EVAL} on {@code NOSCRIPT}, {@code MOVED} or
 * {@code ASK}. The caller has checked the arguments and that the store is open. Thread-safe.
 */
final class ScriptWrites {
  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

  private final RedisConnections connections;
  private final Replies replies;
  private final String endpoint;
  private final boolean cluster;

  ScriptWrites(RedisConnections connections, Replies replies, String endpoint, boolean cluster) {
    this.connections = connections;
    this.replies = replies;
    this.endpoint = endpoint;
    this.cluster = cluster;
  }

  /** Loads every script on every master; a server that refuses SCRIPT LOAD gets them by EVAL later. */
  void loadScripts() {
    loadScript(PutIfNewerScript.BYTES, PutIfNewerScript.SHA);
    loadScript(PutIfNewerScript.NOT_OLDER_BYTES, PutIfNewerScript.NOT_OLDER_SHA);
    loadScript(CompareAndSetScript.BYTES, CompareAndSetScript.SHA);
  }

  private void loadScript(byte[] script, String expected) {
    Supplier<String> what = () -> "loading the write scripts";
    for (RedisClusterAsyncCommands<byte[], byte[]> node : connections.masters(connections.lane(), what)) {
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

  /**
   * Writes the non-empty {@code entries} newer than the stored rows, or also equal ones with {@code
   * replaceEqual}; the count of applying them in sequence. {@code start} is the table's row-key start.
   */
  int putUnlessOlder(String table, byte[] start, List<Entry> entries, boolean replaceEqual) {
    String sha = replaceEqual ? PutIfNewerScript.NOT_OLDER_SHA : PutIfNewerScript.SHA;
    byte[] script = replaceEqual ? PutIfNewerScript.NOT_OLDER_BYTES : PutIfNewerScript.BYTES;
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
    List<List<PendingPut>> calls = ScriptCalls.group(new ArrayList<>(byKey.values()), cluster);
    Supplier<String> what = () -> "writing " + count(entries.size(), "row") + " to table " + table;

    Lane lane = connections.lane();
    RedisClusterAsyncCommands<byte[], byte[]> c = lane.async();
    List<Future<List<Object>>> futures;
    if (lane.cluster() != null) {
      futures = connections.sendToMasters(lane.cluster(), calls.size(),
          i -> SlotHash.getSlot(calls.get(i).getFirst().rowKey), i -> ScriptCalls.evalsha(sha, calls.get(i)), what);
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
   * Applies the non-empty {@code swaps}; whether each was done, aligned with them. {@code start} is
   * the table's row-key start.
   *
   * @throws IllegalArgumentException when two swaps have the same key
   */
  boolean[] compareAndSet(String table, byte[] start, List<Swap> swaps) {
    boolean[] done = new boolean[swaps.size()];
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
    List<int[]> calls = ScriptCalls.swapCalls(rowKeys, swaps, cluster);
    Supplier<String> what = () -> "swapping " + count(swaps.size(), "row") + " of table " + table;
    Lane lane = connections.lane();
    RedisClusterAsyncCommands<byte[], byte[]> c = lane.async();
    List<Future<List<Object>>> futures;
    if (lane.cluster() != null) {
      futures = connections.sendToMasters(lane.cluster(), calls.size(), i -> SlotHash.getSlot(rowKeys[calls.get(i)[0]]), i -> {
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
}
