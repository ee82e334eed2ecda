package dev.quiver.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.bench.serve.StubServer.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The load generator's bookkeeping, against a stub server started in the test. */
class LoadGeneratorTest {
  private static final List<byte[]> BODY = List.of("{\"features\": [\"v:f\"]}".getBytes(StandardCharsets.UTF_8));
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private static LoadGenerator.Settings settings(StubServer server, double rate, int connections, long warmupMs,
      long durationMs, long timeoutMs, int ioThreads) {
    return new LoadGenerator.Settings("127.0.0.1", server.port(), "/get-online-features", BODY, rate, connections,
        Duration.ofMillis(warmupMs), Duration.ofMillis(durationMs), Duration.ofMillis(timeoutMs), ioThreads);
  }

  /**
   * A server that stalls once for 100 ms, at 1,000 req/s: about 100 requests are intended during the
   * stall, and each must show the time it waited (those intended in its first half at least 50 ms),
   * although only the few in flight on the 8 connections wait that long after their send.
   */
  @ParameterizedTest(name = "io threads {0}")
  @ValueSource(ints = {1, 2})
  void aStallShowsAsLatencyForEveryRequestIntendedDuringIt(int ioThreads) {
    try (StubServer server = new StubServer(n -> Answer.ok(), 1_000, 100)) {
      LoadResult r = new LoadGenerator().run(settings(server, 1_000, 8, 500, 2_000, 10_000, ioThreads));

      assertThat(server.stallStartedNanos()).as("the stall happened").isNotZero();
      assertThat(r.latency().getTotalCount()).as("every recorded request is in the histogram").isEqualTo(2_000);
      assertThat(r.ok()).isEqualTo(2_000);
      assertThat(r.clean()).isTrue();
      assertThat(r.sent()).isEqualTo(2_500);
      long slow = r.latency().getCountBetweenValues(50 * MS, Long.MAX_VALUE / 2);
      long slowService = r.service().getCountBetweenValues(50 * MS, Long.MAX_VALUE / 2);
      assertThat(slow).as("requests intended in the stall's first half waited >= 50 ms").isBetween(40L, 150L);
      assertThat(slowService).as("timed from the send, only those in flight on the 8 connections look slow")
          .isLessThanOrEqualTo(16L);
      assertThat(r.maxMs()).as("the first request of the stall waited the whole 100 ms").isBetween(95.0, 400.0);
    }
  }

  @ParameterizedTest(name = "io threads {0}")
  @ValueSource(ints = {1, 2})
  void countsEveryRequestAndEveryStatus(int ioThreads) {
    try (StubServer server = new StubServer(n -> n % 5 == 4 ? new Answer(503, 0) : Answer.ok(), -1, 0)) {
      // a long timeout: a cold JVM on a busy machine may fall behind, but must not reach the hard stop
      LoadResult r = new LoadGenerator().run(settings(server, 2_000, 4, 0, 1_000, 10_000, ioThreads));

      assertThat(server.received()).isEqualTo(2_000);
      assertThat(r.sent()).isEqualTo(2_000);
      assertThat(r.latency().getTotalCount()).isEqualTo(2_000);
      assertThat(r.service().getTotalCount()).isEqualTo(2_000);
      assertThat(r.ok()).isEqualTo(1_600);
      assertThat(r.nonOk()).isEqualTo(Map.of(503, 400L));
      assertThat(r.timeouts() + r.unsent() + r.connectionErrors()).isZero();
      // never faster than the schedule; slower only if a cold JVM on a busy machine fell behind
      assertThat(r.achievedRate()).isBetween(1_000.0, 2_001.0);
      assertThat(r.seconds()).isBetween(1.0, 10.0);
    }
  }

  /** Slow 200s and fast 503s: the admitted and refused latencies are kept apart, and the timeline has every answer. */
  @Test
  void admittedAndRefusedLatenciesAreSeparateAndTheTimelineHasEveryAnswer() {
    try (StubServer server = new StubServer(n -> n % 4 == 3 ? new Answer(503, 0) : new Answer(200, 30), -1, 0)) {
      LoadResult r = new LoadGenerator().timeline(true).run(settings(server, 200, 16, 500, 2_000, 10_000, 1));

      assertThat(r.ok()).isEqualTo(300);
      assertThat(r.nonOk()).isEqualTo(Map.of(503, 100L));
      assertThat(r.admitted().getTotalCount()).isEqualTo(300);
      assertThat(r.refused().getTotalCount()).isEqualTo(100);
      assertThat(r.admittedMs(1)).as("every 200 took the stub's 30 ms").isGreaterThanOrEqualTo(29.0);
      assertThat(r.refusedMs(50)).as("the 503s came back without the delay").isLessThan(r.admittedMs(50));
      assertThat(r.timeline()).as("warm-up answers included").hasSize(500);
      assertThat(r.timeline().stream().filter(x -> x.status() == 503).count()).isEqualTo(125);
      assertThat(r.timeline()).isSortedAccordingTo(java.util.Comparator.comparingLong(LoadResult.Sample::intended));
      assertThat(new LoadGenerator().run(settings(server, 100, 2, 0, 500, 10_000, 1)).timeline())
          .as("no timeline unless asked for").isEmpty();
    }
  }

