package dev.quiver.server.admission;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limit.window.PercentileSampleWindowFactory;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@link LatencyLimit} on Netflix's concurrency-limits: a {@link SimpleLimiter} (a semaphore sized to
 * the limit) over an {@link AIMDLimit} whose timeout is the target, fed by a {@link WindowedLimit} that
 * hands it the p99 of each window's latencies (a window is {@value #MAX_WINDOW_MS} ms, its first
 * {@value #WINDOW_SAMPLES} latencies, and counts only when it has that many). So the limit moves at most
 * once per window: by a fifth down when the window's p99 exceeded the target or a request was dropped
 * (from 8× to 1× in about a second), by one up when it did not and the requests in flight reached half
 * the limit.
 */
final class AdaptiveLatencyLimit implements LatencyLimit {
  static final int WINDOW_SAMPLES = 100;
  static final int MIN_WINDOW_MS = 100; // the library's least
  static final int MAX_WINDOW_MS = 100;
  static final double BACKOFF = 0.8;

  private final SimpleLimiter<Void> limiter;
  private final String refusal;

  AdaptiveLatencyLimit(long targetNanos, int floor, int ceiling, LongSupplier nanoClock) {
    if (targetNanos <= 0 || floor < 1 || ceiling < floor) {
      throw new IllegalArgumentException("the latency target must be positive and 1 <= floor <= ceiling, got "
          + targetNanos + " ns, " + floor + ", " + ceiling);
    }
    AIMDLimit aimd = AIMDLimit.newBuilder()
        .initialLimit(ceiling)
        .minLimit(floor)
        .maxLimit(ceiling)
        .backoffRatio(BACKOFF)
        .timeout(targetNanos, TimeUnit.NANOSECONDS)
        .build();
    WindowedLimit windowed = WindowedLimit.newBuilder()
        .windowSize(WINDOW_SAMPLES)
        .minWindowTime(MIN_WINDOW_MS, TimeUnit.MILLISECONDS)
        .maxWindowTime(MAX_WINDOW_MS, TimeUnit.MILLISECONDS)
        .minRttThreshold(0, TimeUnit.NANOSECONDS)
        .sampleWindowFactory(PercentileSampleWindowFactory.of(0.99, WINDOW_SAMPLES))
        .build(aimd);
    this.limiter = SimpleLimiter.newBuilder().limit(windowed).nanoClock(nanoClock).named("quiver").build();
    this.refusal = "more requests are in flight than the latency limit allows (it keeps admitted requests' p99 within the"
        + " latency target of " + String.format(java.util.Locale.ROOT, "%.1f ms", targetNanos / 1e6) + "; --latency-target)";
  }

  @Override
  public Permit acquire() {
    Optional<Limiter.Listener> listener = limiter.acquire(null);
    return listener.isEmpty() ? null : new Held(listener.get());
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public int limit() {
    return limiter.getLimit();
  }

  @Override
  public int inFlight() {
    return limiter.getInflight();
  }

  @Override
  public String refusal() {
    return refusal;
  }

  private record Held(Limiter.Listener listener) implements Permit {
    @Override
    public void answered() {
      listener.onSuccess();
    }

    @Override
    public void dropped() {
      listener.onDropped();
    }

    @Override
    public void ignored() {
      listener.onIgnore();
    }
  }
}
