package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A front end whose only worker is held by a first call until {@link #releaseFirst()}, and bursts of
 * calls queued behind it: the set-up {@link AdmissionTest}'s shedding tests share, over HTTP or gRPC.
 *
 * @param <R> what a call gives back
 */
final class HeldWorker<R> {
  final CountDownLatch release = new CountDownLatch(1);
  final Gate gate = new Gate(new CountDownLatch(1), release);
  final ThreadPoolExecutor workers;
  int port;
  private Supplier<CompletableFuture<R>> call;
  private CompletableFuture<R> first;

  HeldWorker(int queued) {
    workers = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queued));
  }

  /** Sends the first call and waits until it holds the worker. */
  HeldWorker<R> start(Supplier<CompletableFuture<R>> call) throws InterruptedException {
    this.call = call;
    first = call.get();
    assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the first call reached the worker").isTrue();
    return this;
  }

  /** Sends {@code n} calls at once; they queue behind the held worker (or are refused). */
  List<CompletableFuture<R>> burst(int n) {
    List<CompletableFuture<R>> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(call.get());
    }
    return sent;
  }

  /** One more call. */
  CompletableFuture<R> call() {
    return call.get();
  }

  boolean firstDone() {
    return first.isDone();
  }

  /** Lets the first call finish; its answer. */
  R releaseFirst() throws Exception {
    release.countDown();
    return first.get(10, TimeUnit.SECONDS);
  }
}
