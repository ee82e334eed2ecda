package dev.quiver.online.redis;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.testkit.LocalRedis;
import dev.quiver.testkit.OrderKeyContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The tie order of rows ({@link OrderKeyContract}) in Redis: the Lua scripts compare whole order keys. */
class RedisOrderKeyTest extends OrderKeyContract {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static LocalRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = LocalRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected OnlineStore newStore() {
    return new RedisOnlineStoreProvider().open(RedisOnlineStoreTest.options(redis.url(), "ties" + STORES.incrementAndGet()),
        java.nio.file.Path.of("."));
  }
}
