package dev.quiver.online.redis;

import dev.quiver.core.online.OnlineStore.Swap;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@link RedisOnlineStore} cuts a batch into script calls: chunks of up to {@value #SCRIPT_KEYS}
 * keys or about {@value #SCRIPT_BYTES} bytes of rows, and in a cluster only keys of one slot per
 * call (a script may touch keys of one slot only). Stateless; the arguments are not copied.
 */
final class ScriptCalls {
  /** Keys per script call: large enough to amortize a call, small enough not to block Redis. */
  static final int SCRIPT_KEYS = 100;
  /** Bytes of rows per script call, so 1 MB rows go a few at a time. */
  static final int SCRIPT_BYTES = 1 << 20;

  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

  private ScriptCalls() {}

  /** Script calls: chunks of keys, and in a cluster of keys of one slot. */
  static List<List<PendingPut>> group(List<PendingPut> pending, boolean cluster) {
    List<List<PendingPut>> calls = new ArrayList<>();
    if (!cluster) {
      chunk(pending, calls);
      return calls;
    }
    Map<Integer, List<PendingPut>> bySlot = new LinkedHashMap<>();
    for (PendingPut p : pending) {
      bySlot.computeIfAbsent(SlotHash.getSlot(p.rowKey), s -> new ArrayList<>()).add(p);
    }
    for (List<PendingPut> slot : bySlot.values()) {
      chunk(slot, calls);
    }
    return calls;
  }

  private static void chunk(List<PendingPut> pending, List<List<PendingPut>> calls) {
    List<PendingPut> call = new ArrayList<>();
    long bytes = 0;
    for (PendingPut p : pending) {
      if (!call.isEmpty() && (call.size() >= SCRIPT_KEYS || bytes + p.max.length > SCRIPT_BYTES)) {
        calls.add(call);
        call = new ArrayList<>();
        bytes = 0;
      }
      call.add(p);
      bytes += p.max.length;
    }
    if (!call.isEmpty()) {
      calls.add(call);
    }
  }

  static byte[][] rowKeysOf(List<PendingPut> call) {
    byte[][] out = new byte[call.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = call.get(i).rowKey;
    }
    return out;
  }

  static byte[][] rowsOf(List<PendingPut> call) {
    byte[][] out = new byte[call.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = call.get(i).max;
    }
    return out;
  }

  /** An {@code EVALSHA} of {@code sha} over one call's keys and newest rows, for a cluster node's connection. */
  static AsyncCommand<byte[], byte[], List<Object>> evalsha(String sha, List<PendingPut> call) {
    CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC).add(sha).add(call.size());
    for (PendingPut p : call) {
      args.addKey(p.rowKey);
    }
    for (PendingPut p : call) {
      args.addValue(p.max);
    }
    return new AsyncCommand<>(new Command<>(CommandType.EVALSHA, new NestedMultiOutput<>(CODEC), args));
  }

  /** The swaps' indexes per script call: chunks by keys and bytes, and in a cluster of keys of one slot. */
  static List<int[]> swapCalls(byte[][] rowKeys, List<Swap> swaps, boolean cluster) {
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < rowKeys.length; i++) {
      int group = cluster ? SlotHash.getSlot(rowKeys[i]) : 0;
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(i);
    }
    List<int[]> calls = new ArrayList<>();
    for (List<Integer> group : groups.values()) {
      int from = 0;
      long bytes = 0;
      for (int j = 0; j <= group.size(); j++) {
        long size = 0;
        if (j < group.size()) {
          Swap s = swaps.get(group.get(j));
          size = (s.expected() == null ? 0 : s.expected().length) + (s.value() == null ? 0 : s.value().length);
        }
        boolean full = j - from >= SCRIPT_KEYS || bytes + size > SCRIPT_BYTES;
        if (j > from && (j == group.size() || full)) {
          calls.add(group.subList(from, j).stream().mapToInt(Integer::intValue).toArray());
          from = j;
          bytes = 0;
        }
        bytes += size;
      }
    }
    return calls;
  }

  static byte[][] swapKeys(int[] call, byte[][] rowKeys) {
    byte[][] out = new byte[call.length][];
    for (int j = 0; j < call.length; j++) {
      out[j] = rowKeys[call[j]];
    }
    return out;
  }

  /** Expected and new row of each swap (empty when null), then the modes of {@link CompareAndSetScript}. */
  static byte[][] swapArgs(int[] call, List<Swap> swaps) {
    byte[][] out = new byte[2 * call.length + 1][];
    byte[] modes = new byte[call.length];
    for (int j = 0; j < call.length; j++) {
      Swap s = swaps.get(call[j]);
      out[2 * j] = s.expected() == null ? new byte[0] : s.expected();
      out[2 * j + 1] = s.value() == null ? new byte[0] : s.value();
      modes[j] = CompareAndSetScript.mode(s.expected(), s.value());
    }
    out[out.length - 1] = modes;
    return out;
  }
}
