package dev.quiver.core.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** FeatureRepo's close contract as its call gate keeps it: refuse new calls, wait for running ones. */
class CallGateTest {
  private static final Path ROOT = Path.of("/repos/shop");

  @Test
  void callsRunUntilCloseBeginsAndAreRefusedAfter() {
    CallGate gate = new CallGate(ROOT);
    assertThat(gate.call(() -> 42)).isEqualTo(42);

    assertThat(gate.beginClose()).isTrue();
    assertThat(gate.beginClose()).as("a second close does nothing").isFalse();
    assertThatThrownBy(() -> gate.call(() -> 42))
        .isInstanceOf(QuiverException.class)
        .hasMessage("the feature repo at " + ROOT + " is closed");
  }

  @Test
  void awaitCallsReturnsOnlyOnceTheCallsInFlightReturned() throws Exception {
    CallGate gate = new CallGate(ROOT);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread caller = Thread.ofPlatform().start(() -> gate.call(() -> {
      running.countDown();
      await(release);
      return null;
    }));
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    gate.beginClose();

    CountDownLatch waited = new CountDownLatch(1);
    Thread closer = Thread.ofPlatform().start(() -> {
      gate.awaitCalls(Duration.ofSeconds(30));
      waited.countDown();
    });
    assertThat(waited.await(200, TimeUnit.MILLISECONDS)).as("still waiting for the call in flight").isFalse();
    release.countDown();
    assertThat(waited.await(10, TimeUnit.SECONDS)).as("returned once the call did").isTrue();
    caller.join();
    closer.join();
  }

  @Test
  void awaitCallsGivesUpAfterTheWait() throws Exception {
    CallGate gate = new CallGate(ROOT);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread caller = Thread.ofPlatform().start(() -> gate.call(() -> {
      running.countDown();
      await(release);
      return null;
    }));
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    gate.beginClose();
    long start = System.nanoTime();
    gate.awaitCalls(Duration.ofMillis(100));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    release.countDown();
    caller.join();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
