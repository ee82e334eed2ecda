package dev.quiver.bench.online;

import dev.quiver.testkit.LocalRedis;
import java.util.Optional;

/**
 * One online store under test: its {@code online:} section for quiver.yaml, and for Redis the
 * redis-server behind it (a fresh {@link LocalRedis}, redis 6.2 from the embedded-redis jar, started
 * by {@link #start} and ended by {@link #close}).
 */
public final class Stores implements AutoCloseable {
  public final String type;
  private final LocalRedis redis;

  private Stores(String type, LocalRedis redis) {
    this.type = type;
    this.redis = redis;
  }

  /** Starts what the store needs: nothing for RocksDB, a new empty redis-server for Redis. */
  public static Stores start(String type) {
    return switch (type) {
      case "rocksdb" -> new Stores(type, null);
      case "redis" -> new Stores(type, LocalRedis.start());
      default -> throw new IllegalArgumentException("unknown store " + type + " (rocksdb, redis)");
    };
  }

  /** The {@code online:} value of quiver.yaml. */
  public String yaml() {
    return redis == null
        ? "{type: rocksdb, path: .quiver/online}"
        // a 10,000-row batch is 100 script calls answered together; allow for a loaded machine
        : "{type: redis, url: '" + redis.url() + "', command_timeout: 10s}";
  }

  /** The options of the same section, for opening the store without a repo. */
  java.util.Map<String, Object> options(String rocksdbPath) {
    return redis == null
        ? java.util.Map.of("type", "rocksdb", "path", rocksdbPath)
        : java.util.Map.of("type", "redis", "url", redis.url(), "command_timeout", "10s");
  }

  String url() {
    return redis == null ? null : redis.url();
  }

  /** The redis-server process, if any. */
  public Optional<ProcessHandle> server() {
    return redis == null ? Optional.empty() : Machine.redisChild();
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }
}
