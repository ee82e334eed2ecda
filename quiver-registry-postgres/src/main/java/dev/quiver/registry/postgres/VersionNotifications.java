package dev.quiver.registry.postgres;

import dev.quiver.core.registry.RegistryStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells listeners of new registry versions as PostgreSQL reports them: every commit sends {@code
 * NOTIFY quiver_registry, 'SCHEMA VERSION'} in its own transaction ({@link PostgresRegistryStore}),
 * and one thread per store holds a connection of its own (outside the pool) that {@code LISTEN}s
 * and waits for notifications ({@link PGConnection#getNotifications(int)}).
 *
 * <p>When that connection fails (the server restarts, an administrator ends it) the thread
 * reconnects, backing off from 0.1 s to 5 s, and tells the listeners once it is back, since a version
 * may have been recorded meanwhile; for the same reason it tells them once when it first starts
 * listening. It logs the failure once, not at every retry. The thread starts with the first
 * subscription and ends when the store closes. Thread-safe.
 */
final class VersionNotifications implements AutoCloseable {
  /** The channel, shared by every registry in the database: the payload names the schema. */
  static final String CHANNEL = "quiver_registry";

  /** The {@code application_name} of the listening connection, as {@code pg_stat_activity} shows it. */
  static final String APPLICATION_NAME = "quiver-registry-listener";

  private static final Logger LOG = Logger.getLogger(VersionNotifications.class.getName());
  private static final int WAIT_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final RegistryDatabase db;
  private final String prefix;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private Thread thread;

  VersionNotifications(RegistryDatabase db) {
    this.db = db;
    this.prefix = db.settings().schema() + " ";
  }

  /** The payload a commit of {@code version} sends, for the commit statement. */
  static String payload(String schema, long version) {
    return schema + " " + version;
  }

  RegistryStore.Subscription subscribe(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    Runnable entry = listener::run; // a distinct object, so closing removes this subscription only
    listeners.add(entry);
    synchronized (this) {
      if (thread == null && !closed) {
        thread = Thread.ofPlatform().daemon().name("quiver-registry-listen").start(this::listen);
      }
    }
    return () -> listeners.remove(entry);
  }

  private void listen() {
    long backoff = 100;
    boolean missed = true; // a version may be recorded between subscribing and listening
    String down = null;
    while (!closed) {
      try (Connection c = db.dedicatedConnection(APPLICATION_NAME); Statement s = c.createStatement()) {
        s.execute("LISTEN " + CHANNEL);
        if (down != null) {
          LOG.info("listening for new registry versions at " + db.settings().displayUrl() + " again");
          down = null;
        }
        if (missed) {
          tell(); // a version may have been recorded while nobody listened yet
          missed = false;
        }
        backoff = 100;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
          if (got != null && concernsUs(got)) {
            tell();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        missed = true;
        String why = db.failure("listen for new registry versions", e).getMessage();
        if (!why.equals(down)) {
          down = why;
          LOG.log(Level.WARNING, why + "; reconnecting (new versions are seen at the next registry poll meanwhile)");
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  private boolean concernsUs(PGNotification[] notifications) {
    for (PGNotification n : notifications) {
      if (CHANNEL.equals(n.getName()) && n.getParameter() != null && n.getParameter().startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private void tell() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException ignored) {
        // a listener's failure is its own; the others are still told
      }
    }
  }

  /** Stops listening; waits up to a second for the thread to end. Idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    listeners.clear();
    if (t != null) {
      t.interrupt();
      try {
        t.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
