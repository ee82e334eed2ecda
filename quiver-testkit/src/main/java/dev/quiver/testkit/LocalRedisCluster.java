package dev.quiver.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real Redis Cluster of {@code n} masters (no replicas) on loopback, built the way {@code
 * redis-cli --cluster create} builds one: start {@code n} redis-servers with {@code cluster-enabled
 * yes} and their own nodes files in a temporary directory, give each a distinct config epoch and an
 * equal share of the 16384 slots ({@code CLUSTER ADDSLOTS}), introduce them ({@code CLUSTER MEET}),
 * then wait until every node reports {@code cluster_state:ok} and knows all nodes. Starting fails
 * with the nodes' {@code CLUSTER INFO} rather than skipping anything.
 */
public final class LocalRedisCluster implements AutoCloseable {
  private static final Duration READY_WITHIN = Duration.ofSeconds(30);

  private final Path dir;
  private final List<LocalRedis> nodes;

  private LocalRedisCluster(Path dir, List<LocalRedis> nodes) {
    this.dir = dir;
    this.nodes = nodes;
  }

  public static LocalRedisCluster start(int masters) {
    Path dir;
    try {
      dir = Files.createTempDirectory("quiver-redis-cluster");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<LocalRedis> nodes = new ArrayList<>();
    LocalRedisCluster cluster = new LocalRedisCluster(dir, nodes);
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(LocalRedis.startClusterNode(dir));
      }
      cluster.form();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void form() {
    RedisClient client = RedisClient.create();
    try {
      List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
      for (LocalRedis node : nodes) {
        connections.add(client.connect(RedisURI.create("127.0.0.1", node.port())));
      }
      int n = nodes.size();
      for (int i = 0; i < n; i++) {
        RedisCommands<String, String> sync = connections.get(i).sync();
        sync.clusterSetConfigEpoch(i + 1);
        int from = 16384 * i / n;
        int to = 16384 * (i + 1) / n;
        sync.clusterAddSlots(IntStream.range(from, to).toArray());
      }
      for (int i = 1; i < n; i++) {
        connections.getFirst().sync().clusterMeet("127.0.0.1", nodes.get(i).port());
      }
      long deadline = System.nanoTime() + READY_WITHIN.toNanos();
      while (true) {
        List<String> infos = connections.stream().map(c -> c.sync().clusterInfo()).toList();
        boolean ready = infos.stream().allMatch(info -> info.contains("cluster_state:ok")
            && info.contains("cluster_known_nodes:" + n) && info.contains("cluster_slots_ok:16384"));
        if (ready) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the Redis Cluster on ports " + ports() + " was not ready within "
              + READY_WITHIN + "; CLUSTER INFO of each node:\n" + String.join("\n---\n", infos));
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while forming the Redis Cluster", e);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  public List<Integer> ports() {
    return nodes.stream().map(LocalRedis::port).toList();
  }

  /** The seed URLs, comma-separated, as the {@code url} option takes them. */
  public String urls() {
    return nodes.stream().map(LocalRedis::url).collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (LocalRedis node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
    if (failure != null) {
      throw failure;
    }
  }
}
