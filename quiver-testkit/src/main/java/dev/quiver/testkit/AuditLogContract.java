package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every registry store's {@link AuditLog} must have ({@link RegistryStore#audit()}). A
 * store's test extends this class and says how to open one:
 *
 * <pre>{@code
 * class FileAuditLogTest extends AuditLogContract {
 *   @TempDir Path dir;
 *   @Override protected RegistryStore newStore() { return new FileRegistryStore(dir); }
 *   @Override protected RegistryStore reopen() { return new FileRegistryStore(dir); }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #newStore()} once, first (an empty store), and may then call {@link
 * #reopen()} for another instance over the same store (as another process would). Every store
 * either returns is closed after the test.
 */
public abstract class AuditLogContract {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");
  private static final int THREADS = 8;

  private final List<RegistryStore> opened = new ArrayList<>();

  /** A new, empty store. */
  protected abstract RegistryStore newStore();

  /** Another instance over the store {@link #newStore()} made. */
  protected abstract RegistryStore reopen();

  private AuditLog log() {
    RegistryStore s = newStore();
    opened.add(s);
    return s.audit();
  }

  private AuditLog again() {
    RegistryStore s = reopen();
    opened.add(s);
    return s.audit();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RegistryStore::close);
  }

  private static AuditEvent event(int i, Instant at) {
    return new AuditEvent(at, "user-" + i, i % 2 == 0 ? "token" : "jwt", i % 3 == 0 ? "push" : "denied",
        "feature_view v" + i, "10.0.0." + (i % 250) + ":5" + i, i % 3 == 0 ? "ok" : "denied", "rows " + i);
  }

  @Test
  void anEmptyLogReadsNothing() {
    assertThat(log().read(Instant.EPOCH, 100)).isEmpty();
  }

  @Test
  void appendedEventsReadBackEqualInOrder() {
    AuditLog log = log();
    List<AuditEvent> written = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      AuditEvent e = event(i, T0.plusSeconds(i));
      log.append(e);
      written.add(e);
    }
    assertThat(log.read(Instant.EPOCH, 1000)).containsExactlyElementsOf(written);
    assertThat(again().read(Instant.EPOCH, 1000)).as("another instance (process) sees them")
        .containsExactlyElementsOf(written);
  }

  @Test
  void appendAllKeepsTheOrderAfterEarlierEvents() {
    AuditLog log = log();
    List<AuditEvent> written = new ArrayList<>(List.of(event(0, T0)));
    log.append(written.getFirst());
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 1; i < 30; i++) {
      batch.add(event(i, T0.plusSeconds(i)));
    }
    log.appendAll(batch);
    log.appendAll(List.of());
    written.addAll(batch);
    assertThat(again().read(Instant.EPOCH, 1000)).containsExactlyElementsOf(written);
  }

  @Test
  void fieldsKeepTheirTextExactly() {
    AuditLog log = log();
    AuditEvent odd = new AuditEvent(T0, "ana \"the admin\" ü", "local", "apply", "registry *", "cli", "failed",
        "line one\nline two\t{\"json\": true}");
    AuditEvent empty = new AuditEvent(T0.plusNanos(1000), "bob", "none", "materialize", "feature_view x", "cli", "ok", null);
    log.append(odd);
    log.append(empty);
    assertThat(again().read(Instant.EPOCH, 10)).containsExactly(odd, empty);
    assertThat(empty.detail()).isEmpty();
  }

  @Test
  void readFiltersByTimeInclusive() {
    AuditLog log = log();
    for (int i = 0; i < 10; i++) {
      log.append(event(i, T0.plus(i, ChronoUnit.MINUTES)));
    }
    List<AuditEvent> since = log.read(T0.plus(4, ChronoUnit.MINUTES), 100);
    assertThat(since).hasSize(6);
    assertThat(since.getFirst().time()).isEqualTo(T0.plus(4, ChronoUnit.MINUTES));
    assertThat(log.read(T0.plus(1, ChronoUnit.DAYS), 100)).isEmpty();
  }

  @Test
  void limitKeepsTheOldest() {
    AuditLog log = log();
    for (int i = 0; i < 10; i++) {
      log.append(event(i, T0.plusSeconds(i)));
    }
    assertThat(log.read(Instant.EPOCH, 3)).extracting(AuditEvent::principal).containsExactly("user-0", "user-1", "user-2");
    assertThat(log.read(Instant.EPOCH, 0)).isEmpty();
    assertThatThrownBy(() -> log.read(Instant.EPOCH, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void concurrentAppendsFromSeveralInstancesAreAllKeptWhole() throws Exception {
    List<AuditLog> logs = new ArrayList<>();
    logs.add(log());
    for (int i = 1; i < THREADS; i++) {
      logs.add(i % 2 == 0 ? logs.getFirst() : again());
    }
    int perThread = 40;
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            logs.get(thread).append(event(thread * 1000 + i, T0.plusMillis(i)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<AuditEvent> all = again().read(Instant.EPOCH, Integer.MAX_VALUE);
    assertThat(all).hasSize(THREADS * perThread);
    Set<String> principals = new HashSet<>();
    all.forEach(e -> principals.add(e.principal()));
    assertThat(principals).hasSize(THREADS * perThread);
    for (int t = 0; t < THREADS; t++) { // each writer's events keep its order
      int thread = t;
      List<String> mine = all.stream().map(AuditEvent::principal)
          .filter(p -> Integer.parseInt(p.substring(5)) / 1000 == thread).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        expected.add("user-" + (thread * 1000 + i));
      }
      assertThat(mine).containsExactlyElementsOf(expected);
    }
  }
}
