package dev.quiver.online.redis;

import static dev.quiver.online.redis.Replies.count;

import dev.quiver.online.redis.RedisConnections.Lane;
import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The reads of a {@link RedisOnlineStore}, in one round trip: standalone, one {@code MGET}; in a
 * cluster, one {@code GET} per key, sent to the master of its slot with one write per master (a
 * {@code MOVED} or {@code ASK} is followed). Thread-safe.
 */
final class RowReads {
  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

  private final RedisConnections connections;
  private final Replies replies;

  RowReads(RedisConnections connections, Replies replies) {
    this.connections = connections;
    this.replies = replies;
  }

  /** The rows under the non-empty {@code rowKeys} of {@code table}, aligned, null where absent. */
  List<byte[]> get(String table, byte[][] rowKeys) {
    Supplier<String> what = () -> "reading " + count(rowKeys.length, "key") + " of table " + table;
    Lane lane = connections.lane();
    if (lane.cluster() != null) {
      // a GET per key, one write per master; Lettuce's own cluster MGET would flush once per slot
      List<Future<byte[]>> futures = connections.sendToMasters(lane.cluster(), rowKeys.length,
          i -> SlotHash.getSlot(rowKeys[i]),
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
}
