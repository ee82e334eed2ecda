package dev.quiver.bench.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checker's bookkeeping against a server whose answer (the newest seq of every user) the test sets. */
class FreshnessCheckerTest {
  private final AtomicLong served = new AtomicLong(-1); // -1: null (the user has no value yet)
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/get-online-features", exchange -> {
      exchange.getRequestBody().readAllBytes();
      long v = served.get();
      byte[] body = ("{\"metadata\": {\"feature_names\": [\"user_id\", \"seq\"]}, \"results\": [{\"values\": [1]},"
          + " {\"values\": [" + (v < 0 ? "null" : v) + "]}]}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private FreshnessChecker checker(Duration patience) {
    return new FreshnessChecker("127.0.0.1", server.getAddress().getPort(), "user_stream:seq", Duration.ofMillis(5),
        patience);
  }

  @Test
  void aSampleIsSeenOnceItsUsersSeqReachesItAndTimedFromItsSend() throws Exception {
    FreshnessChecker c = checker(Duration.ofSeconds(30));
    long sent = System.nanoTime();
    c.add(1, 5, sent);
    c.finish();
    Thread t = new Thread(c);
    t.start();
    served.set(4); // an older event of the user: not yet
    Thread.sleep(200);
    assertThat(c.done()).isFalse();
    served.set(7); // a newer one: the sample's event was applied
    t.join(10_000);

    assertThat(c.done()).isTrue();
    assertThat(c.unseen()).isZero();
    assertThat(c.freshness().getTotalCount()).isEqualTo(1);
    assertThat(c.freshness().getMaxValue()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200))
        .isLessThanOrEqualTo((long) ((System.nanoTime() - sent) * 1.01)); // 3 significant digits
  }

  @Test
  void aSampleNeverSeenCountsAsUnseenAtItsAgeWhenTheCheckerGivesUp() throws Exception {
    FreshnessChecker c = checker(Duration.ofMillis(300));
    c.add(1, 5, System.nanoTime());
    c.finish();
    c.run();

    assertThat(c.unseen()).isEqualTo(1);
    assertThat(c.freshness().getTotalCount()).as("in the percentiles, not left out").isEqualTo(1);
    assertThat(c.freshness().getMaxValue()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    assertThat(c.requests()).isPositive();
    assertThat(c.failedRequests()).isZero();
  }
}
