package dev.quiver.bench.online;

import dev.quiver.testkit.LocalRedis;
import java.io.IOException;

/**
 * Starts a redis-server (6.2, from the embedded-redis jar, via {@code LocalRedis}: loopback, a free
 * port, no persistence), prints {@code url redis://127.0.0.1:PORT} and {@code pid N} on standard
 * output, and stops it when standard input closes. The Feast script runs Feast's Redis online store
 * against it, so both sides use the same server build.
 */
public final class RedisServerMain {
  private RedisServerMain() {}

  public static void main(String[] args) throws IOException {
    try (LocalRedis redis = LocalRedis.start()) {
      System.out.println("url " + redis.url());
      System.out.println("pid " + Machine.redisChild().map(ProcessHandle::pid).orElse(-1L));
      System.out.flush();
      while (System.in.read() >= 0) {
        // until standard input closes
      }
    }
  }
}
