package dev.quiver.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs failures that repeat per request (a store or registry that is down) without flooding the log:
 * per (endpoint, kind of error) the first is logged in full (with its stack trace), then at most one
 * summary line per interval (10 s) saying how many failed since the last line and the latest message;
 * after a quiet spell (a minute without one) the next is logged in full again. The counter {@code
 * quiver_failures_total{endpoint, kind}} counts every one, logged or not. {@link #flush} logs what is
 * still unreported (the server calls it when it stops). Thread-safe; the state is bounded.
 */
public final class FailureLog {
  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final Duration QUIET = Duration.ofMinutes(1);
  private static final int MAX_KEYS = 1_000;

  /** Logs without counting: for operations tested without a server. */
  public static final FailureLog UNCOUNTED = new FailureLog(null);

  private final MeterRegistry meters;
  private final LongSupplier nanos;
  private final long interval;
  private final long quiet;
  private final ConcurrentHashMap<String, Key> keys = new ConcurrentHashMap<>();

  /** What is known about one (endpoint, kind). */
  private static final class Key {
    final String endpoint;
    final String kind;
    final Counter counter;
    Logger log;
    long lastLogged;
    long lastSeen;
    long unreported;
    String latest;

    Key(String endpoint, String kind, Counter counter) {
      this.endpoint = endpoint;
      this.kind = kind;
      this.counter = counter;
    }
  }

  /** @param meters where the counter is registered; null for none */
  FailureLog(MeterRegistry meters) {
    this(meters, System::nanoTime, INTERVAL, QUIET);
  }

  FailureLog(MeterRegistry meters, LongSupplier nanos, Duration interval, Duration quiet) {
    this.meters = meters;
    this.nanos = nanos;
    this.interval = interval.toNanos();
    this.quiet = quiet.toNanos();
  }

  /**
   * Counts a failure and logs it unless one like it was logged less than the interval ago.
   *
   * @param log the logger of the code that failed (the line is attributed to it)
   * @param level the level of the lines
   * @param endpoint where it failed: a bounded name ({@code push}, {@code get-online-features},
   *     {@code authentication})
   * @param message one line saying what failed (never a secret); the summary repeats the latest
   * @param error the failure; its class (and its root cause's) is the kind
   */
  public void failed(Logger log, Level level, String endpoint, String message, Throwable error) {
    String kind = kind(error);
    Key k = key(endpoint, kind);
    if (k.counter != null) {
      k.counter.increment();
    }
    long now = nanos.getAsLong();
    long count;
    boolean full;
    synchronized (k) {
      k.log = log;
      full = k.lastSeen == 0 || now - k.lastSeen >= quiet;
      k.lastSeen = now;
      if (!full && now - k.lastLogged < interval) {
        k.unreported++;
        k.latest = message;
        return;
      }
      count = k.unreported;
      k.unreported = 0;
      k.latest = null;
      k.lastLogged = now;
    }
    if (full) {
      log.log(level, message + (count == 0 ? "" : " (" + count + " earlier failures like it were not logged)"), error);
    } else {
      log.log(level, summary(k, count + 1, message));
    }
  }

  /** Logs a summary for every (endpoint, kind) with failures not yet reported. */
  public void flush() {
    for (Key k : keys.values()) {
      long count;
      String latest;
      synchronized (k) {
        count = k.unreported;
        latest = k.latest;
        k.unreported = 0;
        k.latest = null;
      }
      if (count > 0) {
        k.log.log(Level.WARNING, summary(k, count, latest));
      }
    }
  }

  private String summary(Key k, long count, String latest) {
    return k.endpoint + ": " + count + " more failures (" + k.kind + ") since the last line (at most one line every "
        + Duration.ofNanos(interval).toSeconds() + " s; all are counted in quiver_failures_total); the latest: " + latest;
  }

  private Key key(String endpoint, String kind) {
    String id = endpoint + '|' + kind;
    Key k = keys.get(id);
    if (k != null) {
      return k;
    }
    if (keys.size() >= MAX_KEYS) { // an unbounded set of kinds would be a bug; stay bounded anyway
      endpoint = "other";
      kind = "other";
      id = "other|other";
    }
    String e = endpoint;
    String c = kind;
    return keys.computeIfAbsent(id, x -> new Key(e, c, meters == null ? null
        : Counter.builder("quiver.failures").description("Failures answered 5xx or logged, by endpoint and kind of error")
            .tag("endpoint", e).tag("kind", c).register(meters)));
  }

  /** The error's class, and its root cause's when that differs ({@code QuiverException/RedisConnectionException}). */
  static String kind(Throwable error) {
    if (error == null) {
      return "none";
    }
    Throwable root = error;
    for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    String kind = error.getClass().getSimpleName();
    return root == error ? kind : kind + "/" + root.getClass().getSimpleName();
  }
}
