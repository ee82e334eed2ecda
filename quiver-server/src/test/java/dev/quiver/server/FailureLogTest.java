package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.QuiverException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Repeated failures: the first in full, then one summary per interval with the count, every one counted. */
class FailureLogTest {
  final Logger log = Logger.getLogger("dev.quiver.server.FailureLogTest.subject");
  final List<LogRecord> records = new CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  final AtomicLong now = new AtomicLong(1);
  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final FailureLog failures = new FailureLog(meters, now::get, Duration.ofSeconds(10), Duration.ofMinutes(1));

  @BeforeEach
  void attach() {
    log.addHandler(capture);
    log.setUseParentHandlers(false);
  }

  @AfterEach
  void detach() {
    log.removeHandler(capture);
    log.setUseParentHandlers(true);
  }

  static QuiverException down(int i) {
    return new QuiverException("online store unavailable (" + i + ")", new IOException("Connection refused"));
  }

  @Test
  void theFirstIsLoggedInFullThenOneSummaryPerIntervalWithTheCount() {
    for (int i = 0; i < 1000; i++) { // 1,000 failures over 25 s
      failures.failed(log, Level.WARNING, "push", "request to /push failed: " + down(i).getMessage(), down(i));
      now.addAndGet(Duration.ofMillis(25).toNanos());
    }
    failures.failed(log, Level.WARNING, "get-online-features", "request failed", new IllegalStateException("other kind"));
    failures.flush();

    assertThat(records).extracting(LogRecord::getMessage).hasSize(5);
    assertThat(records.getFirst().getThrown()).as("the first in full").isInstanceOf(QuiverException.class);
    assertThat(records.getFirst().getMessage()).isEqualTo("request to /push failed: online store unavailable (0)");
    assertThat(records.get(1).getMessage()).startsWith("push: 400 more failures (QuiverException/IOException) since the last line")
        .endsWith("the latest: request to /push failed: online store unavailable (400)");
    assertThat(records.get(1).getThrown()).isNull();
    assertThat(records.get(2).getMessage()).startsWith("push: 400 more failures");
    assertThat(records.get(3).getMessage()).as("another endpoint and kind: its own first line").isEqualTo("request failed");
    assertThat(records.get(4).getMessage()).as("flushed: the rest, counted").startsWith("push: 199 more failures")
        .endsWith("online store unavailable (999)");
    assertThat(meters.scrape()).contains("quiver_failures_total{endpoint=\"push\",kind=\"QuiverException/IOException\"} 1000.0",
        "quiver_failures_total{endpoint=\"get-online-features\",kind=\"IllegalStateException\"} 1.0");
  }

  @Test
  void afterAQuietMinuteTheNextIsLoggedInFullAgain() {
    failures.failed(log, Level.WARNING, "push", "first", down(1));
    failures.failed(log, Level.WARNING, "push", "second", down(2));
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    failures.failed(log, Level.WARNING, "push", "third", down(3));
    assertThat(records).extracting(LogRecord::getMessage)
        .containsExactly("first", "third (1 earlier failures like it were not logged)");
    assertThat(records.get(1).getThrown()).isNotNull();
  }
}
