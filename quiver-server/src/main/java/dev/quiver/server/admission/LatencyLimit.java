package dev.quiver.server.admission;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * An adaptive limit on the requests in flight, driven by the latency admitted requests actually see in
 * the server: from the request's arrival at admission to its answer being written. While the p99 of
 * that latency stays within the target, the limit grows by one per sample window (when the requests in
 * flight come near it); when it exceeds the target, or a request is dropped at its queue deadline, the
 * limit shrinks by a fifth. A request that finds the limit reached is refused at once. This bounds what
 * the queue budget ({@link QueueAdmission}) cannot see: when the cores, not the worker queue, are the
 * bottleneck, admitted requests wait for CPU and the network threads, and only their latency shows it.
 * The algorithm is Netflix's concurrency-limits (an AIMD limit over windows of the latency's p99).
 *
 * <p>The limit never falls below its floor, so a server at normal load (few requests in flight) never
 * refuses for it, and once a burst ends the requests in flight fall below the limit at once, whatever
 * its value. Thread-safe.
 */
public interface LatencyLimit {
  /** An admitted request's place in the limit: exactly one of its methods is called, once. */
  interface Permit {
    /** The request was answered: its latency is a sample. */
    void answered();

    /** The request was refused after admission because it waited too long (a queue deadline): the limit shrinks. */
    void dropped();

    /** The request left without an answer that says anything about latency (refused by another rule, connection closed). */
    void ignored();
  }

  /** A limit that admits everything, for a server with no latency target. */
  LatencyLimit OFF = new LatencyLimit() {
    private final Permit none = new Permit() {
      @Override
      public void answered() {}

      @Override
      public void dropped() {}

      @Override
      public void ignored() {}
    };

    @Override
    public Permit acquire() {
      return none;
    }

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public int limit() {
      return Integer.MAX_VALUE;
    }

    @Override
    public int inFlight() {
      return 0;
    }

    @Override
    public String refusal() {
      return "";
    }
  };

  /** A permit for a request arriving now, or null when the limit is reached (refuse it). */
  Permit acquire();

  /** Whether this limit can refuse at all ({@link #OFF} cannot). */
  boolean enabled();

  /** The current limit on requests in flight. */
  int limit();

  /** Requests holding a permit now. */
  int inFlight();

  /** Why a request is refused, as one constant text naming the setting. */
  String refusal();

  /**
   * A limit keeping the p99 of admitted requests' latency within {@code target}.
   *
   * @param floor the lowest the limit goes (requests in flight always admitted)
   * @param ceiling the highest it goes, and where it starts
   */
  static LatencyLimit of(Duration target, int floor, int ceiling) {
    return of(target, floor, ceiling, System::nanoTime);
  }

  /**
   * The limit of a front end with {@code workers} threads and a queue bound of {@code maxQueued}: {@link #OFF} when
   * {@code target} is zero, else between twice the workers, 16 at least (so a server at normal load never refuses for
   * it), and sixteen times the workers, 128 at least (where it starts); both at most the workers plus the queue bound.
   * HTTP and gRPC each build their own from the same settings.
   */
  static LatencyLimit forWorkers(Duration target, int workers, int maxQueued) {
    if (target.isZero()) {
      return OFF;
    }
    int most = workers + maxQueued;
    int ceiling = Math.min(Math.max(16 * workers, 128), most);
    int floor = Math.min(Math.max(2 * workers, 16), ceiling);
    return of(target, floor, ceiling);
  }

  /** {@link #of(Duration, int, int)} on the clock {@code nanoClock} (tests drive it with a fake one). */
  static LatencyLimit of(Duration target, int floor, int ceiling, LongSupplier nanoClock) {
    return new AdaptiveLatencyLimit(target.toNanos(), floor, ceiling, nanoClock);
  }
}
