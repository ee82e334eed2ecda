package dev.quiver.online.redis;

import dev.quiver.testkit.LocalRedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.RowEncoding;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a serving process sees when Redis goes away or stops answering: calls fail within {@code
 * command_timeout} with a message naming the server, and the same store instance works again once
 * Redis is back, without being reopened.
 */
@Timeout(60)
class RedisOutageTest {
  private static final String TABLE = "payments.user_txn.v1";
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  /** What may come on top of the timeout: Lettuce's timer ticks every 100 ms, and the machine is busy. */
  private static final Duration SLACK = Duration.ofMillis(700);

  private LocalRedis redis;
  private OnlineStore store;

  @BeforeEach
  void start() {
    redis = LocalRedis.start();
    Map<String, Object> options = new HashMap<>();
    options.put("url", redis.url());
    options.put("command_timeout", "500ms");
    // opening is not what these tests time (openingWhenNothingListens... is): a loaded 2-core CI machine
    // may take longer than 500 ms to connect to the just-started server
    options.put("connect_timeout", "10s");
    store = new RedisOnlineStoreProvider().open(options, Path.of("."));
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static byte[] key(long id) {
    return KeyEncoding.encode(List.of(ScalarType.INT64), List.of(id));
  }

  private static byte[] row(long second) {
    return RowEncoding.encode(Instant.parse("2024-05-01T12:00:00Z").plusSeconds(second), null,
        List.of("x"), List.of(ScalarType.INT64), List.of(second));
  }

  @Test
  void aStoppedServerFailsCallsWithinTheTimeoutAndTheSameStoreRecoversWhenItIsBack() throws Exception {
    store.createTable(TABLE);
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(key(1), row(10))))).isEqualTo(1);

    redis.stop();

    String expected = "redis at 127.0.0.1:" + redis.port() + " did not answer within 500ms";
    assertFailsWithin(() -> store.multiGet(TABLE, List.of(key(1))), expected);
    assertFailsWithin(() -> store.multiPutIfNewer(TABLE, List.of(new Entry(key(1), row(11)))), expected);
    assertFailsWithin(store::check, expected);
    assertFailsWithin(() -> store.delete(TABLE, List.of(key(1))), expected);
    assertFailsWithin(() -> store.dropTable(TABLE), expected);
    Thread.sleep(300); // a few reconnect attempts fail meanwhile
    assertFailsWithin(() -> store.multiGet(TABLE, List.of(key(1))), expected);

    redis.startAgain(); // same port, empty, and without the script

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        store.check();
        break;
      } catch (QuiverException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the store did not reconnect within 10 s of Redis coming back", e);
        }
        Thread.sleep(50);
      }
    }
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(key(1), row(12)), new Entry(key(2), row(5)))))
        .as("writes after the outage (the restarted server has no script yet)").isEqualTo(2);
    assertThat(store.multiGet(TABLE, List.of(key(1), key(2)))).containsExactly(row(12), row(5));
  }

  @Test
  void aServerThatDoesNotAnswerTimesOutAfterTheCommandTimeout() throws Exception {
    store.createTable(TABLE);
    RedisClient admin = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      // the server holds every client's commands for 2 s: connected, but silent
      c.sync().clientPause(2000);

      long start = System.nanoTime();
      assertThatThrownBy(() -> store.multiGet(TABLE, List.of(key(1))))
          .isInstanceOf(QuiverException.class)
          .hasMessageStartingWith("redis at 127.0.0.1:" + redis.port() + " did not answer within 500ms (command_timeout)")
          .hasMessageContaining("reading 1 key of table " + TABLE);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("time to fail").isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50)).isLessThan(TIMEOUT.plus(SLACK));

      Thread.sleep(2100);
      assertThatCode(store::check).as("after the pause").doesNotThrowAnyException();
      assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(key(1), row(1))))).isEqualTo(1);
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void openingWhenNothingListensFailsWithinTheConnectTimeout() {
    int port = LocalRedis.freePort(false);
    Map<String, Object> options = new HashMap<>();
    options.put("url", "redis://127.0.0.1:" + port);
    options.put("connect_timeout", "300ms");
    long start = System.nanoTime();
    assertThatThrownBy(() -> new RedisOnlineStoreProvider().open(options, Path.of(".")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("redis at 127.0.0.1:" + port + " could not be connected to within 300ms (connect_timeout)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  private static void assertFailsWithin(Runnable call, String message) {
    long start = System.nanoTime();
    assertThatThrownBy(call::run).isInstanceOf(QuiverException.class).hasMessageStartingWith(message);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("time to fail").isLessThan(TIMEOUT.plus(SLACK));
  }
}
