package dev.quiver.online.redis;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * The Lettuce side of a {@link RedisOnlineStore}: the client, its threads and the pool of {@code
 * pool_size} connections, standalone or to a cluster, handed out round robin as {@link Lane}s; the
 * masters of a cluster, and sending commands to them one write per master. Thread-safe.
 */
final class RedisConnections {
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final List<StatefulConnection<byte[], byte[]>> connections;
  private final List<Lane> lanes;
  private final String endpoint;
  private final Replies replies;
  private final AtomicInteger next = new AtomicInteger();

  /** One pooled connection: its async commands, and the cluster connection (null when standalone). */
  record Lane(RedisClusterAsyncCommands<byte[], byte[]> async,
      StatefulRedisClusterConnection<byte[], byte[]> cluster) {}

  private RedisConnections(ClientResources resources, AbstractRedisClient client,
      List<StatefulConnection<byte[], byte[]>> connections, String endpoint, Replies replies) {
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
    this.endpoint = endpoint;
    this.replies = replies;
  }

  /**
   * Connects {@code pool_size} connections.
   *
   * @throws QuiverException when Redis cannot be reached within the timeouts, or refuses the
   *     credentials
   */
  static RedisConnections open(RedisSettings settings, Replies replies) {
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
    return new RedisConnections(resources, client, connections, settings.endpoint(), replies);
  }

  /**
   * Connects every cluster connection to every master now. Lettuce opens node connections on first
   * use, and with REJECT_COMMANDS it rejects commands for a node whose connection is still opening.
   */
  void connectMasters() {
    for (Lane lane : lanes) {
      masters(lane, () -> "connecting to every master");
    }
  }

  /** The next connection of the pool, round robin. */
  Lane lane() {
    return lanes.get(Math.floorMod(next.getAndIncrement(), lanes.size()));
  }

  /** The server itself, or the connections to every master that serves slots. */
  List<RedisClusterAsyncCommands<byte[], byte[]>> masters(Lane lane, Supplier<String> what) {
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
  <T> List<Future<T>> sendToMasters(StatefulRedisClusterConnection<byte[], byte[]> connection, int n,
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

  /** Closes the connections and shuts Lettuce's threads down; call once. */
  void close() {
    for (StatefulConnection<byte[], byte[]> c : connections) {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // shutting down anyway
      }
    }
    shutdown(client, resources);
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
