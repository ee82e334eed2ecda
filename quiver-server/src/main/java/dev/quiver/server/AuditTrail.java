package dev.quiver.server;

import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Appends the server's audit events to the registry store's {@link AuditLog} on a thread of its
 * own, so no request waits for the log's disk: {@link #record} only queues. When the queue is full
 * (the log cannot keep up or fails), events are dropped and counted rather than slowing serving; a
 * failing log is reported once a minute at most. {@link #close} drains what is queued. Thread-safe.
 */
final class AuditTrail implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
  private static final int CAPACITY = 65_536;
  private static final long REPORT_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  private final AuditLog log;
  private final BlockingQueue<AuditEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Thread writer;
  private volatile boolean closing;
  private long lastReport = System.nanoTime() - REPORT_EVERY_NANOS;

  /** @param log where events go; null when the registry store keeps no audit log (events are dropped) */
  AuditTrail(AuditLog log) {
    this.log = log;
    this.writer = log == null ? null : Thread.ofPlatform().daemon().name("quiver-audit").start(this::drain);
  }

  /** Queues an event; never blocks. */
  void record(AuditEvent event) {
    if (log != null && !queue.offer(event)) {
      dropped.incrementAndGet();
    }
  }

  /** Events dropped because the queue was full. */
  long dropped() {
    return dropped.get();
  }

  /** Events the log refused to append. */
  long failed() {
    return failed.get();
  }

  private void drain() {
    while (true) {
      AuditEvent e;
      try {
        e = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        return;
      }
      if (e == null) {
        if (closing) {
          return;
        }
        continue;
      }
      try {
        log.append(e);
      } catch (RuntimeException ex) {
        failed.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastReport >= REPORT_EVERY_NANOS) {
          lastReport = now;
          LOG.log(Level.WARNING, "appending to the audit log failed (" + failed.get() + " events so far): "
              + ex.getMessage());
        }
      }
    }
  }

  /** Appends what is queued (waiting up to {@code grace}), then stops. */
  void close(Duration grace) {
    closing = true;
    if (writer != null) {
      try {
        writer.join(Math.max(1, grace.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writer.interrupt();
    }
    if (dropped.get() > 0) {
      LOG.warning("the audit log could not keep up: " + dropped.get() + " events were dropped");
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
