package dev.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import redis.embedded.RedisServer;

/**
 * A real redis-server (6.2, shipped inside the embedded-redis jar) on a free loopback port, without
 * persistence. It can be stopped and started again on the same port, as an outage would. Starting
 * fails with the server's own output rather than skipping anything.
 */
public final class LocalRedis implements AutoCloseable {
  private final int port;
  private final RedisServer server;

  private LocalRedis(int port, RedisServer server) {
    this.port = port;
    this.server = server;
  }

  /** A standalone server. */
  public static LocalRedis start() {
    int port = freePort(false);
    return start(port, List.of());
  }

  /** A standalone server that requires {@code password} ({@code requirepass}). */
  public static LocalRedis startWithPassword(String password) {
    return start(freePort(false), List.of("requirepass " + password));
  }

  /** A node of a Redis Cluster, its nodes file in {@code dir}; its bus port (port + 10000) is free too. */
  public static LocalRedis startClusterNode(Path dir) {
    int port = freePort(true);
    return start(port, List.of(
        "cluster-enabled yes",
        "cluster-config-file " + dir.resolve("nodes-" + port + ".conf").toAbsolutePath(),
        "cluster-node-timeout 5000",
        "dir " + dir.toAbsolutePath()));
  }

  private static LocalRedis start(int port, List<String> extra) {
    try {
      var builder = RedisServer.newRedisServer()
          .bind("127.0.0.1")
          .port(port)
          .setting("save \"\"")
          .setting("appendonly no")
          .setting("protected-mode no");
      for (String s : extra) {
        builder.setting(s);
      }
      RedisServer server = builder.build();
      LocalRedis redis = new LocalRedis(port, server);
      redis.startAgain();
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException("could not configure redis-server on port " + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the process (SIGTERM); the port is free again when this returns. */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop redis-server on port " + port, e);
    }
  }

  /** Starts the process again on the same port (empty: nothing is persisted). */
  public void startAgain() {
    try {
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException("redis-server did not start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    if (!server.isActive()) {
      throw new IllegalStateException("redis-server on 127.0.0.1:" + port + " is not active after starting");
    }
  }

  @Override
  public void close() {
    if (server.isActive()) {
      stop();
    }
  }

  /** A port free on loopback; for a cluster node also its bus port, port + 10000. */
  public static int freePort(boolean withBus) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = withBus ? ThreadLocalRandom.current().nextInt(20_000, 30_000) : 0;
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = s.getLocalPort();
      } catch (IOException busy) {
        continue;
      }
      if (!withBus || bindable(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("found no free loopback port for redis-server in 200 attempts");
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
