package dev.quiver.online.redis;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Opens the Redis online store, {@code online.type: redis} in {@code quiver.yaml}:
 *
 * <pre>{@code
 * online:
 *   type: redis
 *   url: redis://localhost:6379      # rediss:// for TLS; user:password@ and /database allowed
 *   # cluster: true                  # url then lists seed nodes: redis://h1:6379,redis://h2:6379
 *   # username: quiver               # Redis 6 ACL user; password alone for requirepass
 *   # password: secret               # overrides one in the url
 *   # tls: true                      # implied by rediss://
 *   # connect_timeout: 1s            # opening a connection
 *   # command_timeout: 500ms         # any call; past it the call fails
 *   # pool_size: 2                   # shared, multiplexed connections
 *   # key_prefix: quiver             # keys are <prefix>:<table>:{<hex entity key>}
 * }</pre>
 *
 * <p>{@code url} may also be a YAML list. Durations take a unit ({@code ms, s, m}). Lettuce
 * connections are thread-safe and pipeline the requests of every thread, so a couple of them serve
 * a busy server; more help only when one connection's I/O thread is the bottleneck. The key layout
 * and the behaviour on timeouts and outages are described on the store itself (package
 * documentation).
 *
 * <p>Found by {@link java.util.ServiceLoader}; stateless and thread-safe.
 */
public final class RedisOnlineStoreProvider implements OnlineStoreProvider {

  /** The {@code online.type} this provider opens. */
  public static final String TYPE = "redis";

  /** For {@link java.util.ServiceLoader}. */
  public RedisOnlineStoreProvider() {}

  /** Returns {@value #TYPE}. */
  @Override
  public String type() {
    return TYPE;
  }

  /**
   * Connects to Redis (or the cluster) and returns a thread-safe store; close it to release its
   * connections and threads.
   *
   * @param options the {@code online} section of {@code quiver.yaml}
   * @param repoRoot unused: Redis has no local files
   * @throws dev.quiver.core.QuiverException for unknown or malformed options (naming them), or when
   *     Redis cannot be reached within the timeouts or refuses the credentials
   * @throws NullPointerException when an argument is null
   */
  @Override
  public OnlineStore open(Map<String, Object> options, Path repoRoot) {
    Objects.requireNonNull(repoRoot, "repoRoot");
    return RedisOnlineStore.open(RedisSettings.parse(options));
  }
}
