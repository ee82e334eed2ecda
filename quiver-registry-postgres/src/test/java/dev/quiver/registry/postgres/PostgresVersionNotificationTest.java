package dev.quiver.registry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.SampleDefinitions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RegistryStore#onNewVersion} on PostgreSQL: a version recorded by another store instance
 * (another process, as far as the database can tell) is reported within a second; after the
 * listening connection is ended by the server it reconnects and reports the next one; other
 * schemas' versions are not reported; a closed subscription is told nothing.
 */
class PostgresVersionNotificationTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static LocalPostgres pg;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Test
  @Timeout(60)
  void anotherInstancesCommitIsReportedWithinASecondAlsoAfterTheListenerIsKilled() throws Exception {
    String schema = pg.newSchema();
    LinkedBlockingQueue<Long> told = new LinkedBlockingQueue<>();
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture = capture(logged);
    Logger log = Logger.getLogger(VersionNotifications.class.getName());
    log.addHandler(capture);
    try (RegistryStore server = open(schema); RegistryStore writer = open(schema)) {
      RegistryStore.Subscription sub = server.onNewVersion(() -> told.add(System.nanoTime()));
      awaitListener(1);

      long start = System.nanoTime();
      writer.commit(0, SampleDefinitions.sample(1), "ana", "first", T);
      Long at = toldAfter(told, start, 1_000);
      assertThat(at).as("told of version 1 within 1 s").isNotNull();
      assertThat(at - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
      assertThat(server.head().orElseThrow().version()).isEqualTo(1);

      String before = pg.column("SELECT pid FROM pg_stat_activity WHERE application_name = '"
          + VersionNotifications.APPLICATION_NAME + "'").getFirst();
      assertThat(pg.terminate(VersionNotifications.APPLICATION_NAME)).isEqualTo(1);
      start = System.nanoTime();
      writer.commit(1, SampleDefinitions.sample(2), "ana", "second", T.plusSeconds(1));
      at = toldAfter(told, start, 2_000);
      assertThat(at).as("told of version 2 after the listener was killed").isNotNull();
      assertThat(at - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
      String after = awaitListener(1).getFirst();
      assertThat(after).as("a new listening connection").isNotEqualTo(before);

      start = System.nanoTime();
      writer.commit(2, SampleDefinitions.sample(3), "ana", "third", T.plusSeconds(2));
      at = toldAfter(told, start, 1_000);
      assertThat(at).as("told of version 3 on the new connection").isNotNull();
      assertThat(at - start).isLessThan(TimeUnit.SECONDS.toNanos(1));

      try (RegistryStore elsewhere = open(pg.newSchema())) {
        told.clear();
        elsewhere.commit(0, SampleDefinitions.sample(4), "bo", "another registry", T);
        assertThat(told.poll(500, TimeUnit.MILLISECONDS)).as("another schema's version").isNull();
      }

      sub.close();
      writer.commit(3, SampleDefinitions.sample(5), "ana", "fourth", T.plusSeconds(3));
      assertThat(told.poll(500, TimeUnit.MILLISECONDS)).as("after the subscription closed").isNull();
    } finally {
      log.removeHandler(capture);
    }
    assertThat(awaitListener(0)).as("closing the store ends the listening connection").isEmpty();
    assertThat(logged).extracting(LogRecord::getMessage).anySatisfy(m -> assertThat(m)
        .contains("listen for new registry versions").contains(pg.url()).endsWith("registry poll meanwhile)"));
    assertThat(logged).extracting(LogRecord::getMessage).allSatisfy(m -> assertThat(m)
        .doesNotContain(LocalPostgres.PASSWORD));
  }

  @Test
  @Timeout(30)
  void aStoreNobodySubscribedToHoldsNoListeningConnection() {
    String schema = pg.newSchema();
    try (RegistryStore store = open(schema)) {
      store.commit(0, SampleDefinitions.sample(1), "ana", "", T);
      assertThat(pg.column("SELECT pid FROM pg_stat_activity WHERE application_name = '"
          + VersionNotifications.APPLICATION_NAME + "'")).isEmpty();
    }
  }

  /** The first time told at or after {@code start}, waiting up to {@code millis}; null when none came. */
  private static Long toldAfter(LinkedBlockingQueue<Long> told, long start, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
      Long at = told.poll(left, TimeUnit.MILLISECONDS);
      if (at != null && at >= start) {
        return at;
      }
    }
    return null;
  }

  /** Waits until {@code n} listening connections have run their LISTEN; returns their pids. */
  private static List<String> awaitListener(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<String> pids = pg.column("SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = '"
          + VersionNotifications.APPLICATION_NAME + "' AND a.query = 'LISTEN " + VersionNotifications.CHANNEL + "'");
      if (pids.size() == n || System.nanoTime() > deadline) {
        return pids;
      }
      Thread.sleep(20);
    }
  }

  private static Handler capture(List<LogRecord> into) {
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        into.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static RegistryStore open(String schema) {
    return new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of("."));
  }
}
