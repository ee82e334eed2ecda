package dev.quiver.core.repo;

import dev.quiver.core.QuiverException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The calls in flight on a feature repo: each public call runs through {@link #call}, which refuses it
 * once {@link #beginClose()} was called and counts it while it runs, so that {@link #awaitCalls} can
 * wait for the ones already running. Thread-safe.
 */
final class CallGate {
  private final Path root;
  /** Set by beginClose(): new calls are refused. */
  private volatile boolean closed;
  /** Public calls running now; awaitCalls() waits for them. */
  private final AtomicInteger inFlight = new AtomicInteger();

  CallGate(Path root) {
    this.root = root;
  }

  /** Runs a public call: refused once {@link #beginClose()} was called, counted while it runs. */
  <T> T call(Supplier<T> work) {
    inFlight.incrementAndGet();
    try {
      if (closed) {
        throw closedException(root);
      }
      return work.get();
    } finally {
      if (inFlight.decrementAndGet() == 0 && closed) {
        synchronized (inFlight) {
          inFlight.notifyAll();
        }
      }
    }
  }

  /** Refuses new calls from now on; false when an earlier call already did (close is idempotent). */
  synchronized boolean beginClose() {
    if (closed) {
      return false;
    }
    closed = true;
    return true;
  }

  /**
   * Waits up to {@code wait} for the calls in flight to return; logs a warning (under {@link
   * FeatureRepo}'s logger) when some are still running after it.
   */
  void awaitCalls(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (inFlight) {
      long left;
      while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          inFlight.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (inFlight.get() > 0) {
      Logger.getLogger(FeatureRepo.class.getName()).warning(inFlight.get() + " call(s) on the feature repo at "
          + root + " still running after " + wait.toSeconds() + " s; closing its stores under them");
    }
  }

  /** What a call on a closed feature repo throws. */
  static QuiverException closedException(Path root) {
    return new QuiverException("the feature repo at " + root + " is closed");
  }
}