  /**
   * Every answer a 503 with {@code Retry-After: 1}, 100 requests due over 1 s on 4 connections: the
   * open model sends them all; clients honouring the header send one per connection and then wait a
   * second each time, so only a few a second go out and the rest are never sent before the hard stop.
   */
  @Test
  void clientsHonouringRetryAfterWaitAsToldAndTheOpenModelDoesNot() {
    try (StubServer server = new StubServer(n -> new Answer(503, 0), -1, 0)) {
      LoadResult open = new LoadGenerator().run(settings(server, 100, 4, 0, 1_000, 2_500, 1));
      assertThat(open.sent()).isEqualTo(100);
      assertThat(open.nonOk()).isEqualTo(Map.of(503, 100L));
    }
    try (StubServer server = new StubServer(n -> new Answer(503, 0), -1, 0)) {
      LoadResult polite = new LoadGenerator().honourRetryAfter(true).run(settings(server, 100, 4, 0, 1_000, 2_500, 1));
      // 3.5 s from the first send to the hard stop: each connection sends at 0, 1, 2 and 3 s at most
      assertThat(server.received()).isBetween(4L, 16L);
      assertThat(polite.sent()).isEqualTo(server.received());
      assertThat(polite.unsent()).isEqualTo(100 - polite.sent());
      assertThat(polite.nonOk().get(503)).isEqualTo(polite.sent());
    }
  }

  @Test
  void anUnansweredRequestTimesOutAndItsConnectionIsReplaced() {
    try (StubServer server = new StubServer(n -> n == 10 ? new Answer(-1, 0) : Answer.ok(), -1, 0)) {
      LoadResult r = new LoadGenerator().run(settings(server, 200, 1, 0, 1_000, 300, 1));

      assertThat(r.timeouts()).isEqualTo(1);
      assertThat(r.ok()).isEqualTo(199);
      assertThat(r.connectionErrors()).isZero();
      assertThat(server.received()).as("the requests after it went over a new connection").isEqualTo(200);
      assertThat(r.latency().getTotalCount()).isEqualTo(200);
      assertThat(r.maxMs()).as("the timed-out request is recorded at its lower bound").isGreaterThanOrEqualTo(300.0);
      assertThat(r.clean()).isFalse();
    }
  }

  /** A server far slower than the rate: the backlog is recorded, and the run still ends on time. */
  @Test
  void aServerBehindScheduleIsRecordedAsLatencyAndTheRunStopsByItself() {
    try (StubServer server = new StubServer(n -> new Answer(200, 200), -1, 0)) {
      long started = System.nanoTime();
      LoadResult r = new LoadGenerator().run(settings(server, 100, 1, 0, 1_000, 1_000, 1));
      double wall = (System.nanoTime() - started) / 1e9;

      assertThat(wall).as("duration + timeout, then it stops").isLessThan(4.0);
      assertThat(r.ok() + r.timeouts() + r.unsent()).isEqualTo(100);
      assertThat(r.latency().getTotalCount()).isEqualTo(100);
      assertThat(r.ok()).as("about 5 answers a second for 2 s").isBetween(5L, 11L);
      assertThat(r.timeouts()).isLessThanOrEqualTo(1);
      assertThat(r.ms(50)).as("most requests waited for the backlog").isGreaterThan(400.0);
      assertThat(r.service().getValueAtPercentile(50) / 1e6).as("while each one took 200 ms").isBetween(199.0, 400.0);
    }
  }

  @Test
  void theClosedLoopSendsOnEachResponse() {
    try (StubServer server = new StubServer(n -> new Answer(200, 2), -1, 0)) {
      LoadResult r = new LoadGenerator().run(settings(server, 0, 4, 200, 1_000, 2_000, 2));

      assertThat(r.clean()).isTrue();
      assertThat(r.latency().getTotalCount()).isEqualTo(r.ok());
      assertThat(r.achievedRate()).as("4 connections, 2 ms each: at most 2,000 req/s").isBetween(300.0, 2_000.0);
      assertThat(r.ms(50)).isGreaterThanOrEqualTo(2.0);
      assertThat(server.received()).isEqualTo(r.sent());
    }
  }

  @Test
  void onlyLoopbackIsATarget() {
    LoadGenerator.Settings s = new LoadGenerator.Settings("192.0.2.1", 80, "/", BODY, 10, 1, Duration.ZERO,
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
    assertThatThrownBy(() -> new LoadGenerator().run(s)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only targets loopback");
    assertThat(LoadGenerator.loopback("localhost").isLoopbackAddress()).isTrue();
  }
}
