package dev.quiver.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.bench.serve.StubServer.Answer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The overload benchmark's validity checks: the offer it really made, the JIT warm-up's end, a CPU's busy share. */
class OverloadToolingTest {
  private static final List<byte[]> BODY = List.of("{\"features\": [\"v:f\"]}".getBytes(StandardCharsets.UTF_8));

  private static LoadGenerator.Settings settings(StubServer server, double rate, int connections, long durationMs,
      long timeoutMs) {
    return new LoadGenerator.Settings("127.0.0.1", server.port(), "/get-online-features", BODY, rate, connections,
        Duration.ZERO, Duration.ofMillis(durationMs), Duration.ofMillis(timeoutMs), 1);
  }

  @Test
  void aGeneratorThatKeepsUpOffersTheRateAsked() {
    try (StubServer server = new StubServer(n -> Answer.ok(), -1, 0)) {
      LoadResult r = new LoadGenerator().run(settings(server, 500, 8, 1_000, 5_000));

      assertThat(r.sent()).isEqualTo(500);
      assertThat(r.sendSeconds()).as("the last request is due at 0.998 s (a cold JVM on a busy machine sends late)")
          .isBetween(0.9, 2.0);
      assertThat(r.offeredRate(1.0)).isEqualTo(500 / Math.max(1.0, r.sendSeconds()));
      assertThat(r.offerHeld(1.0, 0.95)).isEqualTo(r.sendSeconds() <= 1.0 / 0.95);
      assertThat(r.offeredRate(1.0)).as("far above the 5/s of the test below").isGreaterThan(250.0);
    }
  }

  /** One connection to a server answering in 200 ms can carry 5 requests a second, not the 100 asked. */
  @Test
  void aGeneratorThatFallsBehindIsCaughtShort() {
    try (StubServer server = new StubServer(n -> new Answer(200, 200), -1, 0)) {
      LoadResult r = new LoadGenerator().run(settings(server, 100, 1, 1_000, 1_000));

      assertThat(r.offeredRate(1.0)).as("about 10 sent in 2 s").isLessThan(20.0);
      assertThat(r.offerHeld(1.0, 0.95)).isFalse();
    }
  }

  @Test
  void aClosedLoopHasNoOfferToCheck() {
    try (StubServer server = new StubServer(n -> Answer.ok(), -1, 0)) {
      LoadResult r = new LoadGenerator().run(settings(server, 0, 2, 300, 2_000));

      assertThat(r.offeredRate(0.3)).isZero();
      assertThat(r.offerHeld(0.3, 0.95)).isTrue();
    }
  }

  @Test
  void theWarmUpEndsAfterTwoQuietRoundsAndSaysSo() throws Exception {
    AtomicInteger rounds = new AtomicInteger();
    ByteArrayOutputStream text = new ByteArrayOutputStream();

    boolean settled = new WarmThenPin(10, 1e9).warmThenPin(ProcessHandle.current().pid(), rounds::incrementAndGet,
        List.of(), new PrintStream(text, true, StandardCharsets.UTF_8));

    assertThat(settled).isTrue();
    assertThat(rounds).hasValue(2);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("warm-up round 2").contains("JIT settled after 2 rounds");
  }

  @Test
  void aJitThatNeverSettlesStopsTheWarmUpAtItsLimitAndIsReported() throws Exception {
    AtomicInteger rounds = new AtomicInteger();
    ByteArrayOutputStream text = new ByteArrayOutputStream();

    boolean settled = new WarmThenPin(3, -1).warmThenPin(ProcessHandle.current().pid(), rounds::incrementAndGet,
        List.of(), new PrintStream(text, true, StandardCharsets.UTF_8));

    assertThat(settled).isFalse();
    assertThat(rounds).hasValue(3);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("JIT NOT settled after 3 rounds");
  }

  @Test
  void aCpuIsBusyWhileThisThreadSpinsOnIt() throws Exception {
    CpuBusy before = CpuBusy.now();
    assertThat(before.all()).as("/proc/stat lists each CPU").containsKey(0);
    long end = System.nanoTime() + 300_000_000L;
    double x = 0;
    while (System.nanoTime() < end) {
      x += Math.sqrt(x + 1);
    }
    CpuBusy after = CpuBusy.now();
    double total = 0;
    for (int cpu : after.all().keySet()) {
      double share = after.busyShare(before, cpu);
      assertThat(share).isBetween(0.0, 1.0);
      total += share;
    }
    assertThat(total).as("the spinning thread kept about one CPU busy (x=%s)", x).isGreaterThan(0.5);
    assertThat(after.line(before, "0")).matches("CPU 0 \\d+% busy");
  }
}
