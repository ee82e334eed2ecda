package dev.quiver.server;

import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import dev.quiver.server.auth.Authenticator;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server's {@link Authenticator}: authenticates with another one and records in the audit log
 * who used which credentials ({@code token_use}) and every refused credential ({@code
 * authentication_failed}), without letting either flood it.
 *
 * <p>A {@code token_use} is recorded once per (principal, method, client host) per use window (10
 * minutes): the first request of a window is recorded, the rest of it is not. An {@code
 * authentication_failed} names the reason (never the token); each client host gets at most {@code
 * failureLimit} of them per failure window (10 a minute), and the next one recorded after a window
 * that suppressed some says how many were not recorded. Both maps are in memory and bounded. Thread-safe.
 */
final class AuditedAuthenticator implements Authenticator {
  static final Duration USE_WINDOW = Duration.ofMinutes(10);
  static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);
  static final int FAILURE_LIMIT = 10;
  static final int MAX_KEYS = 10_000;
  static final String RESOURCE = "server";
  private static final Logger LOG = Logger.getLogger(AuditedAuthenticator.class.getName());

  private final Authenticator delegate;
  private final Guard guard;
  private final FailureLog unavailable;
  private final LongSupplier nanos;
  private final long useWindow;
  private final long failureWindow;
  private final int failureLimit;
  private final ConcurrentHashMap<String, Long> uses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

  /** Failures from one client host in its current window. */
  private static final class Failures {
    long windowStart;
    int recorded;
    long suppressed;
  }

  AuditedAuthenticator(Authenticator delegate, Guard guard, FailureLog unavailable) {
    this(delegate, guard, unavailable, System::nanoTime, USE_WINDOW, FAILURE_WINDOW, FAILURE_LIMIT);
  }

  /** @param unavailable where a token store that cannot be read is logged (rate-limited) */
  AuditedAuthenticator(Authenticator delegate, Guard guard, FailureLog unavailable, LongSupplier nanos, Duration useWindow,
      Duration failureWindow, int failureLimit) {
    this.delegate = delegate;
    this.guard = guard;
    this.unavailable = unavailable;
    this.nanos = nanos;
    this.useWindow = useWindow.toNanos();
    this.failureWindow = failureWindow.toNanos();
    this.failureLimit = failureLimit;
  }

  @Override
  public Principal authenticate(String authorization) {
    return authenticate(authorization, "unknown");
  }

  @Override
  public Principal authenticate(String authorization, String client) {
    Principal p;
    try {
      p = delegate.authenticate(authorization, client);
    } catch (AuthenticationException e) {
      failed(e.getMessage(), client);
      throw e;
    } catch (QuiverException e) { // the token store cannot be read: the request gets a 503
      unavailable.failed(LOG, Level.WARNING, "authentication", "cannot authenticate a request from " + client + ": "
          + e.getMessage(), e);
      throw e;
    }
    used(p, client);
    return p;
  }

  @Override
  public void connected(Principal principal, String client) {
    used(principal, client);
  }

  @Override
  public boolean enabled() {
    return delegate.enabled();
  }

  private void used(Principal p, String client) {
    if (p.equals(Principal.ANONYMOUS)) {
      return;
    }
    String host = host(client);
    String key = p.name() + '\0' + p.method() + '\0' + host;
    long now = nanos.getAsLong();
    Long last = uses.get(key);
    if (last != null && now - last < useWindow) {
      return;
    }
    if (last == null && uses.size() >= MAX_KEYS) {
      uses.values().removeIf(t -> now - t >= useWindow);
      if (uses.size() >= MAX_KEYS) {
        uses.clear(); // many principals at once: some uses are recorded twice in a window, never lost
      }
    }
    boolean first = last == null ? uses.putIfAbsent(key, now) == null : uses.replace(key, last, now);
    if (first) { // another request of the same key won the race otherwise, and recorded it
      guard.record(new Caller(p, client), "token_use", RESOURCE, "ok", "authenticated by " + p.method()
          + " from " + host + "; recorded once per principal, method and client host every "
          + minutes(useWindow));
    }
  }

  private void failed(String reason, String client) {
    String host = host(client);
    long now = nanos.getAsLong();
    if (failures.size() >= MAX_KEYS && !failures.containsKey(host)) {
      failures.values().removeIf(f -> {
        synchronized (f) {
          return now - f.windowStart >= failureWindow && f.suppressed == 0;
        }
      });
      if (failures.size() >= MAX_KEYS) {
        failures.clear();
      }
    }
    Failures f = failures.computeIfAbsent(host, h -> {
      Failures n = new Failures();
      n.windowStart = now;
      return n;
    });
    long suppressedBefore;
    synchronized (f) {
      if (now - f.windowStart >= failureWindow) {
        f.windowStart = now;
        f.recorded = 0;
      }
      if (f.recorded >= failureLimit) {
        f.suppressed++;
        return;
      }
      f.recorded++;
      suppressedBefore = f.suppressed;
      f.suppressed = 0;
    }
    guard.record(Caller.anonymous(client), "authentication_failed", RESOURCE, "denied", reason
        + (suppressedBefore == 0 ? "" : "; " + suppressedBefore + " earlier failures from " + host
            + " were not recorded (at most " + failureLimit + " per client host every " + minutes(failureWindow) + ")"));
  }

  /** The host of {@code host:port} ({@code /127.0.0.1:50412} is {@code 127.0.0.1}). */
  static String host(String address) {
    String a = address.startsWith("/") ? address.substring(1) : address;
    int colon = a.lastIndexOf(':');
    return colon > 0 ? a.substring(0, colon) : a;
  }

  private static String minutes(long nanos) {
    Duration d = Duration.ofNanos(nanos);
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }
}
